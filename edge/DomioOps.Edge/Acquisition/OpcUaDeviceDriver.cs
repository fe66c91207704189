using System.Net.Sockets;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Edge.Signals;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Reads one OPC UA server through one session and one subscription: its configured tags and, with AutoMap, its
/// woodworking machines. Values arrive as data change notifications (sampled by the server at each item's sampling
/// interval, queued between publishes, filtered by its deadband), never by polling. A lost connection or session is
/// healed by the <see cref="OpcUaClient"/> itself (it reconnects, reactivates or recreates the session and recreates the
/// subscription item by item); this driver only reports it, and starts over when the first connect fails or the server
/// came back with different namespaces.
/// </summary>
internal sealed class OpcUaDeviceDriver(OpcUaDeviceOptions device, string pkiFolder, AcquisitionContext context)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long the client may be reconnecting before the device counts as failing rather than degraded.</summary>
    private static readonly TimeSpan FailingAfter = TimeSpan.FromSeconds(10);

    /// <summary>How often silent tags are reported again (their MaxSilence or Period is checked at this pace).</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly Dictionary<uint, TagReporter> _reporters = [];
    private readonly List<string> _problems = [];
    private List<string> _machines = [];

    /// <summary>Clients (sessions from scratch) this driver made; healing by the client itself does not count.</summary>
    public int Connects { get; private set; }

    /// <summary>The machines read from this server, as found at the last (re)start.</summary>
    public IReadOnlyList<string> Machines => _machines;

    /// <summary>Where this device's own status is reported: its machine, or its endpoint while it has no machine of its own.</summary>
    private string Name => device.Machine is { Length: > 0 } machine ? machine : device.EndpointUrl;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadAsync(cancellationToken);
        }
        finally
        {
            // Machines found by auto-mapping are known only here: they leave the status board with the driver.
            foreach (var machine in _machines.Where(m => m != Name))
            {
                context.Status.Forget(machine);
            }
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            var client = new OpcUaClient(ClientOptions(), context.Time);
            Connects++;
            try
            {
                await client.ConnectAsync(cancellationToken);
                backoff = TimeSpan.FromSeconds(1);
                var subscription = await SubscribeAsync(client, cancellationToken);
                await PumpAsync(client, subscription, cancellationToken);
            }
            catch (Exception e) when (e is OpcUaException or IOException or SocketException or TimeoutException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                context.Metrics.ReadFailed(Name);
                Report(DeviceHealth.Failing, e.Message);
                await Task.Delay(backoff, context.Time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            finally
            {
                await client.DisposeAsync();
            }
        }
    }

    private OpcUaClientOptions ClientOptions() => new()
    {
        EndpointUrl = device.EndpointUrl,
        ApplicationUri = "urn:domioops:edge",
        ApplicationName = "DomioOps Edge",
        SessionName = $"DomioOps Edge {Name}",
        UserName = device.UserName,
        Password = device.Password,
        RequestTimeout = TimeSpan.FromSeconds(10),
        SecurityPolicyUri = device.SecurityPolicy == "Basic256Sha256" ? SecurityPolicy.Basic256Sha256Uri : SecurityPolicy.NoneUri,
        SecurityMode = device.SecurityPolicy == "Basic256Sha256" ? MessageSecurityMode.SignAndEncrypt : MessageSecurityMode.None,
        Certificates = device.SecurityPolicy == "Basic256Sha256" ? new CertificateStore(pkiFolder) : null,
    };

    /// <summary>Resolves the configured tags, finds the woodworking machines, and monitors all of them in one subscription.</summary>
    private async Task<OpcUaSubscription> SubscribeAsync(OpcUaClient client, CancellationToken cancellationToken)
    {
        _reporters.Clear();
        _problems.Clear();
        var requests = new List<(MonitoredItemRequest Request, TagReporter Reporter, string What)>();
        foreach (var tag in device.Tags)
        {
            _ = ConfiguredNodeId.TryParse(tag.NodeId, out var configured);
            if (configured!.Resolve(client.NamespaceUris) is not { } nodeId)
            {
                _problems.Add($"{tag.NodeId}: the server has no namespace {configured.NamespaceUri}");
                continue;
            }

            var filter = tag.DeadbandType switch
            {
                DeadbandType.Absolute => new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Absolute, tag.Deadband / Math.Abs(tag.Scale)),
                DeadbandType.Percent => new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Percent, tag.DeadbandValue),
                _ => null,
            };
            requests.Add((Request(nodeId, tag.SamplingInterval, tag.QueueSize, filter), new TagReporter(device.Machine, tag), tag.NodeId));
        }

        var found = new List<string>(device.Tags.Count > 0 ? [device.Machine] : []);
        if (device.AutoMap)
        {
            var tagged = device.Tags.Select(t => t.Signal).ToHashSet();
            foreach (var machine in await WoodworkingMachines.FindAsync(client, device.MachineIds, cancellationToken))
            {
                // The tags' machine found here too: the tags add its vendor variables and stand in for its signals they read.
                var ofTheTags = device.Tags.Count > 0 && machine.Machine == device.Machine;
                if (!ofTheTags && found.Contains(machine.Machine, StringComparer.Ordinal))
                {
                    _problems.Add($"machine '{machine.BrowseName}' would be '{machine.Machine}', which is taken: give it another id in MachineIds");
                    continue;
                }

                if (!ofTheTags)
                {
                    found.Add(machine.Machine);
                }

                foreach (var (signal, nodeId) in machine.Variables.Where(v => !ofTheTags || !tagged.Contains(v.Signal)))
                {
                    requests.Add((Request(nodeId, null, null, null), new TagReporter(machine.Machine, new NodeTagOptions { Signal = signal }), $"{machine.BrowseName} {signal}"));
                }
            }

            if (found.Count == 0)
            {
                _problems.Add($"no woodworking machine (OPC 40550-1, {WoodworkingMachines.Namespace}) found on the server");
            }
        }

        // Machines no longer found, and the endpoint's own entry once machines stand for it, leave the status board.
        foreach (var gone in _machines.Append(Name).Except(found, StringComparer.Ordinal).Where(m => found.Count > 0 || m != Name))
        {
            context.Status.Forget(gone);
        }

        _machines = found;
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(device.PublishingInterval.TotalMilliseconds), cancellationToken);
        var items = await subscription.AddItemsAsync(requests.Select(r => r.Request), cancellationToken);
        for (var i = 0; i < items.Count; i++)
        {
            _reporters[items[i].ClientHandle] = requests[i].Reporter;
            if (items[i].Status.IsBad)
            {
                _problems.Add($"{requests[i].What}: refused by the server ({items[i].Status})");
            }
        }

        Report(_problems.Count == 0 ? DeviceHealth.Connected : DeviceHealth.Degraded, _problems.Count == 0 ? null : string.Join("; ", _problems));
        return subscription;
    }

    private MonitoredItemRequest Request(NodeId nodeId, TimeSpan? samplingInterval, uint? queueSize, DataChangeFilter? filter) =>
        new(nodeId, (samplingInterval ?? device.SamplingInterval).TotalMilliseconds, queueSize ?? device.QueueSize, filter);

    /// <summary>Turns notifications into samples until the server comes back with other namespaces (then the caller starts over).</summary>
    private async Task PumpAsync(OpcUaClient client, OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        var namespaces = client.NamespaceUris;
        DateTimeOffset? reconnectingSince = null;
        var samples = new List<Sample>();
        while (true)
        {
            using (var tick = new CancellationTokenSource(Tick, context.Time))
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tick.Token))
            {
                try
                {
                    if (!await subscription.Values.WaitToReadAsync(wait.Token))
                    {
                        throw new OpcUaException(StatusCode.BadConnectionClosed, "The subscription ended.");
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }

            var now = context.Time.GetUtcNow();
            samples.Clear();

            // The client delivers each item's values in the server's order (NotificationMessages in sequence order).
            while (subscription.Values.TryRead(out var change))
            {
                if (_reporters.TryGetValue(change.Item.ClientHandle, out var reporter) && !change.Value.StatusCode.IsBad && Number(change.Value.Value) is { } raw
                    && reporter.Observe(raw, now) is { } sample)
                {
                    samples.Add(sample);
                }
            }

            foreach (var reporter in _reporters.Values)
            {
                if (reporter.Repeat(now) is { } sample)
                {
                    samples.Add(sample);
                }
            }

            context.Commit(samples);

            if (client.State == ConnectionState.Connected)
            {
                if (reconnectingSince is not null)
                {
                    reconnectingSince = null;
                    if (!client.NamespaceUris.SequenceEqual(namespaces, StringComparer.Ordinal))
                    {
                        return;
                    }

                    var refused = subscription.Items.Where(i => i.Status.IsBad).Select(i => $"{i.NodeId}: {i.Status}").ToList();
                    Report(
                        _problems.Count == 0 && refused.Count == 0 ? DeviceHealth.Connected : DeviceHealth.Degraded,
                        _problems.Count == 0 && refused.Count == 0 ? null : string.Join("; ", _problems.Concat(refused)));
                }
            }
            else
            {
                reconnectingSince ??= now;
                Report(
                    now - reconnectingSince < FailingAfter ? DeviceHealth.Degraded : DeviceHealth.Failing,
                    $"connection lost; the OPC UA client is reconnecting (since {reconnectingSince:O})");
            }
        }
    }

    /// <summary>The value of a notification as a number: numbers, booleans (0/1) and enumerations (their Int32); read without boxing.</summary>
    internal static double? Number(Variant value) => value.TryGetDouble(out var number) ? number : null;

    private void Report(DeviceHealth health, string? error)
    {
        var all = _machines.Count == 0 ? [Name] : _machines;
        foreach (var machine in all)
        {
            context.Status.Report(machine, health, error, device.EndpointUrl);
        }
    }
}

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using DomioOps.Devices.Modbus.Server;
using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Google.Protobuf;

using Microsoft.Data.Sqlite;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Edge.Tests.Faults;

/// <summary>
/// A real edge process between simulated Modbus TCP devices (our server, in this process: every read of a producing
/// device sees all its registers changed, so each poll yields one sample per tag) and a real Mosquitto, with an MQTT
/// subscriber that records every telemetry delivery. The subscriber can play the cloud: it acknowledges its
/// contiguous high-water mark on <c>cmd/ack</c> as the cloud does.
/// </summary>
internal sealed partial class EdgeRig : IAsyncDisposable
{
    public const string Site = "plant-f";
    public const string EdgeId = "edge-f";

    private readonly List<ModbusTcpServer> _devices = [];
    private readonly string _data = Directory.CreateTempSubdirectory("domioops-edge-fault-").FullName;
    private readonly List<Delivery> _deliveries = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly int _tags;
    private readonly TimeSpan _pollInterval;
    private readonly string _acknowledgement;
    private IMqttClient? _subscriber;
    private Task? _subscriberLoop;
    private Task? _acknowledging;
    private volatile bool _producing = true;

    private EdgeRig(MosquittoBroker broker, int tags, TimeSpan pollInterval, string acknowledgement) =>
        (Broker, this._tags, this._pollInterval, this._acknowledgement) = (broker, tags, pollInterval, acknowledgement);

    public MosquittoBroker Broker { get; }

    public HostProcess? Edge { get; private set; }

    /// <summary>Which start of the edge process a delivery arrived under (1 for the first).</summary>
    public int Incarnation { get; private set; }

    public IReadOnlyList<ModbusTcpServer> Devices => _devices;

    public string QueuePath => Path.Combine(_data, "queue.db");

    /// <summary>Machines <c>dev-00</c>… each with <paramref name="tags"/> tags polled every <paramref name="pollInterval"/>.</summary>
    public static async Task<EdgeRig> StartAsync(int deviceCount, int tags, TimeSpan pollInterval, string acknowledgement, CancellationToken ct)
    {
        var rig = new EdgeRig(await MosquittoBroker.StartAsync(null, null, ct), tags, pollInterval, acknowledgement);
        try
        {
            for (var d = 0; d < deviceCount; d++)
            {
                var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
                var unit = server.AddUnit(1);
                unit.BeforeRead = (_, _, _) =>
                {
                    if (rig._producing)
                    {
                        var next = (ushort)(unit.HoldingRegisters[0] + 1);
                        unit.SetHoldingRegisters(0, Enumerable.Repeat(next, tags).ToArray());
                    }
                };
                await server.StartAsync(ct);
                rig._devices.Add(server);
            }

            await rig.ConnectSubscriberAsync(ct);
            rig._subscriberLoop = rig.KeepSubscriberConnectedAsync();
            if (acknowledgement == "Cloud")
            {
                rig._acknowledging = rig.AcknowledgeAsync();
            }

            await rig.StartEdgeAsync(ct);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    public static string Machine(int device) => $"dev-{device:D2}";

    /// <summary>Devices stop changing: no new samples (MaxSilence is an hour), so the edge can drain.</summary>
    public void StopProducing() => _producing = false;

    public async Task StartEdgeAsync(CancellationToken ct)
    {
        Incarnation++;
        var environment = new Dictionary<string, string>
        {
            ["Edge__Site"] = Site,
            ["Edge__Id"] = EdgeId,
            ["Edge__DataDirectory"] = _data,
            ["Edge__Publishing__BrokerPort"] = $"{Broker.Port}",
            ["Edge__Publishing__Acknowledgement"] = _acknowledgement,
            ["Edge__Publishing__AcknowledgementTimeout"] = "00:00:02",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        var signals = Enum.GetValues<Signal>().Where(s => s != Signal.Unspecified).ToArray();
        for (var d = 0; d < _devices.Count; d++)
        {
            var at = $"Edge__Devices__ModbusTcp__{d}__";
            environment[at + "Machine"] = Machine(d);
            environment[at + "Host"] = "127.0.0.1";
            environment[at + "Port"] = $"{_devices[d].Port}";
            environment[at + "PollInterval"] = _pollInterval.ToString("c", CultureInfo.InvariantCulture);
            environment[at + "ResponseTimeout"] = "00:00:01";
            for (var t = 0; t < _tags; t++)
            {
                // Every key of the tag, so nothing of appsettings.json's example device merges in.
                var tag = $"{at}Tags__{t}__";
                environment[tag + "Signal"] = signals[t % signals.Length].ToString();
                environment[tag + "Register"] = $"{t}";
                environment[tag + "Type"] = "UInt16";
                environment[tag + "Scale"] = "1";
                environment[tag + "Deadband"] = "0";
                environment[tag + "MaxSilence"] = "01:00:00";
            }
        }

        Edge = await HostProcess.StartAsync("edge/DomioOps.Edge", environment, ct);
    }

    /// <summary>The consumer stops subscribing to the edge's telemetry (its session stays): the broker has no subscriber for it.</summary>
    public async Task UnsubscribeConsumerAsync(CancellationToken ct) => await _subscriber!.UnsubscribeAsync(EdgeTopics.Telemetry(Site, EdgeId), ct);

    public async Task SubscribeConsumerAsync(CancellationToken ct) =>
        await _subscriber!.SubscribeAsync(EdgeTopics.Telemetry(Site, EdgeId), MqttQualityOfServiceLevel.AtLeastOnce, ct);

    /// <summary>Every delivery so far, in arrival order.</summary>
    public List<Delivery> Deliveries()
    {
        lock (_deliveries)
        {
            return [.. _deliveries];
        }
    }

    public int DistinctCount()
    {
        lock (_deliveries)
        {
            return _deliveries.Select(d => d.Sample.Sequence).Distinct().Count();
        }
    }

    /// <summary>What the edge's durable queue holds (after the edge stopped): the last sequence issued, and the oldest waiting.</summary>
    public (ulong Last, ulong? Oldest, long Waiting) ReadQueue()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = QueuePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT value FROM counters WHERE name = 'last_sequence'), (SELECT min(sequence) FROM samples), (SELECT count(*) FROM samples)";
        using var reader = command.ExecuteReader();
        reader.Read();
        return ((ulong)reader.GetInt64(0), reader.IsDBNull(1) ? null : (ulong)reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>The edge's gauge of samples waiting for acknowledgement, from its Prometheus endpoint.</summary>
    public async Task<long?> BacklogAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Edge!.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), ct);
        var match = BacklogLine().Match(text);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="limit"/> with the edge's output.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not within {limit.TotalSeconds} s; {DistinctCount()} distinct samples received\n{Edge?.Output}\n{Broker.Output}");
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>Waits until the edge has delivered everything and stops it cleanly; returns the last sequence it issued.</summary>
    public async Task<ulong> DrainAndStopEdgeAsync(CancellationToken ct)
    {
        StopProducing();
        await UntilAsync(async () => await BacklogAsync(ct) == 0, TimeSpan.FromSeconds(180), "edge backlog drained", ct);
        await Edge!.StopAsync();
        var (last, _, waiting) = ReadQueue();
        Assert.Equal(0, waiting);
        await UntilAsync(() => Task.FromResult(DistinctCount() >= (int)last), TimeSpan.FromSeconds(60), $"all {last} samples received", ct);
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        foreach (var task in new[] { _subscriberLoop, _acknowledging }.OfType<Task>())
        {
            await task.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _subscriber?.Dispose();
        foreach (var device in _devices)
        {
            await device.DisposeAsync();
        }

        await Broker.DisposeAsync();
        _stop.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private async Task ConnectSubscriberAsync(CancellationToken ct)
    {
        _subscriber?.Dispose();
        _subscriber = new MqttClientFactory().CreateMqttClient();
        _subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var batch = TelemetryBatch.Parser.ParseFrom(e.ApplicationMessage.Payload);
            lock (_deliveries)
            {
                _deliveries.AddRange(batch.Samples.Select(s => new Delivery(s, Incarnation)));
            }

            return Task.CompletedTask;
        };
        // A persistent session: what the broker holds for it survives the subscriber's and the broker's restarts.
        var connected = await _subscriber.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("fault-test-consumer")
            .WithCleanStart(false)
            .WithSessionExpiryInterval(3600)
            .Build(), ct);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        await _subscriber.SubscribeAsync(EdgeTopics.Telemetry(Site, EdgeId), MqttQualityOfServiceLevel.AtLeastOnce, ct);
    }

    private async Task KeepSubscriberConnectedAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(100, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (_subscriber is { IsConnected: false } && !_stop.IsCancellationRequested)
            {
                try
                {
                    await ConnectSubscriberAsync(_stop.Token);
                }
                catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
                {
                    // The broker is away; try again.
                }
            }
        }
    }

    /// <summary>As the cloud: every 50 ms, the highest sequence up to which everything has arrived, on cmd/ack.</summary>
    private async Task AcknowledgeAsync()
    {
        var seen = new HashSet<ulong>();
        ulong contiguous = 0;
        var consumed = 0;
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(50, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            lock (_deliveries)
            {
                for (; consumed < _deliveries.Count; consumed++)
                {
                    seen.Add(_deliveries[consumed].Sample.Sequence);
                }
            }

            while (seen.Remove(contiguous + 1))
            {
                contiguous++;
            }

            if (contiguous > 0 && _subscriber is { IsConnected: true } client)
            {
                try
                {
                    await client.PublishAsync(new MqttApplicationMessageBuilder()
                        .WithTopic(EdgeTopics.Acknowledgement(Site, EdgeId))
                        .WithPayload(new TelemetryAck { SchemaVersion = 1, Site = Site, Edge = EdgeId, Sequence = contiguous }.ToByteArray())
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build(), _stop.Token);
                }
                catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
                {
                    // Reconnecting; the next round sends it.
                }
            }
        }
    }

    [GeneratedRegex(@"^domio_edge_queue_backlog(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex BacklogLine();

    public sealed record Delivery(Sample Sample, int Incarnation);
}

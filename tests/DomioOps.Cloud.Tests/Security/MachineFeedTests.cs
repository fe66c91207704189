using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

using DomioOps.Cloud.Machines;

using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// The silo's machine feed reaches its hub clients without waiting for any one of them: a client that stops reading
/// (a tablet asleep with its socket open) must not hold the changes of everyone else. Orleans hands the feed's observer
/// its calls one at a time, and SignalR's send to a group completes only when every connection in it has taken the
/// message; a connection whose socket is full takes nothing until SignalR closes it (Machines:HubSendTimeout, set to
/// minutes in <see cref="SecureCloud"/>), so a feed that awaited its sends would stall every client that long.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class MachineFeedTests(SecureCloud cloud)
{
    /// <summary>About 10 MB: more than the loopback socket buffers and the server's pipes hold, so the stuck client's writes block.</summary>
    private const int LargeChanges = 150;

    [Fact]
    public async Task MachineChanged_OneClientStopsReading_OthersHearEveryChangeAndItGetsThemInOrderOnceItReads()
    {
        var ct = TestContext.Current.CancellationToken;
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var stuck = await ConnectWithoutReadingAsync(ct);
        using var pinging = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Pings keep the stuck client alive for the server (it would end a silent one after its client timeout).
        var pings = PingAsync(stuck, pinging.Token);

        var heard = Channel.CreateUnbounded<string>();
        await using var reader = await ConnectReaderAsync(tag, heard.Writer, ct);
        Exception? closedBy = null;
        reader.Closed += e =>
        {
            closedBy = e;
            return Task.CompletedTask;
        };

        // About 70 KB each.
        var signals = Enumerable.Range(0, 2_000).ToDictionary(i => $"signal-{i:D5}-of-a-machine-with-many", i => (double)i);
        var feed = cloud.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IMachineFeedGrain>(IMachineFeedGrain.Key);
        string[] published = [.. Enumerable.Range(0, LargeChanges).Select(i => $"large-{i}-{tag}"), $"last-{tag}"];
        foreach (var machine in published)
        {
            await feed.Publish(Snapshot(machine, machine.StartsWith("last", StringComparison.Ordinal) ? [] : signals));
        }

        var heardByReader = await ReadAsync(heard.Reader, published.Length, ct);
        Assert.True(
            heardByReader.Count == published.Length,
            $"The reading client heard {heardByReader.Count} of {published.Length} changes in 60 s (its connection: {reader.State}, closed by {closedBy?.Message ?? "nothing"}): the stuck client holds the feed.");
        Assert.Equal(published, heardByReader);

        // The stuck client reads again: SignalR kept its changes, in order.
        var heardByStuck = Channel.CreateUnbounded<string>();
        var receiving = ReceiveChangesAsync(stuck, tag, heardByStuck.Writer, pinging.Token);
        Assert.Equal(published, await ReadAsync(heardByStuck.Reader, published.Length, ct));
        await pinging.CancelAsync();
        await Task.WhenAll(pings, receiving);
    }

    /// <summary>
    /// The feed grain is activated again (here collected; in production its silo left the cluster): the new activation
    /// reaches the silos subscribed to the last one at once, not when each next renews its subscription (every 15 s), and
    /// a change or a revocation published in between is not lost.
    /// </summary>
    [Fact]
    public async Task MachineChanged_FeedGrainActivatedAgain_ReachesTheHubClientsAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var heard = Channel.CreateUnbounded<string>();
        await using var reader = await ConnectReaderAsync(tag, heard.Writer, ct);
        var grains = cloud.App.Services.GetRequiredService<IGrainFactory>();
        var feed = grains.GetGrain<IMachineFeedGrain>(IMachineFeedGrain.Key);
        await feed.Publish(Snapshot($"before-{tag}", []));
        Assert.Equal([$"before-{tag}"], await ReadAsync(heard.Reader, 1, ct));

        var management = grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        var feeds = await management.GetActiveGrains(GrainType.Create("machinefeed"));
        Assert.DoesNotContain(feed.GetGrainId(), feeds);
        await feed.Publish(Snapshot($"after-{tag}", []));

        Assert.Equal([$"after-{tag}"], await ReadAsync(heard.Reader, 1, ct));
    }

    /// <summary>The administrator's hub client, joined to its groups, writing the id of each change of a machine tagged <paramref name="tag"/>.</summary>
    private async Task<HubConnection> ConnectReaderAsync(string tag, ChannelWriter<string> heard, CancellationToken ct)
    {
        var reader = new HubConnectionBuilder()
            .WithUrl(new Uri(cloud.BaseAddress, MachineHub.Path.TrimStart('/')), options => options.Cookies = cloud.AdminCookies)
            .Build();
        reader.On<Machine>("MachineChanged", machine =>
        {
            if (machine.Id.EndsWith(tag, StringComparison.Ordinal))
            {
                heard.TryWrite(machine.Id);
            }
        });
        try
        {
            await reader.StartAsync(ct);
            await reader.InvokeAsync(nameof(MachineHub.Joined), ct);
            return reader;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    /// <summary>Up to <paramref name="count"/> machine ids from <paramref name="heard"/>, waiting at most 60 s.</summary>
    private static async Task<List<string>> ReadAsync(ChannelReader<string> heard, int count, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        var machines = new List<string>();
        try
        {
            while (machines.Count < count)
            {
                machines.Add(await heard.ReadAsync(deadline.Token));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        return machines;
    }

    private static MachineSnapshot Snapshot(string id, Dictionary<string, double> signals) =>
        new(id, "plant-1", "edge-feed", "Running", null, 0, signals, DateTimeOffset.UtcNow);

    /// <summary>
    /// A SignalR client over a raw WebSocket (JSON protocol) that completes the handshake and never reads again. Its TCP
    /// receive buffer is fixed small (no autotuning, which on loopback grows to tens of megabytes), so the server's
    /// writes to it soon block.
    /// </summary>
    private async Task<ClientWebSocket> ConnectWithoutReadingAsync(CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler
        {
            CookieContainer = cloud.AdminCookies,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        var socket = new ClientWebSocket();
        var address = new UriBuilder(new Uri(cloud.BaseAddress, MachineHub.Path.TrimStart('/'))) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(address, new HttpMessageInvoker(handler, disposeHandler: false), ct);
        await SendAsync(socket, """{"protocol":"json","version":1}""", ct);
        return socket;
    }

    private static async Task PingAsync(ClientWebSocket socket, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await SendAsync(socket, """{"type":6}""", ct);
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads SignalR JSON messages from <paramref name="socket"/>, writing the id of each tagged machine change.</summary>
    private static async Task ReceiveChangesAsync(ClientWebSocket socket, string tag, ChannelWriter<string> heard, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, ct);
                text.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
                if (!received.EndOfMessage)
                {
                    continue;
                }

                foreach (var message in text.ToString().Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
                {
                    using var json = System.Text.Json.JsonDocument.Parse(message);
                    if (json.RootElement.TryGetProperty("target", out var target) && target.GetString() == "MachineChanged"
                        && json.RootElement.GetProperty("arguments")[0].GetProperty("id").GetString() is { } id
                        && id.EndsWith(tag, StringComparison.Ordinal))
                    {
                        heard.TryWrite(id);
                    }
                }

                text.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One SignalR JSON message: the text and the record separator.</summary>
    private static Task SendAsync(ClientWebSocket socket, string message, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, ct);

    private sealed record Machine(string Id);
}

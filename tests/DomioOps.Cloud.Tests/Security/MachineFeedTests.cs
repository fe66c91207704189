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
/// its calls one at a time, each awaited, and the observer awaits SignalR's send to the groups; SignalR does not hold
/// that send for a connection whose socket is full (checked here: the server's send queue to the stuck client stands
/// at about 3 MB while the other client hears everything).
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class MachineFeedTests(SecureCloud cloud)
{
    /// <summary>More than the loopback socket buffers and the server's pipes hold, so the stuck client's writes block.</summary>
    private const int LargeChanges = 400;

    [Fact]
    public async Task MachineChanged_OneClientStopsReading_OthersStillHearEveryChange()
    {
        var ct = TestContext.Current.CancellationToken;
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var stuck = await ConnectWithoutReadingAsync(ct);
        using var pinging = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Pings keep the stuck client alive for the server (it would end a silent one after its client timeout).
        var pings = PingAsync(stuck, pinging.Token);

        var heard = Channel.CreateUnbounded<string>();
        await using var reader = new HubConnectionBuilder()
            .WithUrl(new Uri(cloud.BaseAddress, MachineHub.Path.TrimStart('/')), options => options.Cookies = cloud.AdminCookies)
            .Build();
        reader.On<Machine>("MachineChanged", machine =>
        {
            if (machine.Id.EndsWith(tag, StringComparison.Ordinal))
            {
                heard.Writer.TryWrite(machine.Id);
            }
        });
        await reader.StartAsync(ct);
        await reader.InvokeAsync(nameof(MachineHub.Joined), ct);

        // About 70 KB each, 28 MB in all.
        var signals = Enumerable.Range(0, 2_000).ToDictionary(i => $"signal-{i:D5}-of-a-machine-with-many", i => (double)i);
        var feed = cloud.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IMachineFeedGrain>(IMachineFeedGrain.Key);
        for (var i = 0; i < LargeChanges; i++)
        {
            await feed.Publish(Snapshot($"large-{i}-{tag}", signals));
        }

        await feed.Publish(Snapshot($"last-{tag}", new Dictionary<string, double>()));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        var machines = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (machines.Count < LargeChanges + 1)
            {
                machines.Add(await heard.Reader.ReadAsync(deadline.Token));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"The reading client heard {machines.Count} of {LargeChanges + 1} changes in 60 s: the stuck client holds the feed.");
        }

        Assert.Contains($"last-{tag}", machines);
        Assert.Equal(WebSocketState.Open, stuck.State);
        await pinging.CancelAsync();
        await pings;
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

    /// <summary>One SignalR JSON message: the text and the record separator.</summary>
    private static Task SendAsync(ClientWebSocket socket, string message, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, ct);

    private sealed record Machine(string Id);
}

using System.Diagnostics;

using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Tests.Server;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>
/// Several Publish requests are outstanding (OPC 10000-4 §5.13.5), so the server's responses can reach the client in
/// another order than the server numbered their NotificationMessages; the client still hands a subscription's values
/// over in SequenceNumber order (§5.13.1.1). Here our server holds back every other response for a while, so that the
/// next one overtakes it on the wire.
/// </summary>
public sealed class PublishOrderTests : IAsyncLifetime
{
    private static readonly TimeSpan HeldBack = TimeSpan.FromMilliseconds(200);
    private readonly SamplingClock _clock = new(TimeSpan.FromMilliseconds(10));
    private OpcUaServer _server = null!;
    private VariableNode _counter = null!;
    private ushort _ns;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 }, _clock);
        _ns = _server.AddressSpace.RegisterNamespace("urn:domioops:test");
        _counter = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(_ns, "Pieces"), new QualifiedName(_ns, "Pieces"), new Variant(0), DateTime.UtcNow);
        await _server.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DataChanged_PublishResponsesOvertakeEachOther_DeliversValuesInSequenceOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using OpcUaClient client = new(new OpcUaClientOptions
        {
            EndpointUrl = _server.EndpointUrl,
            PublishRequests = 5,

            // Long enough that every gap is filled by the late response itself, not by Republish.
            NotificationGapTimeout = TimeSpan.FromSeconds(30),
        });
        await client.ConnectAsync(ct);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20, QueueValues: false), ct);
        List<int> delivered = [];
        subscription.DataChanged += (_, values) =>
        {
            lock (delivered)
            {
                delivered.AddRange(values.Select(v => (int)v.Value.Value.Value!));
            }
        };
        var items = await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(_ns, "Pieces"), SamplingInterval: 10, QueueSize: 1_000)], ct);
        Assert.Equal(StatusCode.Good, items[0].Status);

        var responses = 0;
        _server.Fault = () => Interlocked.Increment(ref responses) % 2 == 1 ? new OpcUaServerFault(OpcUaServerFaultKind.None, HeldBack) : default;
        var written = 0;
        var elapsed = Stopwatch.StartNew();
        while ((written < 40 || subscription.OvertakenMessages == 0) && elapsed.Elapsed < TimeSpan.FromSeconds(20))
        {
            _counter.SetValue(new Variant(++written), DateTime.UtcNow);
            await _clock.SampledAsync(ct);
        }

        _server.Fault = null;
        Assert.True(subscription.OvertakenMessages > 0, $"No Publish response overtook another in {written} changes: nothing was reordered.");
        await Eventually.TrueAsync(
            () =>
            {
                lock (delivered)
                {
                    return delivered.Contains(written);
                }
            },
            $"value {written}",
            ct);

        lock (delivered)
        {
            Assert.Equal(Enumerable.Range(0, written + 1), delivered);
        }

        Assert.Equal(0L, subscription.LostMessages);
    }
}

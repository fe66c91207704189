using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>
/// With the smallest receive buffer a client may offer (8192 bytes, OPC 10000-6 §7.1.2.3), large responses come in many
/// chunks: the client joins them in a pooled buffer, for an ordinary response and for a Publish response read in place.
/// </summary>
public sealed class ChunkedMessageTests : IAsyncLifetime
{
    private const int Tags = 1000;
    private OpcUaServer _server = null!;
    private VariableNode[] _tags = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        var now = DateTime.UtcNow;
        _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Profile"), new QualifiedName(2, "Profile"), new Variant(Enumerable.Range(0, 20_000).ToArray()), now);
        _tags = [.. Enumerable.Range(0, Tags).Select(i => _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, $"Tag{i}"), new QualifiedName(2, $"Tag{i}"), new Variant(0), now))];
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<OpcUaClient> ConnectAsync()
    {
        OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl, TransportLimits = new TransportLimits(ReceiveBufferSize: TransportLimits.MinBufferSize) });
        await client.ConnectAsync(Ct);
        return client;
    }

    [Fact]
    public async Task Read_ValueOf80KB_JoinedFromChunks()
    {
        await using var client = await ConnectAsync();

        var value = await client.ReadValueAsync(new NodeId(2, "Profile"), Ct);

        Assert.Equal(Enumerable.Range(0, 20_000).ToArray(), Assert.IsType<int[]>(value.Value.Value));
    }

    [Fact]
    public async Task Subscription_PublishResponsesOfManyChunks_DeliverEveryValueInOrder()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50), Ct);
        var items = await subscription.AddItemsAsync([.. Enumerable.Range(0, Tags).Select(i => new MonitoredItemRequest(new NodeId(2, $"Tag{i}"), 10, 10))], Ct);
        Assert.All(items, i => Assert.Equal(StatusCode.Good, i.Status));

        // Initial values, then three changes of every tag: each Publish response carries up to 1,000 values (over 8 KB).
        Dictionary<uint, List<int>> seen = [];
        await ReadAsync(subscription, seen, Tags);
        for (var value = 1; value <= 3; value++)
        {
            var t = DateTime.UtcNow;
            foreach (var tag in _tags)
            {
                tag.SetValue(new Variant(value), t);
            }

            await ReadAsync(subscription, seen, Tags);
        }

        Assert.All(seen.Values, values => Assert.Equal([0, 1, 2, 3], values));
        Assert.Equal(0, subscription.LostMessages);
    }

    private static async Task ReadAsync(OpcUaSubscription subscription, Dictionary<uint, List<int>> seen, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        for (var i = 0; i < count; i++)
        {
            var change = await subscription.Values.ReadAsync(timeout.Token);
            if (!seen.TryGetValue(change.Item.ClientHandle, out var values))
            {
                seen[change.Item.ClientHandle] = values = [];
            }

            values.Add((int)change.Value.Value.AsInt64());
        }
    }
}

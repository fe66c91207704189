using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Tests.Server;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>
/// The server stays up but the client loses its channel or its session. A lost channel: the client re-activates the same
/// session on a new one (OPC 10000-4 §5.6.3). A lost session: the client takes its subscriptions over with
/// TransferSubscriptions (OPC 10000-4 §5.13.7) and Republishes what was sent into the void. Either way no value is lost.
/// </summary>
public sealed class SessionTransferTests : IAsyncLifetime
{
    private readonly SamplingClock _clock = new(TimeSpan.FromMilliseconds(10));
    private OpcUaServer _server = null!;
    private VariableNode _tag = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0, MinSessionTimeout = TimeSpan.FromSeconds(1) }, _clock);
        _tag = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Tag"), new QualifiedName(2, "Tag"), new Variant(0), DateTime.UtcNow);
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
        }
    }

    private static async Task<List<int>> ReadUntilAsync(OpcUaSubscription subscription, int last)
    {
        List<int> seen = [];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (seen.Count == 0 || seen[^1] != last)
        {
            seen.Add((int)(await subscription.Values.ReadAsync(timeout.Token)).Value.Value.Value!);
        }

        return seen;
    }

    [Fact]
    public async Task Client_SessionTimedOutWhileMessagesWereLost_TransfersAndRepublishesEveryValue()
    {
        await using LossyProxy proxy = new(_server.Port);
        await using OpcUaClient client = new(new OpcUaClientOptions
        {
            EndpointUrl = $"opc.tcp://127.0.0.1:{proxy.Port}",
            SessionTimeout = 3000,
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
        });
        await client.ConnectAsync(Ct);
        var sessionBefore = client.SessionId;
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50, LifetimeCount: 1200), Ct);
        var item = Assert.Single(await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(2, "Tag"), SamplingInterval: 10, QueueSize: 100)], Ct));
        Assert.Equal(StatusCode.Good, item.Status);
        var subscriptionId = subscription.Id;
        Assert.Equal([0], await ReadUntilAsync(subscription, 0));

        // Phase 1: the server's Publish responses (values 1..3) vanish on the way; the server keeps them for Republish.
        // The client sends nothing more (it waits for those responses), so this must end within the 3 s session timeout.
        proxy.DropFromServer = true;
        for (var value = 1; value <= 3; value++)
        {
            var dropped = proxy.DroppedFromServer;
            _tag.SetValue(new Variant(value), DateTime.UtcNow);
            await WaitUntilAsync(() => proxy.DroppedFromServer > dropped, $"the Publish response carrying {value} to be lost");
        }

        // Phase 2: nothing reaches the server either, so the session times out; values 4..6 wait in the subscription.
        proxy.DropFromClient = true;
        await WaitUntilAsync(() => _server.SessionCount == 0, "the server to close the silent session");
        for (var value = 4; value <= 6; value++)
        {
            _tag.SetValue(new Variant(value), DateTime.UtcNow);
            await _clock.SampledAsync(Ct);
        }

        // Phase 3: the network comes back; the old session is gone, its subscription is not.
        proxy.Cut();
        var seen = await ReadUntilAsync(subscription, 6);

        Assert.Equal([1, 2, 3, 4, 5, 6], seen.Distinct());
        Assert.Equal(1, client.SessionRecreations);
        Assert.Equal(1, client.SubscriptionTransfers);
        Assert.NotEqual(sessionBefore, client.SessionId);
        Assert.Equal(subscriptionId, subscription.Id);
        Assert.True(subscription.Republished >= 1, "The lost messages came back through Republish.");
        _tag.SetValue(new Variant(7), DateTime.UtcNow);
        Assert.Equal([7], await ReadUntilAsync(subscription, 7));
    }

    [Fact]
    public async Task Client_ServerClosesChannelForUnrenewedToken_ReactivatesSameSessionAndKeepsEveryValue()
    {
        // The proxy swallows the client's OpenSecureChannel renewals, so the server sees a token that is not renewed
        // within 1.25 x its 1 s lifetime and closes the channel with BadSecureChannelClosed (OPC 10000-6 §6.7.4).
        await using LossyProxy proxy = new(_server.Port);
        await using OpcUaClient client = new(new OpcUaClientOptions
        {
            EndpointUrl = $"opc.tcp://127.0.0.1:{proxy.Port}",
            SecureChannelLifetime = 1_000,
            ReconnectDelay = TimeSpan.FromSeconds(1),
        });
        await client.ConnectAsync(Ct);
        var sessionBefore = client.SessionId;
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 50, LifetimeCount: 1200), Ct);
        var item = Assert.Single(await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(2, "Tag"), SamplingInterval: 10, QueueSize: 100)], Ct));
        Assert.Equal(StatusCode.Good, item.Status);
        var subscriptionId = subscription.Id;
        Assert.Equal([0], await ReadUntilAsync(subscription, 0));
        await WaitUntilAsync(() => client.TokenRenewals >= 1, "a renewal to pass while the proxy forwards them");

        // Phase 1: renewals vanish; values 1..3 still flow on the doomed channel until the server closes it.
        proxy.DropRenewals = true;
        for (var value = 1; value <= 3; value++)
        {
            _tag.SetValue(new Variant(value), DateTime.UtcNow);
            await _clock.SampledAsync(Ct);
        }

        await WaitUntilAsync(() => !proxy.ServerErrors.IsEmpty, "the server to close the channel of the unrenewed token");
        proxy.DropRenewals = false;

        // Phase 2: values 4..6 are written while the client waits its 1 s reconnect delay; the session and its
        // subscription stay on the server and queue them.
        for (var value = 4; value <= 6; value++)
        {
            _tag.SetValue(new Variant(value), DateTime.UtcNow);
            await _clock.SampledAsync(Ct);
        }

        var seen = await ReadUntilAsync(subscription, 6);
        await WaitUntilAsync(() => client.Reconnects == 1 && client.State == ConnectionState.Connected, "the client to report the reconnection");

        Assert.Equal([1, 2, 3, 4, 5, 6], seen.Distinct());
        Assert.Equal([StatusCode.BadSecureChannelClosed], proxy.ServerErrors);
        Assert.True(proxy.DroppedRenewals >= 1, "The renewal was swallowed.");
        Assert.Equal(sessionBefore, client.SessionId);
        Assert.Equal(0, client.SessionRecreations);
        Assert.Equal(0, client.SubscriptionTransfers);
        Assert.Equal(1, _server.SessionCount);
        Assert.Equal(subscriptionId, subscription.Id);
        _tag.SetValue(new Variant(7), DateTime.UtcNow);
        Assert.Equal([7], await ReadUntilAsync(subscription, 7));
    }
}

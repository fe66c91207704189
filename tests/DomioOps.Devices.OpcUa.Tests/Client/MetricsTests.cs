using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>The Meter DomioOps.Devices.OpcUa reports traffic, notifications and Publish round trips.</summary>
public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Meter_ClientAndServerExchange_RecordsTrafficNotificationsAndPublishDuration()
    {
        ConcurrentDictionary<string, double> totals = new();
        using MeterListener listener = new();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OpcUaMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => totals.AddOrUpdate(Key(instrument, tags), value, (_, t) => t + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => totals.AddOrUpdate(Key(instrument, tags), 1, (_, t) => t + 1));
        listener.Start();

        await using OpcUaServer server = new(new OpcUaServerOptions { Port = 0 });
        var tag = server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Tag"), new QualifiedName(2, "Tag"), new Variant(0), DateTime.UtcNow);
        await server.StartAsync(Ct);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = server.EndpointUrl });
        await client.ConnectAsync(Ct);
        var subscription = await client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        await subscription.AddItemsAsync([new MonitoredItemRequest(new NodeId(2, "Tag"), 10, 10)], Ct);
        await subscription.Values.ReadAsync(Ct);
        tag.SetValue(new Variant(1), DateTime.UtcNow);
        await subscription.Values.ReadAsync(Ct);

        foreach (var role in new[] { "client", "server" })
        {
            Assert.True(totals.GetValueOrDefault($"opcua.messages.sent|{role}") > 0, $"{role} messages sent");
            Assert.True(totals.GetValueOrDefault($"opcua.messages.received|{role}") > 0, $"{role} messages received");
            Assert.True(totals.GetValueOrDefault($"opcua.bytes.sent|{role}") > 0, $"{role} bytes sent");
            Assert.True(totals.GetValueOrDefault($"opcua.bytes.received|{role}") > 0, $"{role} bytes received");
        }

        Assert.True(totals.GetValueOrDefault("opcua.client.notifications.received|") >= 2);
        Assert.True(totals.GetValueOrDefault("opcua.client.publish.duration|") >= 2);
    }

    private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var role = "";
        foreach (var tag in tags)
        {
            if (tag.Key == "opcua.role")
            {
                role = (string)tag.Value!;
            }
        }

        return $"{instrument.Name}|{role}";
    }
}

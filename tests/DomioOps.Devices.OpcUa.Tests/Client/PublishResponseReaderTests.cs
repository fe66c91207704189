using System.Buffers;

using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>
/// Publish responses read on the receive loop (OPC 10000-4 §5.13.5): the next message of a subscription is delivered
/// straight from the buffer, one out of order is held and delivered in sequence order, a keep-alive and a duplicate deliver nothing.
/// </summary>
public sealed class PublishResponseReaderTests : IAsyncDisposable
{
    private static readonly DateTime T = new(2026, 11, 25, 17, 0, 0, DateTimeKind.Utc);
    private readonly OpcUaClient _client = new(new OpcUaClientOptions { EndpointUrl = "opc.tcp://127.0.0.1:4840" });
    private readonly OpcUaSubscription _subscription;
    private readonly MonitoredItem _item;

    public PublishResponseReaderTests()
    {
        _subscription = _client.AttachSubscription(7, new SubscriptionOptions());
        _item = _subscription.TrackItem(new MonitoredItemRequest(new NodeId(2, "Tag")));
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    private byte[] Publish(uint sequence, params int[] values)
    {
        List<ExtensionObject> data = values.Length == 0 ? [] :
            [new ExtensionObject(new NodeId(0, BinaryEncodingIds.DataChangeNotification_Encoding_DefaultBinary), new DataChangeNotification([.. values.Select(v => new MonitoredItemNotification(_item.ClientHandle, new DataValue(new Variant(v), StatusCode.Good, T, T)))]))];
        PublishResponse response = new(new ResponseHeader(T, 1), 7, [sequence], false, new NotificationMessage(sequence, T, data), []);
        ArrayBufferWriter<byte> buffer = new();
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(buffer), response);
        return buffer.WrittenSpan.ToArray();
    }

    private List<int> Received()
    {
        List<int> values = [];
        while (_subscription.Values.TryRead(out var value))
        {
            values.Add((int)value.Value.Value.AsInt64());
        }

        return values;
    }

    [Fact]
    public void ReadPublishResponse_Sequence1324_DeliversValuesInSequenceOrder()
    {
        foreach ((var sequence, var value) in new[] { (1u, 10), (3u, 30), (2u, 20), (4u, 40) })
        {
            var read = _client.ReadPublishResponse(Publish(sequence, value), EncodingLimits.Default);
            Assert.NotNull(read);
            Assert.Equal(sequence, read.SequenceNumber);
            Assert.True(read.HasNotifications);
        }

        Assert.Equal([10, 20, 30, 40], Received());
        Assert.Equal(40, (int)_item.LastValue!.Value.Value.AsInt64());
        Assert.Equal(4, _subscription.NotificationCount);
    }

    [Fact]
    public void ReadPublishResponse_KeepAliveAndDuplicate_DeliverNothing()
    {
        _client.ReadPublishResponse(Publish(1, 10, 11), EncodingLimits.Default);
        var keepAlive = _client.ReadPublishResponse(Publish(2), EncodingLimits.Default);
        _client.ReadPublishResponse(Publish(1, 10, 11), EncodingLimits.Default);
        _client.ReadPublishResponse(Publish(2, 12), EncodingLimits.Default);

        Assert.False(keepAlive!.HasNotifications);
        Assert.Equal([10, 11, 12], Received());
        Assert.Equal(1, _subscription.KeepAliveCount);
    }

    [Fact]
    public void ReadPublishResponse_BadServiceResult_LeftToTheOrdinaryDecoder()
    {
        PublishResponse response = new(new ResponseHeader(T, 1, StatusCode.BadNoSubscription), 0, [], false, new NotificationMessage(0, T, []), []);
        ArrayBufferWriter<byte> buffer = new();
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(buffer), response);

        Assert.Null(_client.ReadPublishResponse(buffer.WrittenSpan, EncodingLimits.Default));
    }
}

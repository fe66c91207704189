using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

using BenchmarkDotNet.Attributes;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Benchmarks.OpcUa;

/// <summary>
/// UA Binary encode and decode of the messages on the hot path: Read and Publish responses; and the client's whole receive
/// path of a Publish response (<see cref="ReceivePublishResponse"/>).
/// </summary>
[MemoryDiagnoser]
public class OpcUaCodecBenchmarks : IDisposable
{
    private const uint SequenceMarker = 0xA1B2C3D4;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private ReadResponse _read = null!;
    private PublishResponse _publish = null!;
    private byte[] _readBytes = null!;
    private byte[] _publishBytes = null!;
    private byte[] _chunk = null!;
    private int _messageSequenceAt;
    private uint _sequence;
    private Socket _listener = null!;
    private Socket _socket = null!;
    private UaSecureChannel _channel = null!;
    private OpcUaClient _client = null!;
    private OpcUaSubscription _subscription = null!;
    private InboundMessageHandler _handler = null!;
    private long _delivered;

    [Params(100, 1000)]
    public int Values { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DateTime t = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        ResponseHeader header = new(t, 1);
        _read = new ReadResponse(header, [.. Enumerable.Range(0, Values).Select(i => new DataValue(new Variant((double)i), StatusCode.Good, t, t))]);
        _publish = new PublishResponse(header, 1, [1], false,
            new NotificationMessage(1, t, [new ExtensionObject(new NodeId(0, 811u), new DataChangeNotification([.. Enumerable.Range(0, Values).Select(i => new MonitoredItemNotification((uint)i + 1, new DataValue(new Variant(i), StatusCode.Good, t, t)))]))]),
            []);
        _readBytes = Encode(_read);
        _publishBytes = Encode(_publish);
        SetupReceivePath(t, header);
    }

    /// <summary>
    /// One MSG chunk (SecurityPolicy None) carrying a Publish response of N Int32 changes for a subscription whose N items
    /// the client tracks, fed to the channel's chunk acceptance as if just received; its sequence numbers move on each time.
    /// </summary>
    private void SetupReceivePath(DateTime t, ResponseHeader header)
    {
        _listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        _socket.Connect(_listener.LocalEndPoint!);
        _channel = new UaSecureChannel(_socket, TransportLimits.Default) { ChannelId = 1, TokenId = 1 };
        _client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = "opc.tcp://127.0.0.1:4840" });
        _subscription = _client.AttachSubscription(1, new SubscriptionOptions(QueueValues: false));
        for (var i = 0; i < Values; i++)
        {
            _subscription.TrackItem(new MonitoredItemRequest(new NodeId(2, (uint)i)));
        }

        _subscription.DataChanged += (_, batch) => _delivered += batch.Count;
        PublishResponse response = new(header, 1, [], false,
            new NotificationMessage(SequenceMarker, t, [new ExtensionObject(new NodeId(0, 811u), new DataChangeNotification([.. Enumerable.Range(0, Values).Select(i => new MonitoredItemNotification((uint)i + 1, new DataValue(new Variant(i), StatusCode.Good, t, t)))]))]),
            []);
        var body = Encode(response);
        _chunk = new byte[UaTcpHeader.Size + 16 + body.Length];
        UaTcpHeader.Write(_chunk, MessageTypes.Message, MessageTypes.Final, (uint)_chunk.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(12), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(20), 1);
        body.CopyTo(_chunk, 24);
        Span<byte> marker = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(marker, SequenceMarker);
        _messageSequenceAt = 24 + body.AsSpan().IndexOf(marker);
        _handler = (_, _, _, message) => _client.ReadPublishResponse(message, _channel.EncodingLimits);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _channel?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _socket?.Dispose();
        _listener?.Dispose();
        GC.SuppressFinalize(this);
    }

    private byte[] Encode(IEncodeable message)
    {
        _buffer.ResetWrittenCount();
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(_buffer), message);
        return _buffer.WrittenSpan.ToArray();
    }

    [Benchmark(Baseline = true)]
    public int EncodeReadResponse()
    {
        _buffer.ResetWrittenCount();
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(_buffer), _read);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public object DecodeReadResponse() => EncodeableTypes.DecodeMessage(_readBytes, EncodingLimits.Default);

    [Benchmark]
    public int EncodePublishResponse()
    {
        _buffer.ResetWrittenCount();
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(_buffer), _publish);
        return _buffer.WrittenCount;
    }

    /// <summary>The whole response decoded into objects (the ordinary decoder, used for Republish and out-of-order messages).</summary>
    [Benchmark]
    public object DecodePublishResponse() => EncodeableTypes.DecodeMessage(_publishBytes, EncodingLimits.Default);

    /// <summary>
    /// The client's receive path: a received chunk → secure channel (channel, token, sequence checks) → Publish response
    /// read in place → each value delivered in sequence order to the subscription's <see cref="OpcUaSubscription.DataChanged"/>.
    /// </summary>
    [Benchmark]
    public long ReceivePublishResponse()
    {
        _sequence++;
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(16), _sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(_messageSequenceAt), _sequence);
        _channel.AcceptFrame(new UaTcpHeader(MessageTypes.Message, MessageTypes.Final, (uint)_chunk.Length), new ReadOnlySequence<byte>(_chunk), _handler);
        return _delivered;
    }
}

using System.Buffers;

using BenchmarkDotNet.Attributes;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Benchmarks.OpcUa;

/// <summary>UA Binary encode and decode of the messages on the hot path: Read and Publish responses.</summary>
[MemoryDiagnoser]
public class OpcUaCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private ReadResponse _read = null!;
    private PublishResponse _publish = null!;
    private byte[] _readBytes = null!;
    private byte[] _publishBytes = null!;

    [Params(100, 1000)]
    public int Values { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DateTime t = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        ResponseHeader header = new(t, 1);
        _read = new ReadResponse(header, [.. Enumerable.Range(0, Values).Select(i => new DataValue(new Variant((double)i), StatusCode.Good, t, t))]);
        _publish = new PublishResponse(header, 1, [1], false,
            new NotificationMessage(1, t, [new ExtensionObject(new NodeId(0, 811u), new DataChangeNotification([.. Enumerable.Range(0, Values).Select(i => new MonitoredItemNotification((uint)i, new DataValue(new Variant(i), StatusCode.Good, t, t)))]))]),
            []);
        _readBytes = Encode(_read);
        _publishBytes = Encode(_publish);
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

    [Benchmark]
    public object DecodePublishResponse() => EncodeableTypes.DecodeMessage(_publishBytes, EncodingLimits.Default);
}

using System.Buffers;

using BenchmarkDotNet.Attributes;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Benchmarks.Modbus;

/// <summary>Decoding and encoding one frame: the per-request codec cost of the client, expected to allocate 0 B.</summary>
[MemoryDiagnoser]
public class ModbusCodecBenchmarks
{
    private readonly ushort[] _registers = new ushort[125];
    private readonly byte[] _pdu = new byte[256];
    private readonly byte[] _request = new byte[260];
    private byte[] _responsePdu = [];
    private byte[] _mbapFrame = [];
    private byte[] _rtuFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        _responsePdu = new byte[2 + 250];
        _responsePdu[0] = 0x03;
        _responsePdu[1] = 250;
        for (var i = 2; i < _responsePdu.Length; i++)
        {
            _responsePdu[i] = (byte)i;
        }

        var writer = new ArrayBufferWriter<byte>();
        MbapFrame.Write(writer, 1, 1, _responsePdu);
        _mbapFrame = writer.WrittenSpan.ToArray();
        _rtuFrame = new byte[256];
        _rtuFrame = _rtuFrame[..RtuFrame.Write(_rtuFrame, 1, _responsePdu)];
    }

    [Benchmark(Baseline = true, Description = "decode 125-register response PDU")]
    public ushort DecodeRegisters()
    {
        ModbusPdu.ReadRegistersResponse(_responsePdu, ModbusFunctionCode.ReadHoldingRegisters, _registers);
        return _registers[124];
    }

    [Benchmark(Description = "frame MBAP + decode")]
    public ushort MbapFrameAndDecode()
    {
        var buffer = new ReadOnlySequence<byte>(_mbapFrame);
        MbapFrame.TryRead(ref buffer, out _, out _, out var body);
        body.CopyTo(_pdu);
        ModbusPdu.ReadRegistersResponse(_pdu.AsSpan(0, (int)body.Length), ModbusFunctionCode.ReadHoldingRegisters, _registers);
        return _registers[124];
    }

    [Benchmark(Description = "frame RTU (CRC) + decode")]
    public ushort RtuFrameAndDecode()
    {
        var buffer = new ReadOnlySequence<byte>(_rtuFrame);
        RtuFrame.TryReadResponse(ref buffer, _pdu, out _, out var length);
        ModbusPdu.ReadRegistersResponse(_pdu.AsSpan(0, length), ModbusFunctionCode.ReadHoldingRegisters, _registers);
        return _registers[124];
    }

    [Benchmark(Description = "encode read request + MBAP header")]
    public int EncodeRequest()
    {
        var length = ModbusPdu.WriteAddressValueRequest(_request.AsSpan(MbapFrame.HeaderLength), ModbusFunctionCode.ReadHoldingRegisters, 100, 125);
        return MbapFrame.WriteHeader(_request, 7, 1, length);
    }
}

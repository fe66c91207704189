using System.Buffers;

using BenchmarkDotNet.Attributes;

using DomioOps.Devices.Modbus;

namespace DomioOps.Benchmarks.Modbus;

/// <summary>Decoding and encoding one frame: the per-request codec cost of the client, expected to allocate 0 B.</summary>
[MemoryDiagnoser]
public class ModbusCodecBenchmarks
{
    private readonly ushort[] registers = new ushort[125];
    private readonly byte[] pdu = new byte[256];
    private readonly byte[] request = new byte[260];
    private byte[] responsePdu = [];
    private byte[] mbapFrame = [];
    private byte[] rtuFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        responsePdu = new byte[2 + 250];
        responsePdu[0] = 0x03;
        responsePdu[1] = 250;
        for (int i = 2; i < responsePdu.Length; i++)
        {
            responsePdu[i] = (byte)i;
        }

        var writer = new ArrayBufferWriter<byte>();
        MbapFrame.Write(writer, 1, 1, responsePdu);
        mbapFrame = writer.WrittenSpan.ToArray();
        rtuFrame = new byte[256];
        rtuFrame = rtuFrame[..RtuFrame.Write(rtuFrame, 1, responsePdu)];
    }

    [Benchmark(Baseline = true, Description = "decode 125-register response PDU")]
    public ushort DecodeRegisters()
    {
        ModbusPdu.ReadRegistersResponse(responsePdu, ModbusFunctionCode.ReadHoldingRegisters, registers);
        return registers[124];
    }

    [Benchmark(Description = "frame MBAP + decode")]
    public ushort MbapFrameAndDecode()
    {
        var buffer = new ReadOnlySequence<byte>(mbapFrame);
        MbapFrame.TryRead(ref buffer, out _, out _, out ReadOnlySequence<byte> body);
        body.CopyTo(pdu);
        ModbusPdu.ReadRegistersResponse(pdu.AsSpan(0, (int)body.Length), ModbusFunctionCode.ReadHoldingRegisters, registers);
        return registers[124];
    }

    [Benchmark(Description = "frame RTU (CRC) + decode")]
    public ushort RtuFrameAndDecode()
    {
        var buffer = new ReadOnlySequence<byte>(rtuFrame);
        RtuFrame.TryReadResponse(ref buffer, pdu, out _, out int length);
        ModbusPdu.ReadRegistersResponse(pdu.AsSpan(0, length), ModbusFunctionCode.ReadHoldingRegisters, registers);
        return registers[124];
    }

    [Benchmark(Description = "encode read request + MBAP header")]
    public int EncodeRequest()
    {
        int length = ModbusPdu.WriteAddressValueRequest(request.AsSpan(MbapFrame.HeaderLength), ModbusFunctionCode.ReadHoldingRegisters, 100, 125);
        return MbapFrame.WriteHeader(request, 7, 1, length);
    }
}

using System.Buffers;
using System.Net;
using System.Net.Sockets;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Tests.Framing;

// Seeded property tests: random and mutated bytes never crash, hang or over-read the decoders. Every call either
// returns false without consuming, returns a frame it consumed exactly, or throws ModbusProtocolException.
public sealed class ModbusDecoderPropertyTests
{
    private const int Seed = 3_2026;
    private const int Iterations = 20_000;

    [Fact]
    public void Decoders_RandomBytes_OnlyProtocolErrors()
    {
        var random = new Random(Seed);
        var pdu = new byte[256];
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = RandomFrame(random);
            Decode(bytes, pdu);
        }
    }

    [Fact]
    public void Decoders_MutatedValidFrames_OnlyProtocolErrors()
    {
        var random = new Random(Seed + 1);
        var pdu = new byte[256];
        var mbap = Hex.Bytes("0001 0000 0009 11 03 06 022B 0000 0064");
        var rtu = Hex.Bytes("11 03 06 022B 0000 0064 C8BA");
        var ascii = System.Text.Encoding.ASCII.GetBytes(":1103006B00037E\r\n");
        for (var i = 0; i < Iterations; i++)
        {
            foreach (var valid in new[] { mbap, rtu, ascii })
            {
                var mutated = (byte[])valid.Clone();
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                if (random.Next(4) == 0)
                {
                    mutated = mutated[..random.Next(mutated.Length)];
                }

                Decode(mutated, pdu);
            }
        }
    }

    [Fact]
    public void RequestHandler_RandomRequestPdus_AlwaysAnswers()
    {
        var random = new Random(Seed + 2);
        var model = new ModbusDataModel(256);
        var response = new byte[ModbusTransaction.BufferLength];
        for (var i = 0; i < Iterations; i++)
        {
            var request = new byte[1 + random.Next(ModbusPdu.MaxLength)];
            random.NextBytes(request);
            request[0] = (byte)(random.Next(3) == 0 ? random.Next(256) : new byte[] { 1, 2, 3, 4, 5, 6, 0x0F, 0x10, 0x16, 0x17, 0x2B }[random.Next(11)]);
            var length = ModbusRequestHandler.Handle(model, request, response);
            Assert.InRange(length, 2, ModbusPdu.MaxLength);
            Assert.True(response[0] == request[0] || response[0] == (request[0] | 0x80));
        }
    }

    [Fact]
    public void ResponseReaders_RandomPdus_OnlyModbusErrors()
    {
        var random = new Random(Seed + 3);
        var registers = new ushort[10];
        var bits = new bool[10];
        for (var i = 0; i < Iterations; i++)
        {
            var response = new byte[random.Next(30)];
            random.NextBytes(response);
            if (response.Length > 0 && random.Next(2) == 0)
            {
                response[0] = 0x03;
            }

            Tolerate(() => ModbusPdu.ReadRegistersResponse(response, ModbusFunctionCode.ReadHoldingRegisters, registers));
            Tolerate(() => ModbusPdu.ReadBitsResponse(response, ModbusFunctionCode.ReadCoils, bits));
            Tolerate(() => ModbusPdu.ReadDeviceIdentificationResponse(response, [], out _));
            Tolerate(() => ModbusPdu.CheckEcho(response, ModbusFunctionCode.WriteSingleRegister, 1, 2));
        }
    }

    [Fact]
    public async Task TcpServer_RandomBytesFromOneClient_KeepsServingOthers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        server.AddUnit(1).HoldingRegisters[0] = 42;
        await server.StartAsync(ct);
        var random = new Random(Seed + 4);
        for (var i = 0; i < 20; i++)
        {
            using var noise = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await noise.ConnectAsync(server.EndPoint, ct);
            var bytes = new byte[1 + random.Next(600)];
            random.NextBytes(bytes);
            await noise.SendAsync(bytes, ct);
        }

        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", server.Port));
        Assert.Equal(new ushort[] { 42 }, await client.ReadHoldingRegistersAsync(1, 0, 1, ct));
    }

    private static byte[] RandomFrame(Random random)
    {
        var bytes = new byte[random.Next(300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static void Decode(byte[] bytes, byte[] pdu)
    {
        DrainMbap(bytes);
        Drain(bytes, (ref ReadOnlySequence<byte> b) => RtuFrame.TryReadResponse(ref b, pdu, out _, out _));
        Drain(bytes, (ref ReadOnlySequence<byte> b) => RtuFrame.TryReadRequest(ref b, pdu, out _, out _));
        Drain(bytes, (ref ReadOnlySequence<byte> b) => AsciiFrame.TryRead(ref b, pdu, out _, out _));
    }

    private delegate bool FrameReader(ref ReadOnlySequence<byte> buffer);

    private static void DrainMbap(byte[] bytes)
    {
        Drain(bytes, (ref ReadOnlySequence<byte> b) =>
        {
            var before = b.Length;
            var contiguous = b.ToArray();
            var framed = MbapFrame.TryRead(ref b, out var transactionId, out var unitId, out var body);

            // The span reader (the client's) agrees with the sequence reader (the server's), or throws as it did.
            Assert.Equal(framed, MbapFrame.TryRead(contiguous, out var frameLength, out var spanTransactionId, out var spanUnitId, out var pduLength));
            if (framed)
            {
                Assert.Equal(before - 7 - body.Length, b.Length);
                Assert.InRange(body.Length, 1, ModbusPdu.MaxLength);
                Assert.Equal((transactionId, unitId, (int)body.Length, 7 + (int)body.Length), (spanTransactionId, spanUnitId, pduLength, frameLength));
            }

            return framed;
        });
    }

    // Reads frames until the reader says "incomplete" or throws; bounded by the input length, so it cannot hang.
    private static void Drain(byte[] bytes, FrameReader read)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        for (var guard = 0; guard <= bytes.Length; guard++)
        {
            var before = buffer.Length;
            try
            {
                if (!read(ref buffer))
                {
                    Assert.True(buffer.Length <= before);
                    return;
                }
            }
            catch (ModbusProtocolException)
            {
                return;
            }

            Assert.True(buffer.Length < before, "A frame was returned without consuming input.");
        }

        Assert.Fail("The decoder did not finish within the input length.");
    }

    private static void Tolerate(Action decode)
    {
        try
        {
            decode();
        }
        catch (ModbusProtocolException)
        {
        }
        catch (ModbusExceptionResponseException)
        {
        }
    }
}

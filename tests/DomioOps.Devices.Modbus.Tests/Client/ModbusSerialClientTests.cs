using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Devices.Modbus.Transport;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Devices.Modbus.Tests.Client;

// The serial client over a byte pipe (two connected sockets stand in for the line): against our serial server,
// and against a scripted bus of units for timeouts, circuit breakers, corrupted frames and broadcasts.
public sealed class ModbusSerialClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ModbusSerialFraming.Rtu)]
    [InlineData(ModbusSerialFraming.Ascii)]
    public async Task AllFunctions_AgainstOurSerialServer_RoundTrip(ModbusSerialFraming framing)
    {
        using var line = await ConnectedSockets.CreateAsync(Ct);
        await using var server = new ModbusSerialServer(() => new ModbusLine(new NetworkStream(line.ServerEnd), null), new ModbusSerialServerOptions { Framing = framing });
        var one = server.AddUnit(1);
        var two = server.AddUnit(2, new ModbusDataModel(100));
        one.DeviceIdentification = new Dictionary<byte, string> { [0] = "Domio", [1] = "EB-1", [2] = "2.0" };
        two.InputRegisters.Set(0, [21, 22]);
        await server.StartAsync(Ct);
        await using var client = Client(line, new ModbusSerialClientOptions { Framing = framing }, TimeProvider.System);

        await client.WriteMultipleRegistersAsync(1, 10, new ushort[] { 1, 2, 3 }, Ct);
        await client.WriteSingleRegisterAsync(1, 13, 4, Ct);
        await client.MaskWriteRegisterAsync(1, 14, 0, 0xFF, Ct);
        Assert.Equal(new ushort[] { 1, 2, 3, 4, 0xFF }, await client.ReadHoldingRegistersAsync(1, 10, 5, Ct));
        Assert.Equal(new ushort[] { 21, 22 }, await client.ReadInputRegistersAsync(2, 0, 2, Ct));
        Assert.Equal(new ushort[] { 8, 9 }, await client.ReadWriteMultipleRegistersAsync(1, 0, 2, 0, new ushort[] { 8, 9 }, Ct));
        await client.WriteSingleCoilAsync(2, 3, true, Ct);
        await client.WriteMultipleCoilsAsync(2, 4, new[] { false, true }, Ct);
        Assert.Equal(new[] { true, false, true }, await client.ReadCoilsAsync(2, 3, 3, Ct));
        Assert.Equal(new[] { false, false }, await client.ReadDiscreteInputsAsync(2, 3, 2, Ct));
        Assert.Equal("EB-1", (await client.ReadDeviceIdentificationAsync(1, ModbusDeviceIdCategory.Basic, Ct)).ProductCode);
        var error = await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => client.ReadHoldingRegistersAsync(2, 100, 1, Ct).AsTask());
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.ExceptionCode);
    }

    [Fact]
    public async Task DeadSlave_ThreeTimeouts_OpensItsCircuitWhileOtherSlaveKeepsAnswering()
    {
        var time = new FakeTimeProvider();
        using var line = await ConnectedSockets.CreateAsync(Ct);
        var bus = new ScriptedBus(line.ServerEnd);
        await using var client = Client(line, new ModbusSerialClientOptions { FailuresBeforeOpen = 3, OpenDuration = TimeSpan.FromSeconds(10) }, time);

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var dead = client.ReadHoldingRegistersAsync(7, 0, 1, Ct).AsTask();
            Assert.Equal(7, (await bus.NextRequestAsync()).Address);
            time.Advance(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAsync<ModbusTimeoutException>(() => dead);

            var alive = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
            Assert.Equal(1, (await bus.NextRequestAsync()).Address);
            await bus.AnswerAsync(1, "03 02 0005");
            Assert.Equal(new ushort[] { 5 }, await alive);
        }

        Assert.Equal(ModbusCircuitState.Open, client.GetCircuitState(7));
        await Assert.ThrowsAsync<ModbusCircuitOpenException>(() => client.ReadHoldingRegistersAsync(7, 0, 1, Ct).AsTask());

        // The refused request never reached the bus: the next frame on it is unit 1's.
        var next = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        Assert.Equal(1, (await bus.NextRequestAsync()).Address);
        await bus.AnswerAsync(1, "03 02 0006");
        Assert.Equal(new ushort[] { 6 }, await next);
        Assert.Equal(ModbusCircuitState.Closed, client.GetCircuitState(1));
    }

    [Fact]
    public async Task OpenCircuit_AfterOpenPeriodTrialSucceeds_Closes()
    {
        var time = new FakeTimeProvider();
        using var line = await ConnectedSockets.CreateAsync(Ct);
        var bus = new ScriptedBus(line.ServerEnd);
        await using var client = Client(line, new ModbusSerialClientOptions { FailuresBeforeOpen = 1, OpenDuration = TimeSpan.FromSeconds(10) }, time);

        var dead = client.ReadInputRegistersAsync(4, 0, 1, Ct).AsTask();
        await bus.NextRequestAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => dead);
        Assert.Equal(ModbusCircuitState.Open, client.GetCircuitState(4));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ModbusCircuitState.HalfOpen, client.GetCircuitState(4));
        var trial = client.ReadInputRegistersAsync(4, 0, 1, Ct).AsTask();
        Assert.Equal(4, (await bus.NextRequestAsync()).Address);
        await bus.AnswerAsync(4, "04 02 0009");
        Assert.Equal(new ushort[] { 9 }, await trial);
        Assert.Equal(ModbusCircuitState.Closed, client.GetCircuitState(4));
    }

    [Fact]
    public async Task UnitResponseTimeout_SlowUnit_WaitsItsOwnTimeout()
    {
        var time = new FakeTimeProvider();
        using var line = await ConnectedSockets.CreateAsync(Ct);
        var bus = new ScriptedBus(line.ServerEnd);
        var options = new ModbusSerialClientOptions
        {
            ResponseTimeout = TimeSpan.FromMilliseconds(200),
            UnitResponseTimeouts = new Dictionary<byte, TimeSpan> { [9] = TimeSpan.FromSeconds(2) },
        };
        await using var client = Client(line, options, time);

        var slow = client.ReadHoldingRegistersAsync(9, 0, 1, Ct).AsTask();
        await bus.NextRequestAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(slow.IsCompleted);
        await bus.AnswerAsync(9, "03 02 0001");
        Assert.Equal(new ushort[] { 1 }, await slow);
    }

    [Fact]
    public async Task CorruptedAnswer_ThrowsProtocolException_NextRequestResynchronises()
    {
        using var line = await ConnectedSockets.CreateAsync(Ct);
        var bus = new ScriptedBus(line.ServerEnd);
        await using var client = Client(line, new ModbusSerialClientOptions(), new FakeTimeProvider());

        var first = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        await bus.NextRequestAsync();
        await bus.SendRawAsync("01 03 02 0005 0000"); // wrong CRC
        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => first);
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);

        var second = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        await bus.NextRequestAsync();
        await bus.AnswerAsync(1, "03 02 0007");
        Assert.Equal(new ushort[] { 7 }, await second);
    }

    [Fact]
    public async Task AnswerFromOtherUnit_ThrowsProtocolException()
    {
        using var line = await ConnectedSockets.CreateAsync(Ct);
        var bus = new ScriptedBus(line.ServerEnd);
        await using var client = Client(line, new ModbusSerialClientOptions(), new FakeTimeProvider());
        var read = client.ReadHoldingRegistersAsync(1, 0, 1, Ct).AsTask();
        await bus.NextRequestAsync();
        await bus.AnswerAsync(2, "03 02 0005");
        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => read);
        Assert.Contains("unit 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broadcast_WriteToUnitZero_EveryUnitAppliesItWithoutAnswer()
    {
        var time = new FakeTimeProvider();
        using var line = await ConnectedSockets.CreateAsync(Ct);
        await using var server = new ModbusSerialServer(() => new ModbusLine(new NetworkStream(line.ServerEnd), null), new ModbusSerialServerOptions());
        var one = server.AddUnit(1);
        var two = server.AddUnit(2);
        await server.StartAsync(Ct);
        await using var client = Client(line, new ModbusSerialClientOptions { BroadcastTurnaround = TimeSpan.FromMilliseconds(100) }, time);

        await client.WriteSingleRegisterAsync(0, 5, 77, Ct);
        var read = client.ReadHoldingRegistersAsync(2, 5, 1, Ct).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(new ushort[] { 77 }, await read);
        Assert.Equal(77, one.HoldingRegisters[5]);
        await Assert.ThrowsAsync<ArgumentException>(() => client.ReadHoldingRegistersAsync(0, 0, 1, Ct).AsTask());
    }

    [Fact]
    public async Task SerialServer_GarbageBetweenFrames_DiscardsAndAnswersNextFrame()
    {
        using var line = await ConnectedSockets.CreateAsync(Ct);
        await using var server = new ModbusSerialServer(() => new ModbusLine(new NetworkStream(line.ServerEnd), null), new ModbusSerialServerOptions());
        server.AddUnit(1).HoldingRegisters[0] = 3;
        await server.StartAsync(Ct);
        var client = new ScriptedBus(line.ClientEnd);
        await client.SendRawAsync("01 03 0000 0001 FFFF"); // bad CRC: dropped
        await client.SendRawAsync("01 03 0000 0001 840A");
        (var address, var pdu) = await client.NextResponseAsync();
        Assert.Equal(1, address);
        Assert.Equal("03020003", Hex.Of(pdu));
        Assert.True(server.DiscardedFrames >= 1);
    }

    [Fact]
    public async Task OverTcp_RtuFramesThroughGateway_ReadsAndWrites()
    {
        using var gateway = new TcpListener(System.Net.IPAddress.Loopback, 0);
        gateway.Start();
        await using var client = ModbusSerialClient.OverTcp(
            "127.0.0.1", ((System.Net.IPEndPoint)gateway.LocalEndpoint).Port, new ModbusSerialClientOptions { ResponseTimeout = TimeSpan.FromSeconds(5) });
        var read = client.ReadInputRegistersAsync(3, 8, 1, Ct).AsTask();
        using var device = await gateway.AcceptSocketAsync(Ct);
        var bus = new ScriptedBus(device);
        (var address, var pdu) = await bus.NextRequestAsync();
        Assert.Equal(3, address);
        Assert.Equal("0400080001", Hex.Of(pdu));
        await bus.AnswerAsync(3, "04 02 000A");
        Assert.Equal(new ushort[] { 10 }, await read);

        var write = client.WriteSingleRegisterAsync(3, 1, 0x0203, Ct).AsTask();
        Assert.Equal("0600010203", Hex.Of((await bus.NextRequestAsync()).Pdu));
        await bus.AnswerAsync(3, "06 0001 0203");
        await write;
    }

    private static ModbusSerialClient Client(ConnectedSockets line, ModbusSerialClientOptions options, TimeProvider time) =>
        new(_ => Task.FromResult(new ModbusLine(new NetworkStream(line.ClientEnd), null)), options, TimeSpan.Zero, time);

    /// <summary>The far end of the line, played by the test: reads RTU frames and answers as any unit it likes.</summary>
    private sealed class ScriptedBus(Socket socket)
    {
        private readonly PipeReader _reader = PipeReader.Create(new NetworkStream(socket));

        public async Task<(byte Address, byte[] Pdu)> NextRequestAsync() => await NextAsync(isRequest: true);

        public async Task<(byte Address, byte[] Pdu)> NextResponseAsync() => await NextAsync(isRequest: false);

        public async Task AnswerAsync(byte address, string pdu)
        {
            var frame = new byte[256];
            var length = RtuFrame.Write(frame, address, Hex.Bytes(pdu));
            await socket.SendAsync(frame.AsMemory(0, length), Ct);
        }

        public async Task SendRawAsync(string hex) => await socket.SendAsync(Hex.Bytes(hex), Ct);

        private async Task<(byte Address, byte[] Pdu)> NextAsync(bool isRequest)
        {
            var pdu = new byte[256];
            while (true)
            {
                var result = await _reader.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
                var buffer = result.Buffer;
                var framed = isRequest
                    ? RtuFrame.TryReadRequest(ref buffer, pdu, out var address, out var length)
                    : RtuFrame.TryReadResponse(ref buffer, pdu, out address, out length);
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (framed)
                {
                    return (address, pdu[..length]);
                }

                Assert.False(result.IsCompleted, "The line closed.");
            }
        }
    }
}

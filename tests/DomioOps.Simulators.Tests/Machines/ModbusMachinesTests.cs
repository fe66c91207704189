using System.Globalization;

using DomioOps.Devices.Modbus;
using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Simulators.Tests.Machines;

/// <summary>The Modbus machines read over real sockets and pseudo-terminals by our clients and by mbpoll.</summary>
public sealed class ModbusMachinesTests(FactoryFixture factory) : IClassFixture<FactoryFixture>
{
    [Fact]
    public async Task PanelSaw_OurTcpClient_ReadsTheDocumentedRegisters()
    {
        var ct = TestContext.Current.CancellationToken;
        var saw = await factory.Simulator.MachineAsync("saw-01", ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", saw.Port));
        await client.ConnectAsync(ct);

        var first = await client.ReadHoldingRegistersAsync(1, 0, 17, ct);
        var pieces = Pieces(first);
        ushort[] later;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        do
        {
            await Task.Delay(200, bound.Token);
            later = await client.ReadHoldingRegistersAsync(1, 0, 17, ct);
        }
        while (Pieces(later) == pieces);

        Assert.InRange(later[0], 0, 4);
        Assert.True(Pieces(later) > pieces, "the piece counter (registers 1-2) counts up");
        Assert.InRange(later[8], 0, 5);
        Assert.True((later[9] & 0b11) == 0b11, $"flags {later[9]:b}: MachineOn and PowerPresent while producing");
        Assert.InRange(later[12], 4400, 4600);
        Assert.True(UInt32(later, 13) >= Pieces(later) / 3, "pieces in (13-14) keep pace with pieces out");
        await Assert.ThrowsAsync<ModbusExceptionResponseException>(async () => await client.ReadHoldingRegistersAsync(1, 60, 10, ct));

        static uint Pieces(ushort[] registers) => UInt32(registers, 1);
    }

    [Fact]
    public async Task PanelSawAndMeter_Mbpoll_ReadsTheSameMaps()
    {
        var ct = TestContext.Current.CancellationToken;
        var saw = await factory.Simulator.MachineAsync("saw-01", ct);
        var meter = await factory.Simulator.MachineAsync("meter-saw-01", ct);

        var registers = await MachinePeers.MbpollAsync(["-m", "tcp", "-p", $"{saw.Port}", "-a", "1", "-r", "1", "-c", "17", "-1", "127.0.0.1"], ct);
        var floats = await MachinePeers.MbpollAsync(["-m", "tcp", "-p", $"{meter.Port}", "-a", "1", "-t", "3:float", "-B", "-r", "1", "-c", "6", "-1", "127.0.0.1"], ct);

        Assert.Equal(17, registers.Count);
        Assert.InRange(int.Parse(registers[1], CultureInfo.InvariantCulture), 0, 4);
        Assert.InRange(int.Parse(registers[13], CultureInfo.InvariantCulture), 4400, 4600);
        Assert.InRange(double.Parse(floats[1], CultureInfo.InvariantCulture), 228, 232);
        Assert.InRange(double.Parse(floats[9], CultureInfo.InvariantCulture), 49.9, 50.1);
    }

    [Fact]
    public async Task EdgebanderAndMeterOnOneRtuLine_OurSerialClient_ReadsBothSlaves()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var client = new ModbusSerialClient(new ModbusSerialPortOptions(factory.RtuLine, 19200) { Parity = System.IO.Ports.Parity.None }, new ModbusSerialClientOptions { ResponseTimeout = TimeSpan.FromSeconds(1) });
        await client.ConnectAsync(ct);

        var edgebander = await client.ReadHoldingRegistersAsync(1, 0, 15, ct);
        var meter = await client.ReadInputRegistersAsync(2, 0, 14, ct);
        var meterHolding = await client.ReadHoldingRegistersAsync(2, 0, 2, ct);

        Assert.InRange(edgebander[0], 0, 4);
        Assert.Equal(1900, edgebander[7]);
        Assert.InRange(edgebander[9], 0, 3);
        Assert.InRange(Float(meter, 0), 228, 232);
        Assert.InRange(Float(meter, 8), 49.9, 50.1);
        Assert.InRange(Float(meterHolding, 0), 228, 232);
    }

    [Fact]
    public async Task EdgebanderOnRtuLine_MbpollRtu_ReadsTheDocumentedRegisters()
    {
        var ct = TestContext.Current.CancellationToken;

        var registers = await MachinePeers.MbpollAsync(["-m", "rtu", "-b", "19200", "-P", "none", "-a", "1", "-r", "1", "-c", "15", "-1", factory.RtuLine], ct);
        var meter = await MachinePeers.MbpollAsync(["-m", "rtu", "-b", "19200", "-P", "none", "-a", "2", "-t", "3:float", "-B", "-r", "1", "-c", "2", "-1", factory.RtuLine], ct);

        Assert.Equal(15, registers.Count);
        Assert.Equal("1900", registers[8]);
        Assert.InRange(double.Parse(meter[1], CultureInfo.InvariantCulture), 228, 232);
    }

    [Fact]
    public async Task FaultOnOneRtuSlave_TheOtherSlaveOnTheLineKeepsAnswering()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var client = new ModbusSerialClient(new ModbusSerialPortOptions(factory.RtuLine, 19200) { Parity = System.IO.Ports.Parity.None }, new ModbusSerialClientOptions { ResponseTimeout = TimeSpan.FromMilliseconds(500), FailuresBeforeOpen = 100 });
        await client.ConnectAsync(ct);
        try
        {
            await factory.Simulator.SetFaultAsync("eb-01", "exception:4", ct);
            var failure = await Assert.ThrowsAsync<ModbusExceptionResponseException>(async () => await client.ReadHoldingRegistersAsync(1, 0, 15, ct));
            Assert.Equal(ModbusExceptionCode.ServerDeviceFailure, failure.ExceptionCode);
            Assert.InRange(Float(await client.ReadInputRegistersAsync(2, 0, 2, ct), 0), 228, 232);

            await factory.Simulator.SetFaultAsync("eb-01", "silent", ct);
            await Assert.ThrowsAsync<ModbusTimeoutException>(async () => await client.ReadHoldingRegistersAsync(1, 0, 15, ct));
            Assert.InRange(Float(await client.ReadInputRegistersAsync(2, 0, 2, ct), 0), 228, 232);
        }
        finally
        {
            await factory.Simulator.SetFaultAsync("eb-01", "none", ct);
        }

        Assert.Equal(1900, (await client.ReadHoldingRegistersAsync(1, 0, 15, ct))[7]);
    }

    [Fact]
    public async Task FaultsOverHttp_OurClient_SeesEachThenRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        var meter = await factory.Simulator.MachineAsync("meter-saw-01", ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", meter.Port) { ResponseTimeout = TimeSpan.FromMilliseconds(500), ReadRetries = 0 });
        await client.ConnectAsync(ct);
        try
        {
            await factory.Simulator.SetFaultAsync("meter-saw-01", "exception:6", ct);
            var busy = await Assert.ThrowsAsync<ModbusExceptionResponseException>(async () => await client.ReadInputRegistersAsync(1, 0, 2, ct));
            Assert.Equal(ModbusExceptionCode.ServerDeviceBusy, busy.ExceptionCode);

            await factory.Simulator.SetFaultAsync("meter-saw-01", "silent", ct);
            await Assert.ThrowsAsync<ModbusTimeoutException>(async () => await client.ReadInputRegistersAsync(1, 0, 2, ct));

            await factory.Simulator.SetFaultAsync("meter-saw-01", "garbage", ct);
            await Assert.ThrowsAnyAsync<ModbusException>(async () => await client.ReadInputRegistersAsync(1, 0, 2, ct));

            await factory.Simulator.SetFaultAsync("meter-saw-01", "drop", ct);
            await Assert.ThrowsAnyAsync<ModbusException>(async () => await client.ReadInputRegistersAsync(1, 0, 2, ct));

            await factory.Simulator.SetFaultAsync("meter-saw-01", "slow:200", ct);
            Assert.Equal(14, (await ReadWithReconnectAsync(client, ct)).Length);
            Assert.Equal("slow:200", (await factory.Simulator.MachineAsync("meter-saw-01", ct)).Fault);
        }
        finally
        {
            await factory.Simulator.SetFaultAsync("meter-saw-01", "none", ct);
        }

        Assert.InRange(Float(await ReadWithReconnectAsync(client, ct), 0), 228, 232);
    }

    private static async Task<ushort[]> ReadWithReconnectAsync(ModbusTcpClient client, CancellationToken ct)
    {
        // After a dropped connection the client reconnects on its own; a read may meet the reconnect first.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await client.ReadInputRegistersAsync(1, 0, 14, ct);
            }
            catch (ModbusException) when (attempt < 20)
            {
                await Task.Delay(100, ct);
            }
        }
    }

    private static uint UInt32(ushort[] registers, int at) => ((uint)registers[at] << 16) | registers[at + 1];

    private static float Float(ushort[] registers, int at) => BitConverter.UInt32BitsToSingle(UInt32(registers, at));
}

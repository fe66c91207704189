using System.IO.Ports;

using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Devices.Modbus.Transport;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.Modbus;

// Real serial lines without hardware: a socat pseudo-terminal pair opened through System.IO.Ports.
// mbpoll (RTU master on libmodbus) against our serial server, and our serial client against our server.
public sealed class RtuOverPtyInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Mbpoll_RtuReadsAndWritesOurSerialServer_OverPty()
    {
        await using var pty = await SocatPtyPair.StartAsync(Ct);
        await using var server = new ModbusSerialServer(
            new ModbusSerialPortOptions(pty.PathA, 19200) { Parity = Parity.None },
            new ModbusSerialServerOptions());
        var model = server.AddUnit(5);
        model.SetHoldingRegisters(0, [100, 200, 300]);
        await server.StartAsync(Ct);

        var read = await Mbpoll(pty.PathB, ["-a", "5", "-r", "1", "-c", "3"]);
        Assert.Contains("[1]: \t100", read, StringComparison.Ordinal);
        Assert.Contains("[3]: \t300", read, StringComparison.Ordinal);

        await Mbpoll(pty.PathB, ["-a", "5", "-r", "11"], "7", "8");
        Assert.Equal(7, model.HoldingRegisters[10]);
        Assert.Equal(8, model.HoldingRegisters[11]);
    }

    [Fact]
    public async Task Mbpoll_AddressesAnotherSlave_OurServerStaysSilent()
    {
        await using var pty = await SocatPtyPair.StartAsync(Ct);
        await using var server = new ModbusSerialServer(
            new ModbusSerialPortOptions(pty.PathA, 19200) { Parity = Parity.None },
            new ModbusSerialServerOptions());
        server.AddUnit(5);
        await server.StartAsync(Ct);

        await using var mbpoll = PeerProcess.Start(
            "mbpoll", ["-m", "rtu", "-b", "19200", "-P", "none", "-1", "-o", "0.3", "-a", "6", "-r", "1", pty.PathB]);
        var exitCode = await mbpoll.WaitForExitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("timed out", mbpoll.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(ModbusSerialFraming.Rtu)]
    [InlineData(ModbusSerialFraming.Ascii)]
    public async Task OurSerialClient_AgainstOurSerialServer_OverPty(ModbusSerialFraming framing)
    {
        await using var pty = await SocatPtyPair.StartAsync(Ct);
        await using var server = new ModbusSerialServer(
            new ModbusSerialPortOptions(pty.PathA, 38400), new ModbusSerialServerOptions { Framing = framing });
        server.AddUnit(1).InputRegisters.Set(0, [11, 12]);
        var two = server.AddUnit(2);
        await server.StartAsync(Ct);

        await using var client = new ModbusSerialClient(
            new ModbusSerialPortOptions(pty.PathB, 38400), new ModbusSerialClientOptions { Framing = framing, ResponseTimeout = TimeSpan.FromSeconds(2) });
        Assert.Equal(new ushort[] { 11, 12 }, await client.ReadInputRegistersAsync(1, 0, 2, Ct));
        await client.WriteMultipleRegistersAsync(2, 0, new ushort[] { 1, 2, 3 }, Ct);
        Assert.Equal(new ushort[] { 1, 2, 3 }, await client.ReadHoldingRegistersAsync(2, 0, 3, Ct));
        Assert.Equal(3, two.HoldingRegisters[2]);
    }

    private static Task<string> Mbpoll(string device, string[] options, params string[] writeValues) =>
        PeerProcess.RunAsync(
            "mbpoll",
            ["-m", "rtu", "-b", "19200", "-P", "none", "-1", "-o", "2", .. options, device, .. writeValues],
            null,
            TimeSpan.FromSeconds(30),
            Ct);
}

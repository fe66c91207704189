using System.Globalization;
using System.Net;

using DomioOps.Devices.Modbus.Server;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.Modbus;

// mbpoll (a widely used command-line master built on libmodbus) against our TCP server. mbpoll counts
// references from 1 unless given -0; its output lines read "[ref]: \tvalue".
public sealed class MbpollInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("4", "[1]: \t10", "[3]: \t12")] // holding registers
    [InlineData("3", "[1]: \t500", "[3]: \t502")] // input registers
    [InlineData("0", "[1]: \t1", "[2]: \t0")] // coils
    [InlineData("1", "[1]: \t0", "[2]: \t1")] // discrete inputs
    public async Task Mbpoll_ReadsOurServer_PrintsServedValues(string table, string first, string third)
    {
        await using var server = await StartServerAsync();
        var output = await Mbpoll(server.Port, ["-t", table, "-r", "1", "-c", "3"]);
        Assert.Contains(first, output, StringComparison.Ordinal);
        Assert.Contains(third, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mbpoll_WritesRegistersToOurServer_ModelHoldsValues()
    {
        await using var server = await StartServerAsync();
        var model = server.AddUnit(2);
        await Mbpoll(server.Port, ["-a", "2", "-t", "4", "-r", "101"], "123", "456", "789");
        Assert.Equal(new ushort[] { 123, 456, 789 }, Read(model, 100, 3));
        await Mbpoll(server.Port, ["-a", "2", "-t", "4", "-r", "201"], "42");
        Assert.Equal(42, model.HoldingRegisters[200]);
        await Mbpoll(server.Port, ["-a", "2", "-t", "0", "-r", "11"], "1", "0", "1");
        Assert.Equal(new[] { true, false, true }, new[] { model.Coils[10], model.Coils[11], model.Coils[12] });
    }

    [Fact]
    public async Task Mbpoll_ReadsFloatWithBigEndianWords_ShowsValue()
    {
        await using var server = await StartServerAsync();
        var model = server.AddUnit(3);
        model.SetHoldingRegisters(10, [0x4049, 0x0FDB]); // 3.1415927f, high word first (ABCD)
        var output = await Mbpoll(server.Port, ["-a", "3", "-t", "4:float", "-B", "-r", "11", "-c", "1"]);
        Assert.Contains("[11]: \t3.14159", output, StringComparison.Ordinal);
    }

    private static async Task<ModbusTcpServer> StartServerAsync()
    {
        var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        var model = server.AddUnit(1);
        for (var i = 0; i < 10; i++)
        {
            model.HoldingRegisters[i] = (ushort)(10 + i);
            model.InputRegisters[i] = (ushort)(500 + i);
            model.Coils[i] = i % 2 == 0;
            model.DiscreteInputs[i] = i % 2 == 1;
        }

        await server.StartAsync(Ct);
        return server;
    }

    private static ushort[] Read(ModbusDataModel model, int address, int count)
    {
        var values = new ushort[count];
        model.HoldingRegisters.CopyTo(address, values);
        return values;
    }

    /// <summary>Runs mbpoll once; values to write go after the host, as mbpoll wants them.</summary>
    private static Task<string> Mbpoll(int port, string[] options, params string[] writeValues) =>
        PeerProcess.RunAsync(
            "mbpoll",
            ["-m", "tcp", "-p", port.ToString(CultureInfo.InvariantCulture), "-1", "-o", "2", .. options, "127.0.0.1", .. writeValues],
            null,
            TimeSpan.FromSeconds(30),
            Ct);
}

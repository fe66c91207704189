using System.Globalization;
using System.Net;

using DomioOps.Devices.Modbus;
using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.Modbus;

// Our TCP client against libmodbus 3.1's server, and libmodbus's client against our TCP server
// (C programs in Peers/libmodbus, compiled at set-up). libmodbus is the reference implementation.
public sealed class LibmodbusInteropTests(LibmodbusPrograms programs) : IClassFixture<LibmodbusPrograms>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OurClient_ReadsEveryTableOfLibmodbusServer_ValuesMatch()
    {
        (var server, var port) = await programs.StartServerAsync(Ct);
        await using var _ = server;
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port));

        var holding = await client.ReadHoldingRegistersAsync(1, 100, 125, Ct);
        Assert.Equal(Enumerable.Range(100, 125).Select(i => (ushort)(i * 7)), holding);
        var input = await client.ReadInputRegistersAsync(1, 0, 3, Ct);
        Assert.Equal(new ushort[] { 0xFFFF, 0xFFFE, 0xFFFD }, input);
        var coils = await client.ReadCoilsAsync(1, 0, 1000, Ct);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i % 3 == 0), coils);
        var discrete = await client.ReadDiscreteInputsAsync(1, 5, 11, Ct);
        Assert.Equal(Enumerable.Range(5, 11).Select(i => i % 2 == 1), discrete);
    }

    [Fact]
    public async Task OurClient_WritesToLibmodbusServer_ReadBackMatches()
    {
        (var server, var port) = await programs.StartServerAsync(Ct);
        await using var _ = server;
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port));

        await client.WriteSingleRegisterAsync(1, 10, 0xCAFE, Ct);
        await client.WriteMultipleRegistersAsync(1, 11, new ushort[] { 1, 2, 3 }, Ct);
        await client.MaskWriteRegisterAsync(1, 14, 0x00F2, 0x0025, Ct); // 98 = 0x62: (0x62 AND F2) OR (25 AND NOT F2) = 0x67
        Assert.Equal(new ushort[] { 0xCAFE, 1, 2, 3, 0x67 }, await client.ReadHoldingRegistersAsync(1, 10, 5, Ct));
        Assert.Equal(new ushort[] { 9, 8, 22 * 7 }, await client.ReadWriteMultipleRegistersAsync(1, 20, 3, 20, new ushort[] { 9, 8 }, Ct));

        await client.WriteSingleCoilAsync(1, 1, true, Ct);
        await client.WriteMultipleCoilsAsync(1, 2, new[] { true, false, true, true, false, false, false, false, true }, Ct);
        Assert.Equal(new[] { true, true, true, false, true, true, false, false, false, false, true }, await client.ReadCoilsAsync(1, 0, 11, Ct));
    }

    [Fact]
    public async Task OurClient_ReadPastLibmodbusTable_ThrowsIllegalDataAddressAndStaysUsable()
    {
        (var server, var port) = await programs.StartServerAsync(Ct);
        await using var _ = server;
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port));

        var error = await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => client.ReadHoldingRegistersAsync(1, 995, 10, Ct).AsTask());
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.ExceptionCode);
        Assert.Equal(new ushort[] { 994 * 7 % 65536 }, await client.ReadHoldingRegistersAsync(1, 994, 1, Ct));
    }

    [Fact]
    public async Task OurClient_PipelinedReadsToLibmodbusServer_EachAnswerMatchesItsRequest()
    {
        (var server, var port) = await programs.StartServerAsync(Ct);
        await using var _ = server;
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port) { MaxInFlight = 32 });

        Task<ushort[]>[] reads = [.. Enumerable.Range(0, 900).Select(i => client.ReadHoldingRegistersAsync(1, (ushort)i, 3, Ct).AsTask())];
        var results = await Task.WhenAll(reads);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(new[] { (ushort)(i * 7), (ushort)((i + 1) * 7), (ushort)((i + 2) * 7) }, results[i]);
        }
    }

    [Fact]
    public async Task LibmodbusClient_ScriptAgainstOurServer_SameTranscriptAsAgainstLibmodbusServer()
    {
        // Differential: the same libmodbus client script, once against libmodbus's server and once against ours
        // holding the same values, must print the same transcript (reads, writes, exception, recovery).
        string reference;
        (var libServer, var libPort) = await programs.StartServerAsync(Ct);
        await using (libServer)
        {
            reference = await PeerProcess.RunAsync(programs.Client, [Port(libPort)], null, TimeSpan.FromSeconds(30), Ct);
        }

        await using var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
        var model = server.AddUnit(1, new ModbusDataModel(1000));
        for (var i = 0; i < 1000; i++)
        {
            model.HoldingRegisters[i] = (ushort)(i * 7);
            model.InputRegisters[i] = (ushort)(0xFFFF - i);
            model.Coils[i] = i % 3 == 0;
            model.DiscreteInputs[i] = i % 2 == 1;
        }

        await server.StartAsync(Ct);
        var ours = await PeerProcess.RunAsync(programs.Client, [Port(server.Port)], null, TimeSpan.FromSeconds(30), Ct);

        Assert.Contains("past_end: error 2 Illegal data address", reference, StringComparison.Ordinal);
        Assert.Contains("done", reference, StringComparison.Ordinal);
        Assert.Equal(reference, ours);
        Assert.Equal(1234, model.HoldingRegisters[20]);
        Assert.Equal(new[] { true, true, false, true }, new[] { model.Coils[40], model.Coils[41], model.Coils[42], model.Coils[43] });
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}

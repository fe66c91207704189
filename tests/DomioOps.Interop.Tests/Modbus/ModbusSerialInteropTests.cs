using System.Globalization;

using DomioOps.Devices.Modbus;
using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.Modbus;

// Our TCP client against the JavaScript server of the npm package modbus-serial (Peers/modbus-serial/server.js).
public sealed class ModbusSerialInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Folder => Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Interop.Tests", "Peers", "modbus-serial");

    [Fact]
    public async Task OurClient_AgainstModbusSerialServer_ReadsWritesAndPipelines()
    {
        await NpmPackages.EnsureInstalledAsync(Folder, Ct);
        var port = FreePort.Next();
        await using var server = PeerProcess.Start("node", ["server.js", port.ToString(CultureInfo.InvariantCulture)], Folder);
        await server.WaitForOutputAsync($"listening {port}", TimeSpan.FromSeconds(20), Ct);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port) { MaxInFlight = 8 });

        Assert.Equal(new ushort[] { 50, 55, 60 }, await client.ReadHoldingRegistersAsync(1, 10, 3, Ct));
        Assert.Equal(new ushort[] { 2000, 2001 }, await client.ReadInputRegistersAsync(1, 0, 2, Ct));
        Assert.Equal(new[] { true, false, true, false, true }, await client.ReadCoilsAsync(1, 0, 5, Ct));
        Assert.Equal(new[] { true, false, false, false, true }, await client.ReadDiscreteInputsAsync(1, 0, 5, Ct));

        await client.WriteSingleRegisterAsync(1, 100, 4242, Ct);
        await client.WriteMultipleRegistersAsync(1, 101, new ushort[] { 7, 8, 9 }, Ct);
        Assert.Equal(new ushort[] { 4242, 7, 8, 9 }, await client.ReadHoldingRegistersAsync(1, 100, 4, Ct));
        await client.WriteSingleCoilAsync(1, 1, true, Ct);
        await client.WriteMultipleCoilsAsync(1, 2, new[] { false, true }, Ct);
        Assert.Equal(new[] { true, true, false, true }, await client.ReadCoilsAsync(1, 0, 4, Ct));

        var error = await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => client.ReadHoldingRegistersAsync(1, 999, 2, Ct).AsTask());
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.ExceptionCode);

        Task<ushort[]>[] reads = [.. Enumerable.Range(200, 100).Select(i => client.ReadHoldingRegistersAsync(1, (ushort)i, 1, Ct).AsTask())];
        var results = await Task.WhenAll(reads);
        Assert.Equal(Enumerable.Range(200, 100).Select(i => (ushort)(i * 5)), results.Select(r => r[0]));
    }
}

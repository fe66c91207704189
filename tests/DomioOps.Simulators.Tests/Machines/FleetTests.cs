using System.Net.Http.Json;

using DomioOps.Devices.Modbus.Client;

namespace DomioOps.Simulators.Tests.Machines;

/// <summary>Fleet mode: many machines in one process, each on its own port or unit id.</summary>
public sealed class FleetTests
{
    [Fact]
    public async Task Fleet_FortySawsAndAMeter_EveryMachineAnswersOnItsOwnPort()
    {
        var ct = TestContext.Current.CancellationToken;
        const string scenario = """
            {
              "acceleration": 60,
              "fleet": [
                { "kind": "panel-saw", "count": 40, "idPrefix": "saw-", "firstPort": 0 },
                { "kind": "energy-meter", "count": 1, "idPrefix": "meter-", "firstPort": 0 }
              ]
            }
            """;
        await using var simulator = await SimulatorProcess.StartAsync(scenario, ct);

        var machines = (await simulator.Http.GetFromJsonAsync<List<MachineStatus>>("api/machines", ct))!;

        Assert.Equal(41, machines.Count);
        Assert.Equal(41, machines.Select(m => m.Port).Distinct().Count());
        foreach (var saw in machines.Where(m => m.Kind == "panel-saw"))
        {
            await using var client = new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", saw.Port));
            await client.ConnectAsync(ct);
            var registers = await client.ReadHoldingRegistersAsync(saw.UnitId, 0, 17, ct);
            Assert.InRange(registers[0], 0, 4);
            Assert.InRange(registers[12], 4400, 4600);
        }
    }

    /// <summary>
    /// Saws sharing a port are units behind one gateway; an edge opens a connection per saw, so the port serves them all at
    /// once (it refused any beyond 32, and a 46-saw soak lost the pieces of the saws left out).
    /// </summary>
    [Fact]
    public async Task Fleet_FortySawsSharingAPort_EachReadOnAConnectionOfItsOwnAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = DomioOps.Testing.FreePort.Next();
        await using var simulator = await SimulatorProcess.StartAsync($$"""{ "fleet": [ { "kind": "panel-saw", "count": 40, "idPrefix": "saw-", "firstPort": {{port}}, "sharePort": true } ] }""", ct);
        var machines = (await simulator.Http.GetFromJsonAsync<List<MachineStatus>>("api/machines", ct))!;

        var clients = machines.Select(_ => new ModbusTcpClient(new ModbusTcpClientOptions("127.0.0.1", port) { ReadRetries = 0 })).ToList();
        try
        {
            foreach (var (saw, client) in machines.Zip(clients))
            {
                var registers = await client.ReadHoldingRegistersAsync(saw.UnitId, 0, 17, ct);
                Assert.InRange(registers[12], 4400, 4600);
            }

            Assert.All(clients, client => Assert.True(client.IsConnected));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Fleet_CncRoutersSharingAPort_AreMachinesOfOneOpcUaServer()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = DomioOps.Testing.FreePort.Next();
        await using var simulator = await SimulatorProcess.StartAsync($$"""{ "fleet": [ { "kind": "cnc-router", "count": 3, "idPrefix": "cnc-", "firstPort": {{port}}, "sharePort": true } ] }""", ct);

        var machines = (await simulator.Http.GetFromJsonAsync<List<MachineStatus>>("api/machines", ct))!;
        await using var client = new DomioOps.Devices.OpcUa.Client.OpcUaClient(new DomioOps.Devices.OpcUa.Client.OpcUaClientOptions { EndpointUrl = machines[0].Endpoint });
        await client.ConnectAsync(ct);
        var sim = (ushort)client.NamespaceIndexOf("urn:domioops:simulators");

        Assert.All(machines, m => Assert.Equal(port, m.Port));
        foreach (var machine in machines)
        {
            var state = await client.ReadValueAsync(new DomioOps.Devices.OpcUa.NodeId(sim, $"{machine.Machine}/State/Machine/Overview/CurrentState"), ct);
            Assert.InRange((int)state.Value.Value!, 0, 4);
        }
    }
}

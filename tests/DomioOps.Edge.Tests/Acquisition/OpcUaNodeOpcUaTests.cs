using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Edge.Acquisition;
using DomioOps.Models.Wire;
using DomioOps.Testing;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>The OPC UA driver against node-opcua, an independent server, run as a process.</summary>
public sealed class OpcUaNodeOpcUaTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly AcquisitionFixture _fixture = new();
    private readonly string _pki = Directory.CreateTempSubdirectory("domioops-pki-").FullName;

    public void Dispose()
    {
        _fixture.Dispose();
        Directory.Delete(_pki, recursive: true);
    }

    [Fact]
    public async Task RunAsync_NodeOpcUaProcessKilledAndRestarted_TheClientHealsTheSubscription()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort.Next();
        var peer = await NodeOpcUaServer.StartAsync("server.js", port, ct, "10");
        try
        {
            var device = new OpcUaDeviceOptions
            {
                Machine = "saw-01",
                EndpointUrl = $"opc.tcp://127.0.0.1:{port}",
                PublishingInterval = TimeSpan.FromMilliseconds(50),
                SamplingInterval = TimeSpan.FromMilliseconds(10),
                Tags = [new NodeTagOptions { Signal = Signal.FeedSpeed, NodeId = $"nsu={NodeOpcUaServer.PeerNamespace};s=Saw1.Speed", DeadbandType = Devices.OpcUa.Services.DeadbandType.Absolute, Deadband = 0.5 }],
            };
            var driver = new OpcUaDeviceDriver(device, _pki, _fixture.Context(TimeProvider.System));
            await using var run = new DriverRun(driver.RunAsync);
            await _fixture.WaitForHealthAsync("saw-01", DeviceHealth.Connected, Patience);

            // The server-side deadband (0.5) drops 2.2 after 2.0; 3.0 passes.
            await WriteSpeedAsync(port, 2.0, ct);
            await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Number == 2.0), Patience, "speed 2.0");
            await WriteSpeedAsync(port, 2.2, ct);
            await WriteSpeedAsync(port, 3.0, ct);
            await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Number == 3.0), Patience, "speed 3.0");

            await peer.DisposeAsync();
            await _fixture.WaitForHealthAsync("saw-01", DeviceHealth.Degraded, Patience);
            peer = await NodeOpcUaServer.StartAsync("server.js", port, ct, "10");
            await WriteSpeedAsync(port, 42.0, ct);

            await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Number == 42.0), Patience, "speed 42 from the restarted server");
            await _fixture.WaitForHealthAsync("saw-01", DeviceHealth.Connected, Patience);
            Assert.DoesNotContain(_fixture.Samples(), s => s.Number == 2.2);
            Assert.Equal(1, driver.Connects);
            Assert.True(run.Running);
        }
        finally
        {
            await peer.DisposeAsync();
        }
    }

    [Fact]
    public async Task RunAsync_AutoMap_FindsTheEumaboisMachinesOfThePublishedNodeSets()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort.Next();
        await using var peer = await NodeOpcUaServer.StartAsync("woodworking-server.js", port, ct, "100");
        var device = new OpcUaDeviceOptions
        {
            EndpointUrl = $"opc.tcp://127.0.0.1:{port}",
            AutoMap = true,
            PublishingInterval = TimeSpan.FromMilliseconds(100),
            SamplingInterval = TimeSpan.FromMilliseconds(20),
            MachineIds = new Dictionary<string, string> { ["0-219-64-9274"] = "cnc-074" },
        };
        var driver = new OpcUaDeviceDriver(device, _pki, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);

        // The edgebander (AssetId "Hall 3, Machine 039") makes a piece every 100 ms: its counters climb.
        var samples = await _fixture.WaitForSamplesAsync(
            s => s.Count(x => x is { Machine: "Hall-3-Machine-039", Signal: Signal.PieceCounter }) >= 3,
            Patience,
            "three piece counts of the edgebander");

        Assert.Equal(["Hall-3-Machine-039", "cnc-074"], driver.Machines.Order(StringComparer.Ordinal));
        var pieces = samples.Where(s => s is { Machine: "Hall-3-Machine-039", Signal: Signal.PieceCounter }).Select(s => s.Number).ToList();
        Assert.True(pieces.Zip(pieces.Skip(1)).All(p => p.Second > p.First), $"piece counts must climb: {string.Join(", ", pieces)}");
        Assert.True(pieces[0] >= 14603, $"the edgebander starts from its published RelativePiecesOut 14603, got {pieces[0]}");
        var cnc = samples.Where(s => s.Machine == "cnc-074").GroupBy(s => s.Signal).ToDictionary(g => g.Key, g => g.First().Number);
        Assert.Equal(3, cnc[Signal.MachineState]);
        Assert.Equal(1, cnc[Signal.MachineMode]);
        Assert.Equal(0, cnc[Signal.Alarm]);
        Assert.Equal(0, cnc[Signal.Emergency]);
        Assert.Contains(samples, s => s is { Machine: "Hall-3-Machine-039", Signal: Signal.FeedSpeed } && s.Number is 40 or 41);
        Assert.Contains(samples, s => s is { Machine: "Hall-3-Machine-039", Signal: Signal.RunsAborted, Number: 7 });
        await _fixture.WaitForHealthAsync("cnc-074", DeviceHealth.Connected, Patience);
    }

    private static async Task WriteSpeedAsync(int port, double speed, CancellationToken ct)
    {
        await using var client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{port}" });
        await client.ConnectAsync(ct);
        var status = await client.WriteValueAsync(new NodeId((ushort)client.NamespaceIndexOf(NodeOpcUaServer.PeerNamespace), "Saw1.Speed"), new Variant(speed), ct);
        Assert.True(status.IsGood, $"write of {speed} failed: {status}");
    }
}

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Edge.Acquisition;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>The OPC UA driver against our OPC UA server on a loopback port: subscriptions, health and healing.</summary>
public sealed class OpcUaDeviceDriverTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AcquisitionFixture _fixture = new();
    private readonly string _pki = Directory.CreateTempSubdirectory("domioops-pki-").FullName;
    private OpcUaServer _server = null!;
    private WoodworkingAddressSpace _space = null!;

    public async ValueTask InitializeAsync() => (_server, _space) = await StartServerAsync(0);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _fixture.Dispose();
        Directory.Delete(_pki, recursive: true);
    }

    [Fact]
    public async Task RunAsync_ConfiguredTag_EveryChangeLandsScaledInTheQueue()
    {
        var device = Device(new NodeTagOptions { Signal = Signal.SpindleLoad, NodeId = $"nsu={WoodworkingAddressSpace.Plant};s=Line.SpindleLoad", Scale = 0.5 });
        var driver = new OpcUaDeviceDriver(device, _pki, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);

        await _fixture.WaitForHealthAsync("router-01", DeviceHealth.Connected, Patience);
        foreach (var value in new[] { 10.0, 20.0, 30.0 })
        {
            _space.Set("SpindleLoad", new Variant(value));
            await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Number == value / 2), Patience, $"spindle load {value / 2}");
        }

        var loads = _fixture.Samples().Where(s => s.Signal == Signal.SpindleLoad).Select(s => s.Number).ToList();
        Assert.Equal([0d, 5, 10, 15], loads);
        Assert.All(_fixture.Samples(), s => Assert.Equal("router-01", s.Machine));
        Assert.Equal(1, driver.Connects);
    }

    [Fact]
    public async Task RunAsync_UnknownNode_DeviceDegradedAndTheOtherTagsStillRead()
    {
        var device = Device(
            new NodeTagOptions { Signal = Signal.SpindleLoad, NodeId = $"nsu={WoodworkingAddressSpace.Plant};s=Line.SpindleLoad" },
            new NodeTagOptions { Signal = Signal.Vibration, NodeId = $"nsu={WoodworkingAddressSpace.Plant};s=Line.NoSuchSensor" });
        var driver = new OpcUaDeviceDriver(device, _pki, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);

        await _fixture.WaitForHealthAsync("router-01", DeviceHealth.Degraded, Patience);
        _space.Set("SpindleLoad", new Variant(7.0));
        await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Signal == Signal.SpindleLoad && x.Number == 7), Patience, "spindle load 7");

        Assert.Contains("Line.NoSuchSensor", _fixture.Status.Devices["router-01"].LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(_fixture.Samples(), s => s.Signal == Signal.Vibration);
    }

    [Fact]
    public async Task RunAsync_ServerRestartedMidSubscription_TheClientHealsAndValuesFlowAgain()
    {
        var device = Device(new NodeTagOptions { Signal = Signal.SpindleLoad, NodeId = $"nsu={WoodworkingAddressSpace.Plant};s=Line.SpindleLoad" });
        var driver = new OpcUaDeviceDriver(device, _pki, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);
        await _fixture.WaitForHealthAsync("router-01", DeviceHealth.Connected, Patience);
        _space.Set("SpindleLoad", new Variant(1.0));
        await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Number == 1), Patience, "spindle load 1 before the restart");

        var port = _server.Port;
        await _server.DisposeAsync();
        await _fixture.WaitForHealthAsync("router-01", DeviceHealth.Degraded, Patience);
        (_server, _space) = await StartServerAsync(port);
        _space.Set("SpindleLoad", new Variant(2.0));

        await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Number == 2), Patience, "spindle load 2 from the restarted server");
        await _fixture.WaitForHealthAsync("router-01", DeviceHealth.Connected, Patience);
        _space.Set("SpindleLoad", new Variant(3.0));
        await _fixture.WaitForSamplesAsync(s => s.Any(x => x.Number == 3), Patience, "spindle load 3 after healing");
        Assert.Equal(1, driver.Connects);
        Assert.True(run.Running);
    }

    [Fact]
    public async Task RunAsync_AutoMap_WoodworkingMachinesMappedToSignalsWithoutTags()
    {
        _space.AddMachine("Router7", assetId: null, serialNumber: "SN-7");
        _space.AddMachine("EdgeBander3", assetId: "eb-03", serialNumber: "SN-3");
        _space.AddMachine("Saw9", assetId: null, serialNumber: "SN-9");
        var device = new OpcUaDeviceOptions
        {
            EndpointUrl = _server.EndpointUrl,
            AutoMap = true,
            PublishingInterval = TimeSpan.FromMilliseconds(50),
            SamplingInterval = TimeSpan.FromMilliseconds(10),
            MachineIds = new Dictionary<string, string> { ["SN-9"] = "saw-09" },
        };
        var driver = new OpcUaDeviceDriver(device, _pki, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);

        await _fixture.WaitForHealthAsync("Router7", DeviceHealth.Connected, Patience);
        _space.Set("EdgeBander3.AbsolutePiecesOut", new Variant(41UL));
        _space.Set("EdgeBander3.Alarm", new Variant(true));
        var samples = await _fixture.WaitForSamplesAsync(
            s => s.Any(x => x is { Machine: "eb-03", Signal: Signal.PieceCounter, Number: 41 }) && s.Any(x => x is { Machine: "eb-03", Signal: Signal.Alarm, Number: 1 }),
            Patience,
            "eb-03's pieces and alarm");

        Assert.Equal(["Router7", "eb-03", "saw-09"], driver.Machines);
        var router = samples.Where(s => s.Machine == "Router7").ToDictionary(s => s.Signal, s => s.Number);
        Assert.Equal(
            new Dictionary<Signal, double>
            {
                [Signal.MachineState] = 3,
                [Signal.MachineMode] = 1,
                [Signal.Alarm] = 0,
                [Signal.Warning] = 0,
                [Signal.Emergency] = 0,
                [Signal.MaintenanceRequired] = 0,
                [Signal.PiecesIn] = 0,
                [Signal.PieceCounter] = 0,
                [Signal.RunsGood] = 0,
                [Signal.RunsAborted] = 0,
                [Signal.FeedSpeed] = 12.5,
            },
            router);
        Assert.Equal(["Router7", "eb-03", "saw-09"], _fixture.Status.Devices.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_AutoMapAndTagsOfTheSameMachine_TagsAddSignalsAndReplaceTheAlarmFlag()
    {
        _space.AddMachine("Router7", assetId: "router-07", serialNumber: "SN-7");
        var device = new OpcUaDeviceOptions
        {
            Machine = "router-07",
            EndpointUrl = _server.EndpointUrl,
            AutoMap = true,
            PublishingInterval = TimeSpan.FromMilliseconds(50),
            SamplingInterval = TimeSpan.FromMilliseconds(10),
            Tags =
            [
                new NodeTagOptions { Signal = Signal.SpindleLoad, NodeId = $"nsu={WoodworkingAddressSpace.Plant};s=Line.SpindleLoad" },
                new NodeTagOptions { Signal = Signal.Alarm, NodeId = $"nsu={WoodworkingAddressSpace.Plant};s=Line.AlarmCode" },
            ],
        };
        var driver = new OpcUaDeviceDriver(device, _pki, _fixture.Context(TimeProvider.System));
        await using var run = new DriverRun(driver.RunAsync);

        await _fixture.WaitForHealthAsync("router-07", DeviceHealth.Connected, Patience);
        _space.Set("SpindleLoad", new Variant(42.5));
        _space.Set("Router7.Alarm", new Variant(true));
        _space.Set("AlarmCode", new Variant(201));
        _space.Set("Router7.AbsolutePiecesOut", new Variant(17UL));
        var samples = await _fixture.WaitForSamplesAsync(
            s => s.Any(x => x is { Signal: Signal.SpindleLoad, Number: 42.5 }) && s.Any(x => x is { Signal: Signal.Alarm, Number: 201 })
                && s.Any(x => x is { Signal: Signal.PieceCounter, Number: 17 }),
            Patience,
            "the tags' spindle load and alarm code, and the woodworking pieces");

        // One machine, healthy (not "taken"); its alarm is the code, never the flag's 1.
        Assert.Equal(["router-07"], driver.Machines);
        Assert.All(samples, s => Assert.Equal("router-07", s.Machine));
        Assert.Equal([0d, 201], samples.Where(s => s.Signal == Signal.Alarm).Select(s => s.Number));
        Assert.Equal(DeviceHealth.Connected, _fixture.Status.Devices["router-07"].Health);
    }

    private OpcUaDeviceOptions Device(params NodeTagOptions[] tags) => new()
    {
        Machine = "router-01",
        EndpointUrl = _server.EndpointUrl,
        PublishingInterval = TimeSpan.FromMilliseconds(50),
        SamplingInterval = TimeSpan.FromMilliseconds(10),
        Tags = [.. tags],
    };

    private static async Task<(OpcUaServer, WoodworkingAddressSpace)> StartServerAsync(int port)
    {
        var started = new OpcUaServer(new OpcUaServerOptions { Port = port });
        var space = new WoodworkingAddressSpace(started.AddressSpace);
        await started.StartAsync(TestContext.Current.CancellationToken);
        return (started, space);
    }
}

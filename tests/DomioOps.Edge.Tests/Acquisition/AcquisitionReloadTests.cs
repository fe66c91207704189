using System.Net;

using DomioOps.Devices.Modbus.Server;
using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Configuration;
using DomioOps.Edge.Tests.Configuration;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// A configuration change while devices run: only the devices whose options changed restart, the others keep their
/// connection and their samples keep arriving in the same queue. Two Modbus TCP servers on loopback, real time.
/// </summary>
public sealed class AcquisitionReloadTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-reload-").FullName;
    private readonly ModbusTcpServer _saw = new(new ModbusTcpServerOptions(IPAddress.Loopback));
    private readonly ModbusTcpServer _router = new(new ModbusTcpServerOptions(IPAddress.Loopback));
    private readonly AcquisitionFixture _fixture = new();
    private readonly CloudKey _cloud = new();

    public async ValueTask InitializeAsync()
    {
        foreach (var server in new[] { _saw, _router })
        {
            var unit = server.AddUnit(1);
            // Every read sees a new value, so every poll yields a sample.
            unit.BeforeRead = (_, _, _) => unit.HoldingRegisters[0]++;
            await server.StartAsync(TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _saw.DisposeAsync();
        await _router.DisposeAsync();
        _fixture.Dispose();
        _cloud.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RemoteConfiguration_OnlyChangedDevicesRestart_OthersKeepRunning()
    {
        var ct = TestContext.Current.CancellationToken;
        File.WriteAllText(Path.Combine(_folder, "edge.json"), $$"""
            { "Edge": { "Site": "plant-1", "Id": "edge-1", "DataDirectory": "{{Path.Combine(_folder, "data")}}",
                        "RemoteConfiguration": { "SigningKeyPath": "{{_cloud.WritePublicKey(_folder)}}" },
                        "Devices": { "ModbusTcp": [ {{Device("saw-01", _saw.Port, 20)}}, {{Device("router-01", _router.Port, 20)}} ] } } }
            """);
        var root = new ConfigurationBuilder().AddJsonFile(Path.Combine(_folder, "edge.json")).Build();
        var options = EdgeSection.Read(root);
        using var configuration = new DeviceConfiguration(root, Microsoft.Extensions.Options.Options.Create(options), new EdgeOptionsValidation(root), EdgeTestMetrics.Create(TimeProvider.System), NullLogger<DeviceConfiguration>.Instance);
        var context = _fixture.Context(TimeProvider.System);
        using var acquisition = new DeviceAcquisition(configuration, Microsoft.Extensions.Options.Options.Create(options), context, NullLogger<DeviceAcquisition>.Instance);
        await acquisition.StartAsync(ct);
        try
        {
            await Until(() => _fixture.Status.Devices.Count(d => d.Value.Health == DeviceHealth.Connected) == 2, ct);
            var sawSince = _fixture.Status.Devices["saw-01"].Since;
            var routerSince = _fixture.Status.Devices["router-01"].Since;

            // The saw unchanged, the router polled at another rate, a meter on the saw's server added.
            Assert.True(configuration.Apply(Remote(1, Device("saw-01", _saw.Port, 20), Device("router-01", _router.Port, 30), Device("meter-01", _saw.Port, 20))));
            await Until(() => _fixture.Status.Devices.TryGetValue("meter-01", out var m) && m.Health == DeviceHealth.Connected
                && _fixture.Status.Devices["router-01"].Health == DeviceHealth.Connected && _fixture.Status.Devices["router-01"].Since > routerSince, ct);
            Assert.Equal(sawSince, _fixture.Status.Devices["saw-01"].Since);

            // Removed: its entry leaves the board; the saw still runs and keeps producing.
            var sawSamples = Count("saw-01");
            Assert.True(configuration.Apply(Remote(2, Device("saw-01", _saw.Port, 20))));
            await Until(() => !_fixture.Status.Devices.ContainsKey("router-01") && !_fixture.Status.Devices.ContainsKey("meter-01") && Count("saw-01") > sawSamples + 10, ct);
            Assert.Equal(sawSince, _fixture.Status.Devices["saw-01"].Since);

            // Sequences stay contiguous through the changes.
            var sequences = _fixture.Samples().Select(s => s.Sequence).ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (ulong)i), sequences);
        }
        finally
        {
            await acquisition.StopAsync(CancellationToken.None);
        }
    }

    private int Count(string machine) => _fixture.Samples().Count(s => s.Machine == machine);

    private static async Task Until(Func<bool> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {Bound.TotalSeconds} s");
            await Task.Delay(20, ct);
        }
    }

    private EdgeConfiguration Remote(ulong version, params string[] devices) => _cloud.Sign(new()
    {
        SchemaVersion = 1,
        Site = "plant-1",
        Edge = "edge-1",
        Version = version,
        DevicesJson = $$"""{ "Devices": { "ModbusTcp": [ {{string.Join(", ", devices)}} ] } }""",
    });

    private static string Device(string machine, int port, int pollMs) =>
        $$"""{ "Machine": "{{machine}}", "Port": {{port}}, "PollInterval": "00:00:00.{{pollMs:D3}}", "Tags": [ { "Signal": "PieceCounter", "Register": 0 } ] }""";
}

using DomioOps.Testing;

namespace DomioOps.Simulators.Tests.Machines;

/// <summary>
/// One simulator process serving every kind of machine: a CNC router on OPC UA, a panel saw and a meter on Modbus
/// TCP, an edgebander and a meter as two units of one Modbus RTU line, and an edgebander printing ASCII status lines
/// (the serial lines are socat pseudo-terminal pairs). Around the clock, a minute of factory time per wall second.
/// </summary>
public sealed class FactoryFixture : IAsyncLifetime
{
    private SocatPtyPair? _rtu;
    private SocatPtyPair? _ascii;
    private SimulatorProcess? _simulator;

    internal SimulatorProcess Simulator => _simulator!;

    /// <summary>The test's end of the RTU line.</summary>
    public string RtuLine => _rtu!.PathB;

    /// <summary>The test's end of the ASCII line.</summary>
    public string AsciiLine => _ascii!.PathB;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _rtu = await SocatPtyPair.StartAsync(ct);
        _ascii = await SocatPtyPair.StartAsync(ct);
        var scenario = $$"""
            {
              "seed": 5,
              "start": "2026-01-05T06:00:00Z",
              "acceleration": 60,
              "machines": [
                { "id": "cnc-01", "kind": "cnc-router", "port": 0, "setup": "00:01:00", "suddenFaultProbability": 0 },
                { "id": "saw-01", "kind": "panel-saw", "port": 0, "setup": "00:01:00" },
                { "id": "meter-saw-01", "kind": "energy-meter", "port": 0, "measures": "saw-01" },
                { "id": "eb-01", "kind": "edgebander", "protocol": "modbus-rtu", "serialPort": "{{_rtu.PathA}}", "unitId": 1 },
                { "id": "meter-eb-01", "kind": "energy-meter", "protocol": "modbus-rtu", "serialPort": "{{_rtu.PathA}}", "unitId": 2, "measures": "eb-01" },
                { "id": "eb-02", "kind": "edgebander", "protocol": "ascii-line", "serialPort": "{{_ascii.PathA}}", "linePeriod": "00:00:00.200" }
              ]
            }
            """;
        _simulator = await SimulatorProcess.StartAsync(scenario, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        foreach (var pair in new[] { _rtu, _ascii })
        {
            if (pair is not null)
            {
                await pair.DisposeAsync();
            }
        }
    }
}

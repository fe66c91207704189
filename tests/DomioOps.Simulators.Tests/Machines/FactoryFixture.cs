using DomioOps.Testing;

namespace DomioOps.Simulators.Tests.Machines;

/// <summary>
/// One simulator process serving every kind of machine: a CNC router on OPC UA, a panel saw and a meter on Modbus
/// TCP, an edgebander and a meter as two slaves of one Modbus RTU line, and an edgebander printing ASCII status lines
/// (the serial lines are socat pseudo-terminal pairs). Around the clock, a minute of factory time per wall second.
/// </summary>
public sealed class FactoryFixture : IAsyncLifetime
{
    private SocatPtyPair? rtu;
    private SocatPtyPair? ascii;
    private SimulatorProcess? simulator;

    internal SimulatorProcess Simulator => simulator!;

    /// <summary>The test's end of the RTU line.</summary>
    public string RtuLine => rtu!.PathB;

    /// <summary>The test's end of the ASCII line.</summary>
    public string AsciiLine => ascii!.PathB;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        rtu = await SocatPtyPair.StartAsync(ct);
        ascii = await SocatPtyPair.StartAsync(ct);
        var scenario = $$"""
            {
              "seed": 5,
              "start": "2026-01-05T06:00:00Z",
              "acceleration": 60,
              "machines": [
                { "id": "cnc-01", "kind": "cnc-router", "port": 0, "setup": "00:01:00", "suddenFaultProbability": 0 },
                { "id": "saw-01", "kind": "panel-saw", "port": 0, "setup": "00:01:00" },
                { "id": "meter-saw-01", "kind": "energy-meter", "port": 0, "measures": "saw-01" },
                { "id": "eb-01", "kind": "edgebander", "protocol": "modbus-rtu", "serialPort": "{{rtu.PathA}}", "unitId": 1 },
                { "id": "meter-eb-01", "kind": "energy-meter", "protocol": "modbus-rtu", "serialPort": "{{rtu.PathA}}", "unitId": 2, "measures": "eb-01" },
                { "id": "eb-02", "kind": "edgebander", "protocol": "ascii-line", "serialPort": "{{ascii.PathA}}", "linePeriod": "00:00:00.200" }
              ]
            }
            """;
        simulator = await SimulatorProcess.StartAsync(scenario, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (simulator is not null)
        {
            await simulator.DisposeAsync();
        }

        foreach (var pair in new[] { rtu, ascii })
        {
            if (pair is not null)
            {
                await pair.DisposeAsync();
            }
        }
    }
}

using System.Globalization;
using System.Net;

using DomioOps.Devices.Modbus.Server;
using DomioOps.Models.Wire;

namespace DomioOps.Benchmarks.Edge;

/// <summary>
/// Modbus TCP devices served by our server in the harness's process, every register changing on every read (so every
/// poll yields one sample per tag, timestamped at the read), and the environment of an edge process that polls them.
/// </summary>
internal sealed class SimulatedDevices : IAsyncDisposable
{
    private readonly List<ModbusTcpServer> _servers = [];

    private SimulatedDevices()
    {
    }

    public static async Task<SimulatedDevices> StartAsync(int devices, CancellationToken ct)
    {
        var simulated = new SimulatedDevices();
        try
        {
            for (var d = 0; d < devices; d++)
            {
                var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Loopback));
                var unit = server.AddUnit(1);
                unit.BeforeRead = (_, start, count) =>
                {
                    for (var r = start; r < start + count; r++)
                    {
                        unit.HoldingRegisters[r]++;
                    }
                };
                await server.StartAsync(ct);
                simulated._servers.Add(server);
            }

            return simulated;
        }
        catch
        {
            await simulated.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The edge's environment, with the devices (machines <c>bench-00</c>, <c>bench-01</c>, …, <paramref name="tags"/>
    /// registers each, polled every <paramref name="poll"/>) in a configuration file in <paramref name="data"/> (10,000
    /// tags do not fit in an environment); publishing (batch size and age) as the edge ships.
    /// </summary>
    public Dictionary<string, string> EdgeEnvironment(string site, string edgeId, string data, int brokerPort, int tags, TimeSpan poll, string acknowledgement)
    {
        var signals = Enum.GetValues<Signal>().Where(s => s != Signal.Unspecified).Select(s => s.ToString()).ToArray();
        var devices = _servers.Select((server, d) => new
        {
            Machine = Machine(d),
            Host = "127.0.0.1",
            server.Port,
            PollInterval = poll.ToString("c", CultureInfo.InvariantCulture),
            Tags = Enumerable.Range(0, tags).Select(t => new { Signal = signals[t % signals.Length], Register = t }),
        });
        var file = Path.Combine(data, "edge.json");
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(new { Edge = new { Devices = new { ModbusTcp = devices } } }));
        return new Dictionary<string, string>
        {
            ["ConfigurationFile"] = file,
            ["Edge__Site"] = site,
            ["Edge__Id"] = edgeId,
            ["Edge__DataDirectory"] = data,
            ["Edge__Publishing__BrokerPort"] = $"{brokerPort}",
            ["Edge__Publishing__Acknowledgement"] = acknowledgement,
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
    }

    /// <summary>The machine id of device <paramref name="index"/>.</summary>
    public static string Machine(int index) => $"bench-{index:D2}";

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}

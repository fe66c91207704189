using System.Text.Json;
using System.Text.Json.Serialization;

using DomioOps.Simulators.Behaviour;

namespace DomioOps.Simulators.Scenarios;

/// <summary>
/// Reads a scenario file (JSON with comments; keys in camelCase, enum values in kebab-case, durations as
/// [d.]hh:mm:ss), fills in defaults, expands fleets and checks every value. Every error names the file, the
/// key and the fix; all errors are reported at once.
/// </summary>
public static class ScenarioFile
{
    private const string Reference = "see 'Scenario file' in simulators/DomioOps.Simulators/README.md";

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    public static Scenario Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"{path}: cannot be read ({e.Message}). Fix: give an existing, readable scenario file in Simulators:Scenario (--scenario).", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses and checks scenario text; <paramref name="source"/> names it in errors.</summary>
    public static Scenario Parse(string json, string source)
    {
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<Scenario>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            var key = string.IsNullOrEmpty(e.Path) ? "(document)" : e.Path;
            var problem = e.Message.Split(" Path:", 2)[0];
            throw new ScenarioException($"{source}: key {key}: {problem} Fix: use the keys and value formats documented ({Reference}); enum values are kebab-case (cnc-router, modbus-tcp, monday), durations [d.]hh:mm:ss.", e);
        }

        if (scenario is null)
        {
            throw new ScenarioException($"{source}: key (document): the file is empty or null. Fix: write a JSON object ({Reference}).");
        }

        return Complete(scenario, source);
    }

    /// <summary>Adds the default part types, expands fleets, fills protocol defaults and validates; throws with every problem found.</summary>
    public static Scenario Complete(Scenario scenario, string source)
    {
        if (scenario.PartTypes.Count == 0)
        {
            scenario.PartTypes = DefaultPartTypes();
        }

        ExpandFleets(scenario);
        foreach (var machine in scenario.Machines)
        {
            machine.Protocol ??= DefaultProtocol(machine.Kind);
        }

        var errors = Validate(scenario).Select(e => $"{source}: key {e.Key}: {e.Problem} Fix: {e.Fix}").ToList();
        if (errors.Count > 0)
        {
            throw new ScenarioException(string.Join(Environment.NewLine, errors));
        }

        return scenario;
    }

    public static MachineProtocol DefaultProtocol(MachineKind kind) => kind switch
    {
        MachineKind.CncRouter => MachineProtocol.OpcUa,
        MachineKind.Edgebander => MachineProtocol.ModbusRtu,
        _ => MachineProtocol.ModbusTcp,
    };

    /// <summary>Realistic part types of a furniture factory, used when the scenario names none.</summary>
    public static Dictionary<string, PartType> DefaultPartTypes() => new(StringComparer.Ordinal)
    {
        ["carcass-side"] = Part(3, 20, 60, 4, (MachineKind.PanelSaw, 45, 6, 2), (MachineKind.Edgebander, 22, 3, 1), (MachineKind.CncRouter, 240, 30, 6)),
        ["door"] = Part(2, 10, 40, 5, (MachineKind.PanelSaw, 35, 5, 1), (MachineKind.Edgebander, 30, 4, 1), (MachineKind.CncRouter, 300, 40, 4)),
        ["shelf"] = Part(3, 20, 80, 1, (MachineKind.PanelSaw, 30, 4, 3), (MachineKind.Edgebander, 18, 2, 1), (MachineKind.CncRouter, 180, 20, 8)),
        ["back-panel"] = Part(1, 20, 60, 2, (MachineKind.PanelSaw, 25, 3, 2), (MachineKind.CncRouter, 150, 20, 10)),
    };

    private static PartType Part(double weight, int min, int max, int tool, params (MachineKind Kind, double Mean, double Deviation, int Pieces)[] cycles) => new()
    {
        Weight = weight,
        MinQuantity = min,
        MaxQuantity = max,
        Tool = tool,
        CycleTimes = cycles.ToDictionary(c => c.Kind, c => new CycleTime { Mean = TimeSpan.FromSeconds(c.Mean), Deviation = TimeSpan.FromSeconds(c.Deviation), Pieces = c.Pieces }),
    };

    private static void ExpandFleets(Scenario scenario)
    {
        foreach (var fleet in scenario.Fleet)
        {
            var protocol = fleet.Protocol ?? DefaultProtocol(fleet.Kind);
            var serial = protocol is MachineProtocol.ModbusRtu;
            for (var n = 0; n < fleet.Count; n++)
            {
                scenario.Machines.Add(new MachineSpec
                {
                    Id = $"{fleet.IdPrefix}{n + 1:000}",
                    Kind = fleet.Kind,
                    Protocol = protocol,
                    Port = serial || fleet.FirstPort == 0 ? 0 : fleet.SharePort ? fleet.FirstPort : fleet.FirstPort + n,
                    UnitId = serial || fleet.SharePort ? (byte)Math.Min(255, fleet.FirstUnitId + n) : fleet.FirstUnitId,
                    SerialPort = fleet.SerialPort,
                    BaudRate = fleet.BaudRate,
                    Parity = fleet.Parity,
                    Failures = fleet.Failures,
                });
            }
        }

        scenario.Fleet = [];
    }

    private static IEnumerable<(string Key, string Problem, string Fix)> Validate(Scenario s)
    {
        if (s.Acceleration is <= 0 or > 1_000_000 || double.IsNaN(s.Acceleration))
        {
            yield return ("$.acceleration", $"{s.Acceleration} is out of range.", "give factory seconds per wall second, above 0 and at most 1000000 (1 = real time, 1440 = a day a minute).");
        }

        if (s.Duration is { } d && d <= TimeSpan.Zero)
        {
            yield return ("$.duration", $"{d} is not positive.", "give a positive factory duration such as 7.00:00:00, or leave it out for an unbounded run.");
        }

        if (!System.Net.IPAddress.TryParse(s.Address, out _))
        {
            yield return ("$.address", $"'{s.Address}' is not an IP address.", "give an address such as 127.0.0.1 (or 0.0.0.0 in a container).");
        }

        for (var i = 0; i < s.Shifts.Count; i++)
        {
            var shift = s.Shifts[i];
            if (shift.Start < TimeSpan.Zero || shift.Start >= TimeSpan.FromDays(1) || shift.End < TimeSpan.Zero || shift.End >= TimeSpan.FromDays(1) || shift.Start == shift.End)
            {
                yield return ($"$.shifts[{i}]", $"start {shift.Start} and end {shift.End} do not make a shift.", "give two different times of day between 00:00:00 and 23:59:59 (end before start for a night shift).");
            }

            for (var b = 0; b < shift.Breaks.Count; b++)
            {
                if (shift.Breaks[b].Duration <= TimeSpan.Zero || shift.Breaks[b].Start < TimeSpan.Zero || shift.Breaks[b].Start >= TimeSpan.FromDays(1))
                {
                    yield return ($"$.shifts[{i}].breaks[{b}]", "the break has no positive duration or its start is not a time of day.", "give start as hh:mm:ss and a positive duration.");
                }
            }
        }

        foreach (var (name, part) in s.PartTypes)
        {
            var key = $"$.partTypes['{name}']";
            if (part.MinQuantity < 1 || part.MaxQuantity < part.MinQuantity)
            {
                yield return (key + ".minQuantity", $"quantities {part.MinQuantity}..{part.MaxQuantity} are not a range.", "give 1 <= minQuantity <= maxQuantity.");
            }

            if (part.Weight <= 0)
            {
                yield return (key + ".weight", $"{part.Weight} is not positive.", "give a positive relative frequency.");
            }

            foreach (var (kind, cycle) in part.CycleTimes)
            {
                if (cycle.Mean <= TimeSpan.Zero || cycle.Deviation < TimeSpan.Zero || cycle.Pieces < 1)
                {
                    yield return ($"{key}.cycleTimes['{Kebab(kind)}']", "mean must be positive, deviation not negative, pieces at least 1.", "give e.g. { \"mean\": \"00:00:40\", \"deviation\": \"00:00:05\", \"pieces\": 1 }.");
                }
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var endpoints = new Dictionary<int, string>();
        var lines = new Dictionary<string, (string Id, MachineProtocol Protocol, int Baud, System.IO.Ports.Parity Parity, HashSet<byte> Units)>(StringComparer.Ordinal);
        var tcpUnits = new Dictionary<int, HashSet<byte>>();
        for (var i = 0; i < s.Machines.Count; i++)
        {
            var m = s.Machines[i];
            var key = $"$.machines[{i}]";
            if (string.IsNullOrWhiteSpace(m.Id))
            {
                yield return (key + ".id", "the machine has no id.", "give a unique id such as saw-01.");
            }
            else if (!ids.Add(m.Id))
            {
                yield return (key + ".id", $"'{m.Id}' is used by another machine.", "give every machine its own id.");
            }

            var protocol = m.Protocol ?? DefaultProtocol(m.Kind);
            var allowed = m.Kind switch
            {
                MachineKind.CncRouter => new[] { MachineProtocol.OpcUa },
                MachineKind.PanelSaw => [MachineProtocol.ModbusTcp, MachineProtocol.ModbusRtu],
                MachineKind.Edgebander => [MachineProtocol.ModbusRtu, MachineProtocol.AsciiLine, MachineProtocol.ModbusTcp],
                _ => [MachineProtocol.ModbusTcp, MachineProtocol.ModbusRtu],
            };
            if (!allowed.Contains(protocol))
            {
                yield return (key + ".protocol", $"a {Kebab(m.Kind)} does not speak {Kebab(protocol)}.", $"use one of {string.Join(", ", allowed.Select(Kebab))}.");
            }

            if (protocol is MachineProtocol.OpcUa or MachineProtocol.ModbusTcp)
            {
                if (m.Port is < 0 or > 65535)
                {
                    yield return (key + ".port", $"{m.Port} is not a TCP port.", "give 1-65535, or 0 for a free port.");
                }
                else if (m.Port != 0 && endpoints.TryGetValue(m.Port, out var other) && !other.StartsWith(Kebab(protocol), StringComparison.Ordinal))
                {
                    yield return (key + ".port", $"port {m.Port} is taken by {other}.", "give OPC UA and Modbus TCP different ports; Modbus TCP machines share a port as distinct unit ids, CNC routers as machines of one OPC UA server.");
                }
                else if (m.Port != 0)
                {
                    endpoints[m.Port] = $"{Kebab(protocol)} {m.Id}";
                    if (protocol == MachineProtocol.ModbusTcp && !(tcpUnits.TryGetValue(m.Port, out var units) ? units : tcpUnits[m.Port] = []).Add(m.UnitId))
                    {
                        yield return (key + ".unitId", $"unit {m.UnitId} on port {m.Port} is taken by another machine.", "give machines that share a Modbus TCP port distinct unit ids.");
                    }
                }
            }
            else if (string.IsNullOrWhiteSpace(m.SerialPort))
            {
                yield return (key + ".serialPort", $"{Kebab(protocol)} needs a serial device.", "give the device path, e.g. /dev/ttyUSB0 or a socat pty link.");
            }
            else if (lines.TryGetValue(m.SerialPort, out var line))
            {
                if (protocol != MachineProtocol.ModbusRtu || line.Protocol != MachineProtocol.ModbusRtu || line.Baud != m.BaudRate || line.Parity != m.Parity)
                {
                    yield return (key + ".serialPort", $"{m.SerialPort} is used by {line.Id} with other settings.", "share a serial line only between Modbus RTU units with the same baud rate and parity, or give another device.");
                }
                else if (!line.Units.Add(m.UnitId))
                {
                    yield return (key + ".unitId", $"unit {m.UnitId} on {m.SerialPort} is taken by {line.Id}.", "give each unit on a line its own unit id.");
                }
            }
            else
            {
                lines[m.SerialPort] = (m.Id, protocol, m.BaudRate, m.Parity, [m.UnitId]);
            }

            if (protocol is MachineProtocol.ModbusRtu or MachineProtocol.ModbusTcp && m.UnitId is 0 or > 247)
            {
                yield return (key + ".unitId", $"{m.UnitId} is not a unit id of a serial line.", "give 1-247.");
            }

            if (protocol is MachineProtocol.ModbusRtu or MachineProtocol.AsciiLine && m.BaudRate < 300)
            {
                yield return (key + ".baudRate", $"{m.BaudRate} is too low.", "give a baud rate such as 9600 or 19200.");
            }

            if (protocol == MachineProtocol.AsciiLine && m.LinePeriod <= TimeSpan.Zero)
            {
                yield return (key + ".linePeriod", "the period is not positive.", "give e.g. 00:00:01.");
            }

            if (m.Kind == MachineKind.EnergyMeter)
            {
                if (m.Measures is { } measured && !s.Machines.Any(o => o.Id == measured && o.Kind != MachineKind.EnergyMeter))
                {
                    yield return (key + ".measures", $"no machine '{measured}' to measure.", "give the id of a CNC router, panel saw or edgebander of this scenario, or leave it out and give ratedPower.");
                }

                continue;
            }

            if (!s.PartTypes.Any(p => (m.Parts.Count == 0 || m.Parts.Contains(p.Key)) && p.Value.CycleTimes.ContainsKey(m.Kind)))
            {
                yield return (key + ".parts", $"no part type has a cycle time for a {Kebab(m.Kind)}.", $"add cycleTimes['{Kebab(m.Kind)}'] to a part type, or list parts that have one.");
            }

            foreach (var part in m.Parts.Where(p => !s.PartTypes.ContainsKey(p)))
            {
                yield return (key + ".parts", $"unknown part type '{part}'.", $"use one of {string.Join(", ", s.PartTypes.Keys)}.");
            }

            if (m.MicroStopProbability is < 0 or > 1 || m.SuddenFaultProbability is < 0 or > 1)
            {
                yield return (key + ".microStopProbability", "probabilities must be between 0 and 1.", "give chances per cycle such as 0.02.");
            }

            if (m.Setup < TimeSpan.Zero || m.Loading < TimeSpan.Zero)
            {
                yield return (key + ".setup", "set-up and loading times must not be negative.", "give durations such as 00:08:00.");
            }

            foreach (var (kind, failure) in m.Failures ?? [])
            {
                if (!Factory.DefaultFailures.TryGetValue(kind, out var known) || known.Kind != m.Kind)
                {
                    var kinds = Factory.DefaultFailures.Where(f => f.Value.Kind == m.Kind).Select(f => f.Key);
                    yield return ($"{key}.failures['{kind}']", $"a {Kebab(m.Kind)} has no failure kind '{kind}'.", $"use {string.Join(", ", kinds)}.");
                }

                if (failure.MeanTimeToOnset <= TimeSpan.Zero || failure.Progression <= TimeSpan.Zero || failure.Repair <= TimeSpan.Zero)
                {
                    yield return ($"{key}.failures['{kind}']", "meanTimeToOnset, progression and repair must be positive.", "give durations such as 3.00:00:00, 08:00:00 and 00:40:00.");
                }
            }
        }
    }

    private static string Kebab<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}

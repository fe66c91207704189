namespace DomioOps.Simulators.Scenarios;

/// <summary>
/// A simulated factory as a scenario file describes it (JSON, documented in the README): its clock, shifts,
/// part types, machines and fleets. Bound by <see cref="ScenarioFile"/>, which rejects unknown keys and
/// checks every value.
/// </summary>
public sealed class Scenario
{
    /// <summary>Seed of every random draw: the same scenario and seed give the same run and ground-truth log.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Factory time at the start of the run; the wall clock when absent.</summary>
    public DateTimeOffset? Start { get; set; }

    /// <summary>Factory seconds per wall second (1440: a day a minute).</summary>
    public double Acceleration { get; set; } = 1;

    /// <summary>Factory time after which production stops (machines keep answering); unbounded when absent.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Where the labelled ground-truth log (JSON lines) is written; none when absent.</summary>
    public string? GroundTruthLog { get; set; }

    /// <summary>The address every network face listens on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Working time; when empty the factory works around the clock.</summary>
    public List<Shift> Shifts { get; set; } = [];

    public Dictionary<string, PartType> PartTypes { get; set; } = [];

    public List<MachineSpec> Machines { get; set; } = [];

    /// <summary>Many machines of one kind on consecutive ports or unit ids (load tests).</summary>
    public List<FleetSpec> Fleet { get; set; } = [];
}

/// <summary>A shift: machines are switched on at its start and off at its end; breaks stop production.</summary>
public sealed class Shift
{
    public string Name { get; set; } = "";

    /// <summary>Time of day (factory clock, UTC) the shift starts, e.g. "06:00:00".</summary>
    public TimeSpan Start { get; set; }

    /// <summary>Time of day it ends; earlier than the start for a night shift.</summary>
    public TimeSpan End { get; set; }

    /// <summary>Days the shift starts on; every day when empty.</summary>
    public List<DayOfWeek> Days { get; set; } = [];

    public List<ShiftBreak> Breaks { get; set; } = [];
}

public sealed class ShiftBreak
{
    public TimeSpan Start { get; set; }

    public TimeSpan Duration { get; set; }
}

/// <summary>A kind of part made in jobs: how many per job, and how long a cycle takes on each machine kind.</summary>
public sealed class PartType
{
    /// <summary>Relative frequency among the part types a machine makes.</summary>
    public double Weight { get; set; } = 1;

    public int MinQuantity { get; set; } = 10;

    public int MaxQuantity { get; set; } = 50;

    /// <summary>Cycle-time distribution per machine kind (normal, truncated at 30 % of the mean).</summary>
    public Dictionary<MachineKind, CycleTime> CycleTimes { get; set; } = [];

    /// <summary>The CNC router's tool for this part.</summary>
    public int Tool { get; set; } = 1;
}

public sealed class CycleTime
{
    public TimeSpan Mean { get; set; }

    public TimeSpan Deviation { get; set; }

    /// <summary>Pieces one cycle yields (a saw cuts a panel into several parts, a nesting sheet holds many).</summary>
    public int Pieces { get; set; } = 1;
}

public enum MachineKind
{
    CncRouter,
    PanelSaw,
    Edgebander,
    EnergyMeter,
}

public enum MachineProtocol
{
    /// <summary>OPC UA binary over TCP, woodworking model (CNC router).</summary>
    OpcUa,
    ModbusTcp,
    ModbusRtu,

    /// <summary>A line-oriented ASCII status stream on a serial port (edgebander).</summary>
    AsciiLine,
}

/// <summary>One machine of the scenario.</summary>
public sealed class MachineSpec
{
    public string Id { get; set; } = "";

    public MachineKind Kind { get; set; }

    public MachineProtocol? Protocol { get; set; }

    /// <summary>TCP port of a network face; 0 takes a free one (logged and shown by the control endpoint).</summary>
    public int Port { get; set; }

    public byte UnitId { get; set; } = 1;

    /// <summary>Serial device of a serial face (e.g. /dev/ttyUSB0 or a socat pty link).</summary>
    public string? SerialPort { get; set; }

    public int BaudRate { get; set; } = 19200;

    public System.IO.Ports.Parity Parity { get; set; } = System.IO.Ports.Parity.None;

    /// <summary>How often the ASCII line variant prints a status line (wall time).</summary>
    public TimeSpan LinePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Part types the machine makes; all with a cycle time for its kind when empty.</summary>
    public List<string> Parts { get; set; } = [];

    /// <summary>Set-up between jobs (tool change, glue change, program load).</summary>
    public TimeSpan Setup { get; set; } = TimeSpan.FromMinutes(8);

    /// <summary>Loading time between cycles (the machine is Ready, waiting for the next panel).</summary>
    public TimeSpan Loading { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Chance per cycle of a micro-stop (Standby for 30 s to 3 min).</summary>
    public double MicroStopProbability { get; set; } = 0.02;

    /// <summary>Chance per cycle of a sudden fault (jam, collision) that stops the machine in Error until cleared.</summary>
    public double SuddenFaultProbability { get; set; } = 0.001;

    /// <summary>Degradation processes by failure kind; the kind's default when absent, none when empty.</summary>
    public Dictionary<string, FailureSpec>? Failures { get; set; }

    /// <summary>An energy meter's machine: the meter measures what that machine draws.</summary>
    public string? Measures { get; set; }

    /// <summary>Rated electrical power in kW (of the machine, or of the load a meter measures alone).</summary>
    public double? RatedPower { get; set; }
}

/// <summary>A degradation process: onset after an exponential time, failure after its progression, then repair.</summary>
public sealed class FailureSpec
{
    /// <summary>Mean factory time from a repair (or the start) to the onset of degradation.</summary>
    public TimeSpan MeanTimeToOnset { get; set; }

    /// <summary>Mean time from onset to failure (±30 %).</summary>
    public TimeSpan Progression { get; set; }

    /// <summary>Mean repair time (±30 %).</summary>
    public TimeSpan Repair { get; set; }
}

/// <summary>Count machines of a kind named <c>{IdPrefix}{n:000}</c>, on ports from FirstPort (or unit ids from FirstUnitId on one serial line or shared port).</summary>
public sealed class FleetSpec
{
    public MachineKind Kind { get; set; }

    public MachineProtocol? Protocol { get; set; }

    public int Count { get; set; }

    public string IdPrefix { get; set; } = "";

    public int FirstPort { get; set; }

    /// <summary>All on FirstPort: Modbus TCP machines as unit ids counting up from FirstUnitId, CNC routers as machines of one OPC UA server.</summary>
    public bool SharePort { get; set; }

    public byte FirstUnitId { get; set; } = 1;

    public string? SerialPort { get; set; }

    public int BaudRate { get; set; } = 19200;

    public System.IO.Ports.Parity Parity { get; set; } = System.IO.Ports.Parity.None;

    public Dictionary<string, FailureSpec>? Failures { get; set; }
}

namespace DomioOps.Simulators.Behaviour;

/// <summary>The woodworking machine states (OPC 40550-1 WwMachineStateEnumeration).</summary>
public enum MachineState : ushort
{
    Offline = 0,
    Standby = 1,
    Ready = 2,
    Working = 3,
    Error = 4,
}

/// <summary>The woodworking machine modes (OPC 40550-1 WwMachineModeEnumeration).</summary>
public enum MachineMode : ushort
{
    Other = 0,
    Automatic = 1,
    Semiautomatic = 2,
    Manual = 3,
    Setup = 4,
    Sleep = 5,
}

/// <summary>The flags of OPC 40550-1 (State/Machine/Flags), as the bits of one register.</summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Named as the woodworking specification names them.")]
public enum MachineFlags : ushort
{
    None = 0,
    MachineOn = 1 << 0,
    PowerPresent = 1 << 1,
    Emergency = 1 << 2,
    Error = 1 << 3,
    Alarm = 1 << 4,
    Warning = 1 << 5,
    RecipeInRun = 1 << 6,
    MaintenanceRequired = 1 << 7,
}

/// <summary>What a simulated device shows at one instant; the faces turn it into registers, nodes or lines.</summary>
internal sealed class MachineReading
{
    public DateTimeOffset Time { get; set; }

    public MachineState State { get; set; }

    public MachineMode Mode { get; set; }

    public MachineFlags Flags { get; set; }

    public ushort Alarm { get; set; }

    public uint PiecesIn { get; set; }

    public uint PiecesOut { get; set; }

    public uint RunsGood { get; set; }

    public uint RunsAborted { get; set; }

    public uint Cycles { get; set; }

    /// <summary>Seconds of the last finished cycle.</summary>
    public double CycleTime { get; set; }

    /// <summary>Time spent in each <see cref="MachineState"/> since the start, by state number.</summary>
    public TimeSpan[] StateTimes { get; } = new TimeSpan[5];

    public double FeedSpeed { get; set; }

    public double SpindleSpeed { get; set; }

    public double SpindleLoad { get; set; }

    public double SpindleTemperature { get; set; }

    public double Vibration { get; set; }

    public int ActiveTool { get; set; }

    public double ToolLife { get; set; }

    public double BladeMotorCurrent { get; set; }

    public double BladeWear { get; set; }

    public double BladeSpeed { get; set; }

    public double GlueTemperature { get; set; }

    public double GlueSetpoint { get; set; }

    /// <summary>0 off, 1 ready, 2 working, 3 fault.</summary>
    public ushort TrimmingUnit { get; set; }

    /// <summary>Electrical power the machine draws, kW (what its meter measures).</summary>
    public double Power { get; set; }

    public double Voltage { get; set; }

    public double Current { get; set; }

    public double PowerFactor { get; set; }

    public double Frequency { get; set; }

    public double Energy { get; set; }
}

using System.Globalization;

using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Machines;

/// <summary>How a signal's value reads.</summary>
internal enum SignalKind
{
    /// <summary>A quantity in <see cref="SignalUnit.Unit"/>.</summary>
    Quantity,

    /// <summary>A count (pieces, cycles, runs).</summary>
    Count,

    /// <summary>A woodworking machine state (OPC 40550-1 WwMachineStateEnumeration).</summary>
    State,

    /// <summary>A woodworking machine mode (OPC 40550-1 WwMachineModeEnumeration).</summary>
    Mode,

    /// <summary>An alarm code, 0 when none.</summary>
    AlarmCode,

    /// <summary>0 or 1.</summary>
    Flag,

    /// <summary>A number that names something (a tool).</summary>
    Number,

    /// <summary>An edgebander's trimming unit: 0 off, 1 ready, 2 working, 3 fault.</summary>
    TrimmingUnit,
}

/// <summary>The unit (a resource key, <c>Machine.Unit.*</c>), the decimals shown and the kind of a signal's value.</summary>
internal readonly record struct SignalUnit(string? Unit, int Decimals, SignalKind Kind = SignalKind.Quantity);

/// <summary>
/// The unit of every signal, in one place: what the edge's tags scale the devices' values to (the simulators and the
/// woodworking model, OPC 40550-1). The names of signals and units are resources: <c>Machine.Signal.{Signal}</c>,
/// <c>Machine.Unit.{Unit}</c>.
/// </summary>
internal static class SignalUnits
{
    public static SignalUnit Of(Signal signal) => signal switch
    {
        Signal.MachineState => new(null, 0, SignalKind.State),
        Signal.MachineMode => new(null, 0, SignalKind.Mode),
        Signal.PieceCounter or Signal.PiecesIn => new("Pieces", 0, SignalKind.Count),
        Signal.CycleCounter => new("Cycles", 0, SignalKind.Count),
        Signal.RunsGood or Signal.RunsAborted => new("Runs", 0, SignalKind.Count),
        Signal.SpindleLoad or Signal.BladeWear or Signal.ToolWear or Signal.ToolLife => new("Percent", 1),
        Signal.SpindleSpeed => new("Rpm", 0),
        Signal.Vibration => new("MillimetresPerSecond", 2),
        Signal.SpindleTemperature or Signal.GlueTemperature => new("Celsius", 1),
        Signal.FeedSpeed => new("MetresPerMinute", 1),
        Signal.BladeMotorCurrent or Signal.Current => new("Amperes", 1),
        Signal.Voltage => new("Volts", 1),
        Signal.Power => new("Kilowatts", 2),
        Signal.Energy => new("KilowattHours", 1),
        Signal.PowerFactor => new(null, 2),
        Signal.CycleTime => new("Seconds", 1),
        Signal.Alarm => new(null, 0, SignalKind.AlarmCode),
        Signal.Warning or Signal.Emergency or Signal.MaintenanceRequired => new(null, 0, SignalKind.Flag),
        Signal.ActiveTool => new(null, 0, SignalKind.Number),
        Signal.TrimmingUnit => new(null, 0, SignalKind.TrimmingUnit),
        _ => new(null, 2),
    };

    /// <summary>The signals a page names: every one but Unspecified.</summary>
    public static IEnumerable<Signal> All => Enum.GetValues<Signal>().Where(s => s != Signal.Unspecified);

    /// <summary>The resource key of a signal's name.</summary>
    public static string NameKey(Signal signal) => "Machine.Signal." + signal;

    /// <summary>The resource key of a unit.</summary>
    public static string UnitKey(string unit) => "Machine.Unit." + unit;

    /// <summary>The number in the culture, with the signal's decimals (grouped thousands).</summary>
    public static string Number(Signal signal, double value, CultureInfo culture) =>
        value.ToString("N" + Of(signal).Decimals.ToString(CultureInfo.InvariantCulture), culture);

    /// <summary>A signal's name from the string the machine snapshot keys it by, or null for a name this build does not know.</summary>
    public static Signal? Parse(string name) =>
        Enum.TryParse<Signal>(name, ignoreCase: false, out var signal) && Enum.IsDefined(signal) && signal != Signal.Unspecified && !char.IsAsciiDigit(name[0]) ? signal : null;
}

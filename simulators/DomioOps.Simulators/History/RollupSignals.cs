using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.History;

/// <summary>The signals of domio.v1.Signal (models/DomioOps.Models/Protos/telemetry.proto) a history holds, by number.</summary>
internal enum RollupSignal : short
{
    MachineState = 1,
    PieceCounter = 3,
    SpindleLoad = 4,
    Vibration = 6,
    SpindleTemperature = 7,
    FeedSpeed = 8,
    BladeMotorCurrent = 9,
    BladeWear = 10,
    GlueTemperature = 12,
    Power = 13,
    Alarm = 15,
    Warning = 25,
    CycleTime = 29,
}

/// <summary>
/// The signals the edges map for each kind of machine (edge/DomioOps.Edge/appsettings.SimulatedFactory.json and the
/// router's OPC UA variables): state, piece counter, alarm code, warning flag, cycle time, feed speed and the power its
/// meter measures, plus the kind's condition signals. The meter's power is kept under the machine's own id.
/// </summary>
internal static class RollupSignals
{
    private static readonly RollupSignal[] Common =
        [RollupSignal.MachineState, RollupSignal.PieceCounter, RollupSignal.FeedSpeed, RollupSignal.Power, RollupSignal.Alarm, RollupSignal.Warning, RollupSignal.CycleTime];

    public static IReadOnlyList<RollupSignal> Of(MachineKind kind) => kind switch
    {
        MachineKind.CncRouter => [.. Common, RollupSignal.SpindleLoad, RollupSignal.Vibration, RollupSignal.SpindleTemperature],
        MachineKind.PanelSaw => [.. Common, RollupSignal.BladeMotorCurrent, RollupSignal.BladeWear],
        MachineKind.Edgebander => [.. Common, RollupSignal.GlueTemperature],
        _ => [],
    };

    /// <summary>The value of <paramref name="signal"/> in <paramref name="reading"/>, as the edge would report it.</summary>
    public static double Value(RollupSignal signal, MachineReading reading) => signal switch
    {
        RollupSignal.MachineState => (double)reading.State,
        RollupSignal.PieceCounter => reading.PiecesOut,
        RollupSignal.SpindleLoad => reading.SpindleLoad,
        RollupSignal.Vibration => reading.Vibration,
        RollupSignal.SpindleTemperature => reading.SpindleTemperature,
        RollupSignal.FeedSpeed => reading.FeedSpeed,
        RollupSignal.BladeMotorCurrent => reading.BladeMotorCurrent,
        RollupSignal.BladeWear => reading.BladeWear,
        RollupSignal.GlueTemperature => reading.GlueTemperature,
        RollupSignal.Power => reading.Power,
        RollupSignal.Alarm => reading.Alarm,
        RollupSignal.Warning => reading.Flags.HasFlag(MachineFlags.Warning) ? 1 : 0,
        RollupSignal.CycleTime => reading.CycleTime,
        _ => 0,
    };
}

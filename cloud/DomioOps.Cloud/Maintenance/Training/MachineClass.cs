using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>The kinds of machine a model is trained for; a machine's class follows from the signals it reports.</summary>
public enum MachineClass
{
    CncRouter,
    PanelSaw,
    Edgebander,
}

/// <summary>Names of the classes on the command line and in the registry, and the signal that tells each apart.</summary>
internal static class MachineClasses
{
    public static IReadOnlyList<MachineClass> All { get; } = [MachineClass.CncRouter, MachineClass.PanelSaw, MachineClass.Edgebander];

    /// <summary>cnc-router, panel-saw, edgebander (the simulators' machine kinds).</summary>
    public static string Name(MachineClass machineClass) => machineClass switch
    {
        MachineClass.CncRouter => "cnc-router",
        MachineClass.PanelSaw => "panel-saw",
        _ => "edgebander",
    };

    public static bool TryParse(string name, out MachineClass machineClass)
    {
        foreach (var c in All)
        {
            if (string.Equals(Name(c), name, StringComparison.OrdinalIgnoreCase))
            {
                machineClass = c;
                return true;
            }
        }

        machineClass = default;
        return false;
    }

    /// <summary>The signal only machines of the class report: spindle vibration, blade motor current, glue temperature.</summary>
    public static Signal Marker(MachineClass machineClass) => machineClass switch
    {
        MachineClass.CncRouter => Signal.Vibration,
        MachineClass.PanelSaw => Signal.BladeMotorCurrent,
        _ => Signal.GlueTemperature,
    };
}

namespace DomioOps.Simulators.PanelSaws;

/// <summary>One simulated panel saw (an element of <c>Simulators:PanelSaws</c>).</summary>
public sealed class PanelSawOptions
{
    public string Machine { get; set; } = "saw-01";

    /// <summary>The Modbus TCP port on 127.0.0.1; 0 picks a free one (logged).</summary>
    public int Port { get; set; } = 5020;

    public byte UnitId { get; set; } = 1;

    /// <summary>The mean time of one cut; the cycle varies ±20 % around it.</summary>
    public TimeSpan CycleTime { get; set; } = TimeSpan.FromSeconds(4);

    public int PiecesPerCycle { get; set; } = 1;

    /// <summary>Chance per cycle of stopping on a fault (Error) for 3–8 cycle times.</summary>
    public double FaultProbability { get; set; } = 0.02;

    /// <summary>Chance per cycle of a pause (Standby) for 2–5 cycle times.</summary>
    public double PauseProbability { get; set; } = 0.05;

    public int Seed { get; set; } = 1;
}

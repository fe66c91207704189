using DomioOps.Simulators.PanelSaws;

namespace DomioOps.Simulators;

/// <summary>The simulated factory (section <c>Simulators</c>).</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulators";

    /// <summary>The address the simulated machines listen on; 127.0.0.1 unless edges run on other hosts (containers).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public List<PanelSawOptions> PanelSaws { get; set; } = [];
}

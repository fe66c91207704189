namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary>The five failure modes of the AI4I 2020 data set, as its flag columns name them.</summary>
[Flags]
public enum FailureModes
{
    None = 0,
    /// <summary>TWF: tool wear failure.</summary>
    ToolWear = 1,
    /// <summary>HDF: heat dissipation failure.</summary>
    HeatDissipation = 2,
    /// <summary>PWF: power failure.</summary>
    Power = 4,
    /// <summary>OSF: overstrain failure.</summary>
    Overstrain = 8,
    /// <summary>RNF: random failure.</summary>
    Random = 16,
}

/// <summary>
/// One row of an AI4I 2020 file (S. Matzka, 2020; UCI Machine Learning Repository). <see cref="Line"/> is its line in
/// the file, for messages.
/// </summary>
public sealed record Ai4iRecord(int Line, string ProductId, char Type, double AirTemperatureK, double ProcessTemperatureK,
    double RotationalSpeedRpm, double TorqueNm, double ToolWearMin, bool MachineFailure, FailureModes Modes);

namespace DomioOps.Devices.Serial;

/// <summary>How a device's ASCII lines are framed, and how a key=value line is split into its pairs.</summary>
public sealed record LineFormat
{
    public LineChecksum Checksum { get; init; } = LineChecksum.None;

    /// <summary>Characters separating the pairs of a key=value line.</summary>
    public string PairSeparators { get; init; } = " ;,\t";

    /// <summary>The character between a key and its value.</summary>
    public char KeyValueSeparator { get; init; } = '=';
}

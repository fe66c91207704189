namespace DomioOps.Devices.OpcUa;

/// <summary>
/// A value with its status and timestamps (OPC 10000-4 §7.11). A struct, like <see cref="Variant"/>: decoding a data
/// change of a numeric value allocates nothing.
/// </summary>
public readonly record struct DataValue(
    Variant Value,
    StatusCode StatusCode = default,
    DateTime? SourceTimestamp = null,
    DateTime? ServerTimestamp = null,
    ushort SourcePicoseconds = 0,
    ushort ServerPicoseconds = 0)
{
    public DataValue()
        : this(Variant.Null)
    {
    }

    public static DataValue FromStatus(StatusCode statusCode) => new(Variant.Null, statusCode);
}

using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa;

/// <summary>A range of values (OPC 10000-8 §5.6.2, DataType i=884, DefaultBinary i=886): Low Double, High Double.</summary>
public sealed record Range(double Low, double High) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.Range_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter writer)
    {
        writer.WriteDouble(Low);
        writer.WriteDouble(High);
    }

    internal static Range Decode(ref UaBinaryReader r) => new(r.ReadDouble(), r.ReadDouble());
}

using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa;

/// <summary>
/// A method argument (OPC 10000-3 §8.6, DataType i=296, DefaultBinary i=298): Name String, DataType NodeId,
/// ValueRank Int32, ArrayDimensions UInt32[], Description LocalizedText. The value of InputArguments and OutputArguments.
/// </summary>
public sealed record Argument(string? Name, NodeId DataType, int ValueRank = -1, IReadOnlyList<uint>? ArrayDimensions = null, LocalizedText? Description = null) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.Argument_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter writer)
    {
        writer.WriteString(Name);
        writer.WriteNodeId(DataType);
        writer.WriteInt32(ValueRank);
        writer.WriteArray(ArrayDimensions, static (w, d) => w.WriteUInt32(d));
        writer.WriteLocalizedText(Description ?? LocalizedText.Null);
    }

    internal static Argument Decode(ref UaBinaryReader r) =>
        new(r.ReadString(), r.ReadNodeId(), r.ReadInt32(), r.ReadArray(static (ref UaBinaryReader x) => x.ReadUInt32()), r.ReadLocalizedText());
}

using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa;

/// <summary>
/// One value of an enumeration (OPC 10000-3 §8.40, DataType i=7594, DefaultBinary i=8251): Value Int64,
/// DisplayName LocalizedText, Description LocalizedText. The EnumValues property of an enumeration data type holds an array of them.
/// </summary>
public sealed record EnumValueType(long Value, LocalizedText DisplayName, LocalizedText? Description = null) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.EnumValueType_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter writer)
    {
        writer.WriteInt64(Value);
        writer.WriteLocalizedText(DisplayName);
        writer.WriteLocalizedText(Description ?? LocalizedText.Null);
    }

    internal static EnumValueType Decode(ref UaBinaryReader r) => new(r.ReadInt64(), r.ReadLocalizedText(), r.ReadLocalizedText());
}

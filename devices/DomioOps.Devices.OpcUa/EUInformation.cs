using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa;

/// <summary>
/// An engineering unit (OPC 10000-8 §5.6.3, DataType i=887, DefaultBinary i=889): NamespaceUri String, UnitId Int32,
/// DisplayName LocalizedText, Description LocalizedText.
/// </summary>
public sealed record EUInformation(string? NamespaceUri, int UnitId, LocalizedText DisplayName, LocalizedText? Description = null) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.EUInformation_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter writer)
    {
        writer.WriteString(NamespaceUri);
        writer.WriteInt32(UnitId);
        writer.WriteLocalizedText(DisplayName);
        writer.WriteLocalizedText(Description ?? LocalizedText.Null);
    }

    internal static EUInformation Decode(ref UaBinaryReader r) => new(r.ReadString(), r.ReadInt32(), r.ReadLocalizedText(), r.ReadLocalizedText());
}

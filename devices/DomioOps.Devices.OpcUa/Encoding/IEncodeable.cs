namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>A structure with a UA Binary encoding (OPC 10000-6 §5.2.6): its fields in order, no padding.</summary>
internal interface IEncodeable
{
    /// <summary>The NodeId of the DefaultBinary encoding object, written before the body in ExtensionObjects and messages.</summary>
    uint BinaryEncodingId { get; }

    void Encode(UaBinaryWriter writer);
}

/// <summary>Decodes one structure body.</summary>
internal delegate IEncodeable EncodeableDecoder(ref UaBinaryReader reader);

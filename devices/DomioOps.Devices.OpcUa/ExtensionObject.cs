namespace DomioOps.Devices.OpcUa;

/// <summary>
/// A structure wrapped with the NodeId of its encoding (OPC 10000-6 §5.2.2.15). <see cref="Body"/> is a decoded
/// known structure, the raw bytes of an unknown binary body (<see cref="ReadOnlyMemory{T}"/> of byte), an XML string, or null.
/// </summary>
public sealed record ExtensionObject(NodeId TypeId, object? Body)
{
    public static readonly ExtensionObject Null = new(NodeId.Null, null);
}

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>An object or folder node.</summary>
public sealed class ObjectNode : Node
{
    public ObjectNode(NodeId nodeId, QualifiedName browseName, LocalizedText displayName)
        : base(nodeId, browseName, displayName)
    {
    }

    public override NodeClass NodeClass => NodeClass.Object;

    /// <summary>The EventNotifier attribute (OPC 10000-3 §5.5.1): bit 0 SubscribeToEvents.</summary>
    public byte EventNotifier { get; set; }
}

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>A method node (OPC 10000-3 §5.7); its arguments are the InputArguments and OutputArguments properties.</summary>
public sealed class MethodNode : Node
{
    public MethodNode(NodeId nodeId, QualifiedName browseName, LocalizedText displayName)
        : base(nodeId, browseName, displayName)
    {
    }

    public override NodeClass NodeClass => NodeClass.Method;

    public bool Executable { get; init; } = true;

    /// <summary>What runs when a client calls the method; without one, Call answers BadNotImplemented.</summary>
    public MethodHandler? Handler { get; set; }
}

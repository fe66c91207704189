namespace DomioOps.Devices.OpcUa.Server;

/// <summary>A type node (object type, variable type, reference type or data type) kept for browsing and type definitions.</summary>
public sealed class TypeNode : Node
{
    public TypeNode(NodeId nodeId, QualifiedName browseName, NodeClass nodeClass, LocalizedText? displayName = null)
        : base(nodeId, browseName, displayName ?? new LocalizedText(browseName.Name))
    {
        NodeClass = nodeClass;
    }

    public override NodeClass NodeClass { get; }

    public bool IsAbstract { get; init; }

    /// <summary>For a reference type: whether the reference means the same in both directions.</summary>
    public bool Symmetric { get; init; }

    /// <summary>For a reference type: its name seen from the target.</summary>
    public LocalizedText? InverseName { get; init; }

    /// <summary>For a variable type: the data type of its instances' values.</summary>
    public NodeId? DataType { get; init; }
}

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>A node of the server's address space.</summary>
public abstract class Node
{
    private readonly List<NodeReference> _references = [];

    private protected Node(NodeId nodeId, QualifiedName browseName, LocalizedText displayName)
    {
        NodeId = nodeId;
        BrowseName = browseName;
        DisplayName = displayName;
    }

    public NodeId NodeId { get; }

    public QualifiedName BrowseName { get; }

    public LocalizedText DisplayName { get; }

    public LocalizedText? Description { get; init; }

    public abstract NodeClass NodeClass { get; }

    public IReadOnlyList<NodeReference> References => _references;

    internal void AddReference(NodeReference reference) => _references.Add(reference);
}

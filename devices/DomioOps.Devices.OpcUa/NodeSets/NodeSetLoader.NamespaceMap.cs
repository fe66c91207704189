namespace DomioOps.Devices.OpcUa.NodeSets;

public sealed partial class NodeSetLoader
{
    /// <summary>
    /// A NodeSet's namespace indices mapped to an address space's: NodeIds, QualifiedNames, ExpandedNodeIds and the
    /// data type of Arguments, also inside values and arrays. Namespace 0 and values without indices are kept as they are.
    /// </summary>
    private sealed class NamespaceMap(ushort[] map)
    {
        public NodeId Map(NodeId id) => id.NamespaceIndex == 0 || map[id.NamespaceIndex] == id.NamespaceIndex ? id : id.IdType switch
        {
            NodeIdType.Numeric => new NodeId(map[id.NamespaceIndex], id.NumericIdentifier),
            NodeIdType.String => new NodeId(map[id.NamespaceIndex], id.StringIdentifier),
            NodeIdType.Guid => new NodeId(map[id.NamespaceIndex], id.GuidIdentifier),
            _ => new NodeId(map[id.NamespaceIndex], id.OpaqueIdentifier),
        };

        public QualifiedName Map(QualifiedName name) =>
            name.NamespaceIndex == 0 || map[name.NamespaceIndex] == name.NamespaceIndex ? name : name with { NamespaceIndex = map[name.NamespaceIndex] };

        public Variant Map(Variant value) => value.Value switch
        {
            NodeId id => new Variant(Map(id)),
            ExpandedNodeId id => new Variant(Map(id)),
            QualifiedName name => new Variant(Map(name)),
            ExtensionObject extension => new Variant(Map(extension)),
            NodeId[] ids => new Variant(Array.ConvertAll(ids, Map)),
            ExpandedNodeId[] ids => new Variant(Array.ConvertAll(ids, Map)),
            QualifiedName[] names => new Variant(Array.ConvertAll(names, Map)),
            ExtensionObject[] extensions when extensions.Any(e => e.Body is Argument) => new Variant(Array.ConvertAll(extensions, Map)),
            _ => value,
        };

        private ExpandedNodeId Map(ExpandedNodeId id) => id with { NodeId = Map(id.NodeId) };

        private ExtensionObject Map(ExtensionObject extension) =>
            extension.Body is Argument argument ? extension with { Body = argument with { DataType = Map(argument.DataType) } } : extension;
    }
}

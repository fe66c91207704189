using DomioOps.Devices.OpcUa;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// A NodeId as configured: the standard text form (<c>ns=2;s=Name</c>), or with the namespace URI instead of its index
/// (<c>nsu=http://vendor/;s=Name</c>, OPC 10000-6 §5.3.1.11), which survives the server renumbering its namespaces.
/// </summary>
internal sealed record ConfiguredNodeId(string? NamespaceUri, NodeId NodeId)
{
    public static bool TryParse(string text, out ConfiguredNodeId? nodeId)
    {
        nodeId = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string? uri = null;
        var rest = text;
        if (text.StartsWith("nsu=", StringComparison.Ordinal))
        {
            var semi = text.IndexOf(';', StringComparison.Ordinal);
            if (semi < 5)
            {
                return false;
            }

            uri = text[4..semi];
            rest = text[(semi + 1)..];
        }

        try
        {
            nodeId = new ConfiguredNodeId(uri, NodeId.Parse(rest));
            return uri is null || nodeId.NodeId.NamespaceIndex == 0;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
    }

    public static bool IsValid(string text) => TryParse(text, out _);

    /// <summary>The NodeId on a server with these namespaces, or null when the server lacks the namespace.</summary>
    public NodeId? Resolve(IReadOnlyList<string> namespaceUris)
    {
        if (NamespaceUri is null)
        {
            return NodeId;
        }

        var index = namespaceUris.ToList().IndexOf(NamespaceUri);
        return index < 0 ? null : NodeId.IdType switch
        {
            NodeIdType.Numeric => new NodeId((ushort)index, NodeId.NumericIdentifier),
            NodeIdType.String => new NodeId((ushort)index, (string)NodeId.Identifier),
            NodeIdType.Guid => new NodeId((ushort)index, (Guid)NodeId.Identifier),
            _ => new NodeId((ushort)index, (byte[])NodeId.Identifier),
        };
    }
}

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Which notifiers see an event.</summary>
public sealed partial class AddressSpace
{
    private const int MaxNotifierSearch = 1_000;

    /// <summary>
    /// The nodes whose event monitored items report an event of <paramref name="source"/>: the source itself, every node
    /// above it through inverse hierarchical references (HasEventSource, HasNotifier, HasComponent, Organizes, ...), and
    /// the Server object, which sees every event.
    /// </summary>
    internal HashSet<NodeId> NotifiersOf(NodeId source)
    {
        HashSet<NodeId> seen = [source, WellKnownNodes.Server];
        Queue<NodeId> pending = new([source]);
        while (pending.TryDequeue(out var current) && seen.Count < MaxNotifierSearch)
        {
            if (Find(current) is not { } node)
            {
                continue;
            }

            foreach (var reference in node.References.ToArray())
            {
                if (!reference.IsForward && IsSubtypeOf(reference.ReferenceTypeId, WellKnownNodes.HierarchicalReferences) && seen.Add(reference.TargetId))
                {
                    pending.Enqueue(reference.TargetId);
                }
            }
        }

        return seen;
    }
}

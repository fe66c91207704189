using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>View service set (OPC 10000-4 §5.9): Browse, BrowseNext, TranslateBrowsePathsToNodeIds, RegisterNodes and UnregisterNodes.</summary>
public sealed partial class OpcUaServer
{
    /// <summary>Browse (OPC 10000-4 §5.9.2).</summary>
    private BrowseResponse Browse(ServerSession session, BrowseRequest browse, DateTime now)
    {
        CheckCount(browse.NodesToBrowse.Count, Options.MaxNodesPerBrowse);
        return new BrowseResponse(ResponseHeader.For(browse.RequestHeader, now), [.. browse.NodesToBrowse.Select(d => BrowseNode(session, d, browse.RequestedMaxReferencesPerNode))]);
    }

    /// <summary>BrowseNext (OPC 10000-4 §5.9.3).</summary>
    private BrowseNextResponse BrowseNext(ServerSession session, BrowseNextRequest next, DateTime now) =>
        new(ResponseHeader.For(next.RequestHeader, now), [.. next.ContinuationPoints.Select(cp => ContinueBrowse(session, cp, next.ReleaseContinuationPoints))]);

    /// <summary>TranslateBrowsePathsToNodeIds (OPC 10000-4 §5.9.4).</summary>
    private TranslateBrowsePathsResponse TranslateBrowsePaths(TranslateBrowsePathsRequest translate, DateTime now)
    {
        CheckCount(translate.BrowsePaths.Count, Options.MaxNodesPerBrowse);
        return new TranslateBrowsePathsResponse(ResponseHeader.For(translate.RequestHeader, now), [.. translate.BrowsePaths.Select(TranslateBrowsePath)]);
    }

    /// <summary>
    /// RegisterNodes (OPC 10000-4 §5.9.5): registration is a hint; our node lookup is already a dictionary, so the ids stay
    /// as they are.
    /// </summary>
    private RegisterNodesResponse RegisterNodes(RegisterNodesRequest register, DateTime now)
    {
        CheckCount(register.NodesToRegister.Count, Options.MaxNodesPerRead);
        return new RegisterNodesResponse(ResponseHeader.For(register.RequestHeader, now), register.NodesToRegister);
    }

    /// <summary>UnregisterNodes (OPC 10000-4 §5.9.6).</summary>
    private UnregisterNodesResponse UnregisterNodes(UnregisterNodesRequest unregister, DateTime now)
    {
        CheckCount(unregister.NodesToUnregister.Count, Options.MaxNodesPerRead);
        return new UnregisterNodesResponse(ResponseHeader.For(unregister.RequestHeader, now));
    }

    private BrowseResult BrowseNode(ServerSession session, BrowseDescription description, uint requestedMax)
    {
        var node = AddressSpace.Find(description.NodeId);
        if (node is null)
        {
            return new BrowseResult(StatusCode.BadNodeIdUnknown, null, []);
        }

        if (description.BrowseDirection is < BrowseDirection.Forward or > BrowseDirection.Both)
        {
            return new BrowseResult(StatusCode.BadBrowseDirectionInvalid, null, []);
        }

        List<ReferenceDescription> all = [];
        foreach (var reference in node.References.ToArray())
        {
            var direction = description.BrowseDirection == BrowseDirection.Both || (reference.IsForward == (description.BrowseDirection == BrowseDirection.Forward));
            if (!direction || !AddressSpace.IsReferenceOfType(reference.ReferenceTypeId, description.ReferenceTypeId, description.IncludeSubtypes))
            {
                continue;
            }

            if (description.NodeClassMask != 0 && ((uint)(AddressSpace.Find(reference.TargetId)?.NodeClass ?? NodeClass.Unspecified) & description.NodeClassMask) == 0)
            {
                continue;
            }

            all.Add(AddressSpace.Describe(reference, description.ResultMask));
        }

        return Page(session, description.NodeId, all, requestedMax);
    }

    private BrowseResult Page(ServerSession session, NodeId node, List<ReferenceDescription> all, uint requestedMax)
    {
        var max = requestedMax == 0 ? Options.MaxReferencesPerNode : Math.Min(requestedMax, Options.MaxReferencesPerNode);
        if (all.Count <= max)
        {
            return new BrowseResult(StatusCode.Good, null, all);
        }

        var key = session.StoreContinuationPoint(node, all.GetRange((int)max, all.Count - (int)max));
        session.StoreMaxReferences(key, max);
        return new BrowseResult(StatusCode.Good, System.Text.Encoding.ASCII.GetBytes(key), all.GetRange(0, (int)max));
    }

    private BrowseResult ContinueBrowse(ServerSession session, byte[]? continuationPoint, bool release)
    {
        var key = System.Text.Encoding.ASCII.GetString(continuationPoint ?? []);
        var max = session.TakeMaxReferences(key);
        if (!session.TakeContinuationPoint(key, out var rest))
        {
            return new BrowseResult(StatusCode.BadContinuationPointInvalid, null, []);
        }

        return release ? new BrowseResult(StatusCode.Good, null, []) : Page(session, NodeId.Null, rest, max);
    }

    private BrowsePathResult TranslateBrowsePath(BrowsePath path)
    {
        if (AddressSpace.Find(path.StartingNode) is null)
        {
            return new BrowsePathResult(StatusCode.BadNodeIdUnknown, []);
        }

        if (path.RelativePath.Count == 0)
        {
            return new BrowsePathResult(StatusCode.BadNothingToDo, []);
        }

        List<NodeId> current = [path.StartingNode];
        foreach (var element in path.RelativePath)
        {
            if (element.TargetName.Name is null)
            {
                return new BrowsePathResult(StatusCode.BadBrowseNameInvalid, []);
            }

            List<NodeId> next = [];
            foreach (var id in current)
            {
                foreach (var reference in AddressSpace.Find(id)?.References.ToArray() ?? [])
                {
                    if (reference.IsForward == element.IsInverse || !AddressSpace.IsReferenceOfType(reference.ReferenceTypeId, element.ReferenceTypeId, element.IncludeSubtypes))
                    {
                        continue;
                    }

                    if (AddressSpace.Find(reference.TargetId)?.BrowseName == element.TargetName)
                    {
                        next.Add(reference.TargetId);
                    }
                }
            }

            if (next.Count == 0)
            {
                return new BrowsePathResult(StatusCode.BadNoMatch, []);
            }

            current = next;
        }

        return new BrowsePathResult(StatusCode.Good, [.. current.Select(id => new BrowsePathTarget(new ExpandedNodeId(id), uint.MaxValue))]);
    }
}

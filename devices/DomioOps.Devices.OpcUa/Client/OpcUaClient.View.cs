using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>View service set (OPC 10000-4 §5.9): Browse, BrowseNext, TranslateBrowsePathsToNodeIds, RegisterNodes and UnregisterNodes.</summary>
public sealed partial class OpcUaClient
{
    /// <summary>Browse (OPC 10000-4 §5.9.2), batched by MaxNodesPerBrowse.</summary>
    public async Task<IReadOnlyList<BrowseResult>> BrowseAsync(IReadOnlyList<BrowseDescription> nodes, uint maxReferencesPerNode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        List<BrowseResult> results = [];
        foreach (var batch in Batches(nodes, OperationLimits.MaxNodesPerBrowse))
        {
            var response = await RequestAsync<BrowseResponse>(new BrowseRequest(Header(_authenticationToken), maxReferencesPerNode, batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    /// <summary>BrowseNext (OPC 10000-4 §5.9.3).</summary>
    public async Task<IReadOnlyList<BrowseResult>> BrowseNextAsync(IReadOnlyList<byte[]> continuationPoints, bool release, CancellationToken cancellationToken)
    {
        var response = await RequestAsync<BrowseNextResponse>(new BrowseNextRequest(Header(_authenticationToken), release, [.. continuationPoints]), cancellationToken).ConfigureAwait(false);
        return response.Results;
    }

    /// <summary>All forward hierarchical references of a node, following continuation points.</summary>
    public async Task<IReadOnlyList<ReferenceDescription>> BrowseAllAsync(NodeId nodeId, CancellationToken cancellationToken, uint pageSize = 0)
    {
        var result = (await BrowseAsync([new BrowseDescription(nodeId, BrowseDirection.Forward, WellKnownNodes.HierarchicalReferences)], pageSize, cancellationToken).ConfigureAwait(false))[0];
        if (result.StatusCode.IsBad)
        {
            throw new OpcUaException(result.StatusCode, $"Browse of {nodeId} failed.");
        }

        List<ReferenceDescription> all = [.. result.References];
        while (result.ContinuationPoint is { Length: > 0 } cp)
        {
            result = (await BrowseNextAsync([cp], false, cancellationToken).ConfigureAwait(false))[0];
            if (result.StatusCode.IsBad)
            {
                throw new OpcUaException(result.StatusCode, $"BrowseNext of {nodeId} failed.");
            }

            all.AddRange(result.References);
        }

        return all;
    }

    /// <summary>TranslateBrowsePathsToNodeIds (OPC 10000-4 §5.9.4).</summary>
    public async Task<IReadOnlyList<BrowsePathResult>> TranslateBrowsePathsAsync(IReadOnlyList<BrowsePath> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        List<BrowsePathResult> results = [];
        foreach (var batch in Batches(paths, OperationLimits.MaxNodesPerTranslateBrowsePathsToNodeIds))
        {
            var response = await RequestAsync<TranslateBrowsePathsResponse>(new TranslateBrowsePathsRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    /// <summary>
    /// RegisterNodes (OPC 10000-4 §5.9.5), batched by MaxNodesPerRegisterNodes: the server may hand back ids that are
    /// faster to use in repeated Read/Write calls. They are valid for this session only (see <see cref="SessionRecreations"/>).
    /// </summary>
    public async Task<IReadOnlyList<NodeId>> RegisterNodesAsync(IReadOnlyList<NodeId> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        List<NodeId> registered = [];
        foreach (var batch in Batches(nodes, OperationLimits.MaxNodesPerRegisterNodes))
        {
            var response = await RequestAsync<RegisterNodesResponse>(new RegisterNodesRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            registered.AddRange(response.RegisteredNodeIds);
        }

        return registered;
    }

    /// <summary>UnregisterNodes (OPC 10000-4 §5.9.6), batched by MaxNodesPerRegisterNodes.</summary>
    public async Task UnregisterNodesAsync(IReadOnlyList<NodeId> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (var batch in Batches(nodes, OperationLimits.MaxNodesPerRegisterNodes))
        {
            await RequestAsync<UnregisterNodesResponse>(new UnregisterNodesRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
        }
    }
}

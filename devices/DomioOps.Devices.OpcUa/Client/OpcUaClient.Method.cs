using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>Method service set (OPC 10000-4 §5.11): Call.</summary>
public sealed partial class OpcUaClient
{
    /// <summary>
    /// Call (OPC 10000-4 §5.11.2), batched by MaxNodesPerMethodCall: runs methods on the server; each result carries its
    /// own status and output arguments.
    /// </summary>
    public async Task<IReadOnlyList<CallMethodResult>> CallAsync(IReadOnlyList<CallMethodRequest> methods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(methods);
        List<CallMethodResult> results = [];
        foreach (var batch in Batches(methods, OperationLimits.MaxNodesPerMethodCall))
        {
            var response = await RequestAsync<CallResponse>(new CallRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    /// <summary>Calls one method and returns its output arguments; a bad result throws an <see cref="OpcUaException"/> with its status.</summary>
    public async Task<IReadOnlyList<Variant>> CallMethodAsync(NodeId objectId, NodeId methodId, IReadOnlyList<Variant> inputArguments, CancellationToken cancellationToken)
    {
        var result = (await CallAsync([new CallMethodRequest(objectId, methodId, inputArguments)], cancellationToken).ConfigureAwait(false))[0];
        return result.StatusCode.IsBad
            ? throw new OpcUaException(result.StatusCode, $"Method {methodId} on {objectId} failed.")
            : result.OutputArguments;
    }
}

using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>Attribute service set (OPC 10000-4 §5.10): Read and Write.</summary>
public sealed partial class OpcUaClient
{
    /// <summary>Read (OPC 10000-4 §5.10.2), batched by MaxNodesPerRead.</summary>
    public async Task<IReadOnlyList<DataValue>> ReadAsync(IReadOnlyList<ReadValueId> nodes, CancellationToken cancellationToken, TimestampsToReturn timestamps = TimestampsToReturn.Both)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        List<DataValue> results = [];
        foreach (var batch in Batches(nodes, OperationLimits.MaxNodesPerRead))
        {
            var response = await RequestAsync<ReadResponse>(new ReadRequest(Header(_authenticationToken), 0, timestamps, batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    public async Task<DataValue> ReadValueAsync(NodeId nodeId, CancellationToken cancellationToken) =>
        (await ReadAsync([new ReadValueId(nodeId)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Write (OPC 10000-4 §5.10.4), batched by MaxNodesPerWrite.</summary>
    public async Task<IReadOnlyList<StatusCode>> WriteAsync(IReadOnlyList<WriteValue> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        List<StatusCode> results = [];
        foreach (var batch in Batches(values, OperationLimits.MaxNodesPerWrite))
        {
            var response = await RequestAsync<WriteResponse>(new WriteRequest(Header(_authenticationToken), batch), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return results;
    }

    public async Task<StatusCode> WriteValueAsync(NodeId nodeId, Variant value, CancellationToken cancellationToken) =>
        (await WriteAsync([new WriteValue(nodeId, value)], cancellationToken).ConfigureAwait(false))[0];
}

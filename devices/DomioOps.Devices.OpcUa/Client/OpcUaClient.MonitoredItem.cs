using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>MonitoredItem service set (OPC 10000-4 §5.12), for the items of an <see cref="OpcUaSubscription"/>.</summary>
public sealed partial class OpcUaClient
{
    internal uint NextClientHandle() => (uint)Interlocked.Increment(ref _clientHandle);

    /// <summary>
    /// CreateMonitoredItems in batches of MaxMonitoredItemsPerCall; a batch refused with BadTooManyOperations is split.
    /// Each item gets its own status, so one unknown node never fails the others.
    /// </summary>
    internal async Task CreateItemsOnServerAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, CancellationToken cancellationToken)
    {
        var limit = OperationLimits.MaxMonitoredItemsPerCall == 0 ? 5000 : Math.Min(OperationLimits.MaxMonitoredItemsPerCall, 5000);
        Queue<List<MonitoredItem>> batches = new(Batches(items, limit));
        while (batches.TryDequeue(out var batch))
        {
            List<MonitoredItemCreateRequest> requests = [.. batch.Select(i => new MonitoredItemCreateRequest(
                new ReadValueId(i.Request.NodeId, i.Request.AttributeId, i.Request.IndexRange),
                i.MonitoringMode,
                new MonitoringParameters(i.ClientHandle, i.Request.SamplingInterval, FilterOf(i.Request), i.Request.QueueSize, i.Request.DiscardOldest)))];
            CreateMonitoredItemsResponse response;
            try
            {
                response = await RequestAsync<CreateMonitoredItemsResponse>(new CreateMonitoredItemsRequest(Header(_authenticationToken), subscription.Id, TimestampsToReturn.Both, requests), cancellationToken).ConfigureAwait(false);
            }
            catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadTooManyOperations && batch.Count > 1)
            {
                var half = batch.Count / 2;
                batches.Enqueue(batch[..half]);
                batches.Enqueue(batch[half..]);
                continue;
            }

            for (var i = 0; i < batch.Count && i < response.Results.Count; i++)
            {
                var result = response.Results[i];
                batch[i].Status = result.StatusCode;
                batch[i].ServerId = result.MonitoredItemId;
                batch[i].RevisedSamplingInterval = result.RevisedSamplingInterval;
                batch[i].RevisedQueueSize = result.RevisedQueueSize;
            }
        }
    }

    private static ExtensionObject FilterOf(MonitoredItemRequest request) =>
        request.EventFilter is { } events ? new ExtensionObject(new NodeId(0, BinaryEncodingIds.EventFilter_Encoding_DefaultBinary), events)
        : request.Filter is { } dataChange ? new ExtensionObject(new NodeId(0, BinaryEncodingIds.DataChangeFilter_Encoding_DefaultBinary), dataChange)
        : ExtensionObject.Null;

    internal async Task<IReadOnlyList<StatusCode>> SetMonitoringModeOnServerAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, MonitoringMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        List<StatusCode> results = [];
        foreach (var batch in Batches(items, OperationLimits.MaxMonitoredItemsPerCall))
        {
            var response = await RequestAsync<StatusCodesResponse>(new SetMonitoringModeRequest(Header(_authenticationToken), subscription.Id, mode, [.. batch.Select(i => i.ServerId)]), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count && i < response.Results.Count; i++)
            {
                if (response.Results[i].IsGood)
                {
                    batch[i].MonitoringMode = mode;
                }
            }

            results.AddRange(response.Results);
        }

        return results;
    }

    internal async Task<(IReadOnlyList<StatusCode> Added, IReadOnlyList<StatusCode> Removed)> SetTriggeringOnServerAsync(OpcUaSubscription subscription, MonitoredItem trigger, IReadOnlyList<MonitoredItem> add, IReadOnlyList<MonitoredItem> remove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(remove);
        var response = await RequestAsync<SetTriggeringResponse>(
            new SetTriggeringRequest(Header(_authenticationToken), subscription.Id, trigger.ServerId, [.. add.Select(i => i.ServerId)], [.. remove.Select(i => i.ServerId)]), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < remove.Count && i < response.RemoveResults.Count; i++)
        {
            trigger.TriggeredItems.Remove(remove[i]);
        }

        for (var i = 0; i < add.Count && i < response.AddResults.Count; i++)
        {
            if (response.AddResults[i].IsGood)
            {
                trigger.TriggeredItems.Add(add[i]);
            }
        }

        return (response.AddResults, response.RemoveResults);
    }

    internal async Task DeleteItemsOnServerAsync(OpcUaSubscription subscription, IReadOnlyList<MonitoredItem> items, CancellationToken cancellationToken)
    {
        uint[] ids = [.. items.Where(i => i.Status.IsGood).Select(i => i.ServerId)];
        foreach (var batch in Batches(ids, OperationLimits.MaxMonitoredItemsPerCall))
        {
            if (batch.Count > 0)
            {
                await RequestAsync<StatusCodesResponse>(new DeleteMonitoredItemsRequest(Header(_authenticationToken), subscription.Id, batch), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

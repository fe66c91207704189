using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// MonitoredItem service set (OPC 10000-4 §5.12): data change and event items of a subscription, and the events the
/// application raises for them.
/// </summary>
public sealed partial class OpcUaServer
{
    /// <summary>CreateMonitoredItems (OPC 10000-4 §5.12.2).</summary>
    private CreateMonitoredItemsResponse CreateMonitoredItems(ServerSession session, CreateMonitoredItemsRequest create, DateTime now)
    {
        var subscription = RequireSubscription(session, create.SubscriptionId);
        CheckCount(create.ItemsToCreate.Count, Options.MaxMonitoredItemsPerCall);
        if (create.TimestampsToReturn is < TimestampsToReturn.Source or > TimestampsToReturn.Neither)
        {
            throw new OpcUaException(StatusCode.BadTimestampsToReturnInvalid, "Invalid TimestampsToReturn.");
        }

        List<MonitoredItemCreateResult> results = new(create.ItemsToCreate.Count);
        foreach (var item in create.ItemsToCreate)
        {
            var node = AddressSpace.Find(item.ItemToMonitor.NodeId);
            if (node is null)
            {
                results.Add(new MonitoredItemCreateResult(StatusCode.BadNodeIdUnknown, 0, 0, 0));
                continue;
            }

            if (item.ItemToMonitor.AttributeId is < AttributeId.NodeId or > AttributeId.UserExecutable || (item.ItemToMonitor.AttributeId == AttributeId.Value && node is not VariableNode))
            {
                results.Add(new MonitoredItemCreateResult(StatusCode.BadAttributeIdInvalid, 0, 0, 0));
                continue;
            }

            if (item.MonitoringMode is < MonitoringMode.Disabled or > MonitoringMode.Reporting)
            {
                results.Add(new MonitoredItemCreateResult(StatusCode.BadMonitoringModeInvalid, 0, 0, 0));
                continue;
            }

            if (item.ItemToMonitor.AttributeId == AttributeId.EventNotifier || item.RequestedParameters.Filter.Body is EventFilter)
            {
                results.Add(CreateEventItem(subscription, node, item, create.TimestampsToReturn));
                continue;
            }

            var variable = node as VariableNode;
            (var filterStatus, var filter) = CheckFilter(item.RequestedParameters.Filter, variable);
            if (filterStatus.IsBad)
            {
                results.Add(new MonitoredItemCreateResult(filterStatus, 0, 0, 0));
                continue;
            }

            var p = item.RequestedParameters;
            var sampling = ReviseSampling(p.SamplingInterval, subscription.PublishingInterval, variable);
            var queueSize = Math.Clamp(p.QueueSize, 1, Options.MaxQueueSize);
            var id = (uint)Interlocked.Increment(ref _monitoredItemId);
            subscription.AddItem(new ServerMonitoredItem(id, item.ItemToMonitor, item.MonitoringMode, p.ClientHandle, sampling, queueSize, p.DiscardOldest, filter, variable?.EURange), create.TimestampsToReturn);
            results.Add(new MonitoredItemCreateResult(StatusCode.Good, id, sampling, queueSize));
        }

        return new CreateMonitoredItemsResponse(ResponseHeader.For(create.RequestHeader, now), results);
    }

    /// <summary>An event monitored item (OPC 10000-4 §5.12.1.4): the EventNotifier attribute of a notifier object, with an EventFilter.</summary>
    private MonitoredItemCreateResult CreateEventItem(ServerSubscription subscription, Node node, MonitoredItemCreateRequest item, TimestampsToReturn timestamps)
    {
        if (item.ItemToMonitor.AttributeId != AttributeId.EventNotifier)
        {
            return new MonitoredItemCreateResult(StatusCode.BadFilterNotAllowed, 0, 0, 0);
        }

        if (node is not ObjectNode { EventNotifier: var notifier } || (notifier & 0x01) == 0)
        {
            return new MonitoredItemCreateResult(node is ObjectNode ? StatusCode.BadNotSupported : StatusCode.BadAttributeIdInvalid, 0, 0, 0);
        }

        if (item.RequestedParameters.Filter.Body is not EventFilter filter)
        {
            return new MonitoredItemCreateResult(StatusCode.BadMonitoredItemFilterInvalid, 0, 0, 0);
        }

        var valid = EventFilterEvaluator.Validate(filter);
        if (valid.IsBad)
        {
            return new MonitoredItemCreateResult(valid, 0, 0, 0);
        }

        var p = item.RequestedParameters;
        var queueSize = Math.Clamp(p.QueueSize, 1, Options.MaxQueueSize);
        var id = (uint)Interlocked.Increment(ref _monitoredItemId);
        subscription.AddItem(new ServerMonitoredItem(id, item.ItemToMonitor, item.MonitoringMode, p.ClientHandle, 0, queueSize, p.DiscardOldest, null, null) { EventFilter = filter }, timestamps);
        return new MonitoredItemCreateResult(StatusCode.Good, id, 0, queueSize);
    }

    /// <summary>ModifyMonitoredItems (OPC 10000-4 §5.12.3).</summary>
    private ModifyMonitoredItemsResponse ModifyMonitoredItems(ServerSession session, ModifyMonitoredItemsRequest modify, DateTime now)
    {
        var subscription = RequireSubscription(session, modify.SubscriptionId);
        CheckCount(modify.ItemsToModify.Count, Options.MaxMonitoredItemsPerCall);
        List<MonitoredItemCreateResult> results = [];
        foreach (var item in modify.ItemsToModify)
        {
            (var filterStatus, var filter) = CheckFilter(item.RequestedParameters.Filter, null);
            if (filterStatus.IsBad && item.RequestedParameters.Filter.Body is not DataChangeFilter)
            {
                results.Add(new MonitoredItemCreateResult(filterStatus, 0, 0, 0));
                continue;
            }

            filter ??= item.RequestedParameters.Filter.Body as DataChangeFilter;
            var p = item.RequestedParameters;
            var sampling = ReviseSampling(p.SamplingInterval, subscription.PublishingInterval, null);
            var queueSize = Math.Clamp(p.QueueSize, 1, Options.MaxQueueSize);
            var status = subscription.ModifyItem(item.MonitoredItemId, sampling, queueSize, p.DiscardOldest, p.ClientHandle, filter);
            results.Add(new MonitoredItemCreateResult(status, item.MonitoredItemId, status.IsGood ? sampling : 0, status.IsGood ? queueSize : 0));
        }

        return new ModifyMonitoredItemsResponse(ResponseHeader.For(modify.RequestHeader, now), results);
    }

    /// <summary>SetMonitoringMode (OPC 10000-4 §5.12.4).</summary>
    private StatusCodesResponse SetMonitoringMode(ServerSession session, SetMonitoringModeRequest setMode, DateTime now)
    {
        var subscription = RequireSubscription(session, setMode.SubscriptionId);
        CheckCount(setMode.MonitoredItemIds.Count, Options.MaxMonitoredItemsPerCall);
        if (setMode.MonitoringMode is < MonitoringMode.Disabled or > MonitoringMode.Reporting)
        {
            throw new OpcUaException(StatusCode.BadMonitoringModeInvalid, "Invalid MonitoringMode.");
        }

        return new StatusCodesResponse(
            BinaryEncodingIds.SetMonitoringModeResponse_Encoding_DefaultBinary,
            ResponseHeader.For(setMode.RequestHeader, now),
            [.. setMode.MonitoredItemIds.Select(id => subscription.SetMonitoringMode(id, setMode.MonitoringMode))]);
    }

    /// <summary>SetTriggering (OPC 10000-4 §5.12.5).</summary>
    private SetTriggeringResponse SetTriggering(ServerSession session, SetTriggeringRequest triggering, DateTime now)
    {
        var subscription = RequireSubscription(session, triggering.SubscriptionId);
        CheckCount(triggering.LinksToAdd.Count + triggering.LinksToRemove.Count, Options.MaxMonitoredItemsPerCall);
        (var added, var removed) = subscription.SetTriggering(triggering.TriggeringItemId, triggering.LinksToAdd, triggering.LinksToRemove);
        return new SetTriggeringResponse(ResponseHeader.For(triggering.RequestHeader, now), added, removed);
    }

    /// <summary>DeleteMonitoredItems (OPC 10000-4 §5.12.6).</summary>
    private StatusCodesResponse DeleteMonitoredItems(ServerSession session, DeleteMonitoredItemsRequest delete, DateTime now)
    {
        var subscription = RequireSubscription(session, delete.SubscriptionId);
        CheckCount(delete.MonitoredItemIds.Count, Options.MaxMonitoredItemsPerCall);
        return new StatusCodesResponse(
            BinaryEncodingIds.DeleteMonitoredItemsResponse_Encoding_DefaultBinary,
            ResponseHeader.For(delete.RequestHeader, now),
            [.. delete.MonitoredItemIds.Select(subscription.RemoveItem)]);
    }

    private static (StatusCode Status, DataChangeFilter? Filter) CheckFilter(ExtensionObject filter, VariableNode? variable)
    {
        switch (filter.Body)
        {
            case null:
                return (StatusCode.Good, null);
            case DataChangeFilter dataChange:
                if (dataChange.DeadbandType == DeadbandType.None)
                {
                    return (StatusCode.Good, dataChange);
                }

                if (variable is null || !ServerMonitoredItem.IsNumeric(variable.Value.Value.Type) || dataChange.DeadbandType > DeadbandType.Percent || dataChange.DeadbandValue < 0)
                {
                    return (StatusCode.BadDeadbandFilterInvalid, null);
                }

                if (dataChange.DeadbandType == DeadbandType.Percent && (variable.EURange is null || dataChange.DeadbandValue > 100))
                {
                    return (StatusCode.BadMonitoredItemFilterUnsupported, null);
                }

                return (StatusCode.Good, dataChange);
            default:
                return (StatusCode.BadMonitoredItemFilterUnsupported, null);
        }
    }

    private double ReviseSampling(double requested, double publishingInterval, VariableNode? variable)
    {
        var interval = requested < 0 || double.IsNaN(requested) ? publishingInterval : requested;
        return Math.Min(Math.Max(Math.Max(interval, Options.MinSamplingInterval), variable?.MinimumSamplingInterval ?? 0), 3_600_000);
    }

    /// <summary>
    /// Reports an event (OPC 10000-4 §5.12.1.4) to the event monitored items of every session on its source node, on the
    /// nodes above it and on the Server object, each through its own EventFilter.
    /// </summary>
    public void RaiseEvent(BaseEvent raised)
    {
        ArgumentNullException.ThrowIfNull(raised);
        var now = Time.GetUtcNow().UtcDateTime;
        var notifiers = AddressSpace.NotifiersOf(raised.SourceNode);
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.ReportEvent(raised, notifiers, now);
        }
    }
}

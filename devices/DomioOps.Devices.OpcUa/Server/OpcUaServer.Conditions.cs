using System.Collections.Concurrent;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Alarms &amp; Conditions (OPC 10000-9): the server's conditions and the methods clients call on them.</summary>
public sealed partial class OpcUaServer
{
    private readonly ConcurrentDictionary<NodeId, AlarmCondition> _conditions = new();

    /// <summary>
    /// Adds an alarm condition of <paramref name="sourceNode"/>: an object <paramref name="conditionId"/> of type
    /// <paramref name="conditionType"/> (AlarmConditionType or a subtype) that the source references with HasCondition.
    /// Its events go wherever the source's events go. <paramref name="confirmable"/> gives it ConfirmedState and Confirm.
    /// </summary>
    public AlarmCondition AddCondition(NodeId sourceNode, NodeId conditionId, string conditionName, NodeId conditionType, string? sourceName = null, bool confirmable = false)
    {
        ArgumentNullException.ThrowIfNull(conditionId);
        ArgumentException.ThrowIfNullOrEmpty(conditionName);
        if (!AddressSpace.IsSubtypeOf(conditionType, ConditionMethods.AcknowledgeableConditionType))
        {
            throw new ArgumentException($"{conditionType} is not an AcknowledgeableConditionType (i=2881) or a subtype of it in this address space.", nameof(conditionType));
        }

        AddressSpace.AddObject(sourceNode, conditionId, new QualifiedName(conditionId.NamespaceIndex, conditionName), conditionType, ConditionMethods.HasCondition);
        AlarmCondition condition = new(this, conditionId, sourceNode, sourceName, conditionName, conditionType, confirmable);
        _conditions[conditionId] = condition;
        return condition;
    }

    /// <summary>The condition with this ConditionId, if the server has it.</summary>
    public AlarmCondition? FindCondition(NodeId conditionId) => _conditions.GetValueOrDefault(conditionId);

    private void InstallConditionMethods()
    {
        AddressSpace.SetMethodHandler(ConditionMethods.Acknowledge, (call, _) => OnCondition(call, c => c.Acknowledge(EventIdOf(call), CommentOf(call), call.UserName)));
        AddressSpace.SetMethodHandler(ConditionMethods.Confirm, (call, _) => OnCondition(call, c => c.Confirm(EventIdOf(call), CommentOf(call), call.UserName)));
        AddressSpace.SetMethodHandler(ConditionMethods.AddComment, (call, _) => OnCondition(call, c => c.AddComment(EventIdOf(call), CommentOf(call), call.UserName)));
        AddressSpace.SetMethodHandler(ConditionMethods.Enable, (call, _) => OnCondition(call, c => c.SetEnabled(true)));
        AddressSpace.SetMethodHandler(ConditionMethods.Disable, (call, _) => OnCondition(call, c => c.SetEnabled(false)));
        AddressSpace.SetMethodHandler(ConditionMethods.ConditionRefresh, (call, _) => ConditionRefresh(call));
    }

    private static byte[]? EventIdOf(MethodCall call) => call.InputArguments[0].Value as byte[];

    private static LocalizedText? CommentOf(MethodCall call) => call.InputArguments[1].Value as LocalizedText;

    /// <summary>Runs a condition method on the condition named by ObjectId; the type nodes themselves are no condition (BadNodeIdInvalid).</summary>
    private ValueTask<IReadOnlyList<Variant>> OnCondition(MethodCall call, Func<AlarmCondition, StatusCode> action)
    {
        if (!_conditions.TryGetValue(call.ObjectId, out var condition))
        {
            throw new OpcUaException(StatusCode.BadNodeIdInvalid, $"{call.ObjectId} is not a condition.");
        }

        var status = action(condition);
        return status.IsBad ? throw new OpcUaException(status, $"{call.MethodId} on {call.ObjectId}: {status}.") : ValueTask.FromResult<IReadOnlyList<Variant>>([]);
    }

    /// <summary>
    /// ConditionRefresh (OPC 10000-9 §5.5.7), called on ConditionType with a SubscriptionId of the calling session: that
    /// subscription's event items get RefreshStartEvent, the retained conditions, RefreshEndEvent.
    /// </summary>
    private ValueTask<IReadOnlyList<Variant>> ConditionRefresh(MethodCall call)
    {
        if (call.InputArguments[0].Value is not uint subscriptionId || call.Session?.FindSubscription(subscriptionId) is not { } subscription)
        {
            throw new OpcUaException(StatusCode.BadSubscriptionIdInvalid, "ConditionRefresh names no subscription of this session.");
        }

        // Snapshots first, each under its condition's lock; the subscription's lock is taken after (never the other way round).
        List<(BaseEvent, IReadOnlySet<NodeId>)> retained = [];
        foreach (var condition in _conditions.Values)
        {
            if (condition.Retained() is { } current)
            {
                retained.Add((current, AddressSpace.NotifiersOf(condition.SourceNode)));
            }
        }

        var now = Time.GetUtcNow().UtcDateTime;
        BaseEvent start = new(WellKnownNodes.Server, "Server", new LocalizedText("en", "ConditionRefresh started"), 1) { EventType = ConditionMethods.RefreshStartEventType, Time = now };
        BaseEvent end = new(WellKnownNodes.Server, "Server", new LocalizedText("en", "ConditionRefresh ended"), 1) { EventType = ConditionMethods.RefreshEndEventType, Time = now };
        subscription.ReportRefresh(start, retained, end, now);
        return ValueTask.FromResult<IReadOnlyList<Variant>>([]);
    }
}

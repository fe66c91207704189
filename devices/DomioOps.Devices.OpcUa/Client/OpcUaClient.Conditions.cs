using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>The Alarms &amp; Conditions methods (OPC 10000-9 §5.5, §5.7) through Call; a bad result throws an <see cref="OpcUaException"/>.</summary>
public sealed partial class OpcUaClient
{
    /// <summary>Acknowledge (i=9111) the event <paramref name="eventId"/> of the condition <paramref name="conditionId"/>.</summary>
    public Task AcknowledgeAsync(NodeId conditionId, byte[] eventId, LocalizedText comment, CancellationToken cancellationToken) =>
        CallMethodAsync(conditionId, ConditionMethods.Acknowledge, [new Variant(eventId), new Variant(comment)], cancellationToken);

    /// <summary>Confirm (i=9113) the event <paramref name="eventId"/> of the condition <paramref name="conditionId"/>.</summary>
    public Task ConfirmAsync(NodeId conditionId, byte[] eventId, LocalizedText comment, CancellationToken cancellationToken) =>
        CallMethodAsync(conditionId, ConditionMethods.Confirm, [new Variant(eventId), new Variant(comment)], cancellationToken);

    /// <summary>AddComment (i=9029) to the event <paramref name="eventId"/> of the condition <paramref name="conditionId"/>.</summary>
    public Task AddCommentAsync(NodeId conditionId, byte[] eventId, LocalizedText comment, CancellationToken cancellationToken) =>
        CallMethodAsync(conditionId, ConditionMethods.AddComment, [new Variant(eventId), new Variant(comment)], cancellationToken);

    /// <summary>Enable (i=9027) or Disable (i=9028) the condition.</summary>
    public Task SetConditionEnabledAsync(NodeId conditionId, bool enabled, CancellationToken cancellationToken) =>
        CallMethodAsync(conditionId, enabled ? ConditionMethods.Enable : ConditionMethods.Disable, [], cancellationToken);

    /// <summary>
    /// ConditionRefresh (i=3875 on ConditionType): the server re-sends the retained conditions to the subscription's event
    /// items between a RefreshStartEvent (i=2787) and a RefreshEndEvent (i=2788).
    /// </summary>
    public Task ConditionRefreshAsync(OpcUaSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return CallMethodAsync(ConditionMethods.ConditionType, ConditionMethods.ConditionRefresh, [new Variant(subscription.Id)], cancellationToken);
    }
}

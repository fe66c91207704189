namespace DomioOps.Devices.OpcUa.Server;

/// <summary>The methods of ConditionType and AcknowledgeableConditionType (OPC 10000-9 §5.5, §5.7), declared on the types.</summary>
public sealed partial class AddressSpace
{
    private static readonly Argument[] EventIdAndComment =
    [
        new("EventId", new NodeId(0, (uint)BuiltInType.ByteString)),
        new("Comment", new NodeId(0, (uint)BuiltInType.LocalizedText)),
    ];

    /// <summary>
    /// Enable, Disable, AddComment and ConditionRefresh on ConditionType, Acknowledge and Confirm on
    /// AcknowledgeableConditionType, with their well-known NodeIds; a condition instance's type reaches them through
    /// HasSubtype, so Call accepts them on every condition. <see cref="OpcUaServer"/> installs what they do.
    /// </summary>
    private void AddConditionMethods()
    {
        var conditionType = ConditionMethods.ConditionType;
        var acknowledgeable = ConditionMethods.AcknowledgeableConditionType;
        foreach ((var parent, var method, var name, var inputs) in new[]
        {
            (conditionType, ConditionMethods.Disable, "Disable", Array.Empty<Argument>()),
            (conditionType, ConditionMethods.Enable, "Enable", []),
            (conditionType, ConditionMethods.AddComment, "AddComment", EventIdAndComment),
            (conditionType, ConditionMethods.ConditionRefresh, "ConditionRefresh", [new Argument("SubscriptionId", new NodeId(0, 288u))]),
            (acknowledgeable, ConditionMethods.Acknowledge, "Acknowledge", EventIdAndComment),
            (acknowledgeable, ConditionMethods.Confirm, "Confirm", EventIdAndComment),
        })
        {
            AddMethod(parent, method, new QualifiedName(0, name), inputs, [], null!);
        }
    }
}

/// <summary>Well-known NodeIds of the Alarms &amp; Conditions types and methods (OPC 10000-9, NodeIds.csv).</summary>
public static class ConditionMethods
{
    public static readonly NodeId ConditionType = new(0, 2782u);
    public static readonly NodeId AcknowledgeableConditionType = new(0, 2881u);
    public static readonly NodeId AlarmConditionType = new(0, 2915u);
    public static readonly NodeId RefreshStartEventType = new(0, 2787u);
    public static readonly NodeId RefreshEndEventType = new(0, 2788u);
    public static readonly NodeId HasCondition = new(0, 9006u);

    public static readonly NodeId Disable = new(0, 9028u);
    public static readonly NodeId Enable = new(0, 9027u);
    public static readonly NodeId AddComment = new(0, 9029u);
    public static readonly NodeId ConditionRefresh = new(0, 3875u);
    public static readonly NodeId Acknowledge = new(0, 9111u);
    public static readonly NodeId Confirm = new(0, 9113u);
}

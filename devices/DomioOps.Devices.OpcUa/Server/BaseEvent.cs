using System.Security.Cryptography;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// An event to report through <see cref="OpcUaServer.RaiseEvent"/> (OPC 10000-5 §6.4.2 BaseEventType): the standard fields
/// plus any others of the event type by browse path ("ConditionName", "ActiveState/Id", ...). Select clauses of event
/// monitored items name fields by these browse paths; a field the event lacks is reported as null.
/// </summary>
public sealed record BaseEvent(NodeId SourceNode, string? SourceName, LocalizedText Message, ushort Severity = 500)
{
    public static readonly NodeId BaseEventType = new(0, 2041u);

    /// <summary>The event type (BaseEventType unless set); OfType in a where clause matches it and its supertypes.</summary>
    public NodeId EventType { get; init; } = BaseEventType;

    /// <summary>When the event happened at the source; the raise time when not set.</summary>
    public DateTime? Time { get; init; }

    /// <summary>Unique id of this event; 16 random bytes when not set.</summary>
    public byte[] EventId { get; init; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>
    /// The condition this event reports a state of (OPC 10000-9 §5.5.2 ConditionId): the NodeId a select clause on
    /// ConditionType with an empty browse path and the NodeId attribute returns; null for events that are no condition's.
    /// </summary>
    public NodeId? ConditionId { get; init; }

    /// <summary>Further fields by slash-separated browse path, names without namespace index.</summary>
    public IReadOnlyDictionary<string, Variant> Fields { get; init; } = new Dictionary<string, Variant>();

    /// <summary>The value of a field by browse path, as reported for an event received at <paramref name="receiveTime"/>.</summary>
    internal Variant Field(string path, DateTime receiveTime) => path switch
    {
        "EventId" => new Variant(EventId),
        "EventType" => new Variant(EventType),
        "SourceNode" => new Variant(SourceNode),
        "SourceName" => SourceName is null ? Variant.Null : new Variant(SourceName),
        "Time" => new Variant(Time ?? receiveTime),
        "ReceiveTime" => new Variant(receiveTime),
        "Message" => new Variant(Message),
        "Severity" => new Variant(Severity),
        _ => Fields.TryGetValue(path, out var value) ? value : Variant.Null,
    };
}

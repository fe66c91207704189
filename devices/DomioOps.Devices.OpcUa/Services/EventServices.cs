using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>FilterOperator of a ContentFilterElement (OPC 10000-4 §7.7.3).</summary>
public enum FilterOperator
{
    Equals = 0,
    IsNull = 1,
    GreaterThan = 2,
    LessThan = 3,
    GreaterThanOrEqual = 4,
    LessThanOrEqual = 5,
    Like = 6,
    Not = 7,
    Between = 8,
    InList = 9,
    And = 10,
    Or = 11,
    Cast = 12,
    InView = 13,
    OfType = 14,
    RelatedTo = 15,
    BitwiseAnd = 16,
    BitwiseOr = 17,
}

/// <summary>
/// OPC 10000-4 §7.7.4.5 SimpleAttributeOperand (DefaultBinary i=603): TypeDefinitionId NodeId, BrowsePath QualifiedName[],
/// AttributeId UInt32, IndexRange String. Names an event field by its browse path from the event type.
/// </summary>
public sealed record SimpleAttributeOperand(NodeId TypeDefinitionId, IReadOnlyList<QualifiedName> BrowsePath, AttributeId AttributeId = AttributeId.Value, string? IndexRange = null) : IEncodeable
{
    /// <summary>An operand for a field of BaseEventType (i=2041) by its slash-separated browse path in namespace 0: "Message", "ActiveState/Id".</summary>
    public static SimpleAttributeOperand Field(string path) =>
        new(new NodeId(0, 2041u), [.. (path ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries).Select(n => new QualifiedName(0, n))]);

    /// <summary>The ConditionId of a condition event (OPC 10000-9 §5.5.2): ConditionType, empty browse path, the NodeId attribute.</summary>
    public static SimpleAttributeOperand ConditionId { get; } = new(new NodeId(0, 2782u), [], AttributeId.NodeId);

    public uint BinaryEncodingId => BinaryEncodingIds.SimpleAttributeOperand_Encoding_DefaultBinary;

    /// <summary>The browse path as "A/B" (names only), the key event fields are looked up by.</summary>
    public string Path => string.Join('/', BrowsePath.Select(q => q.Name));

    void IEncodeable.Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(TypeDefinitionId);
        w.WriteArray(BrowsePath, static (w, q) => w.WriteQualifiedName(q));
        w.WriteUInt32((uint)AttributeId);
        w.WriteString(IndexRange);
    }

    internal static SimpleAttributeOperand Decode(ref UaBinaryReader r) =>
        new(r.ReadNodeId(), r.ReadArray(static (ref UaBinaryReader r) => r.ReadQualifiedName()), (AttributeId)r.ReadUInt32(), r.ReadString());
}

/// <summary>OPC 10000-4 §7.7.4.3 LiteralOperand (DefaultBinary i=597): Value Variant.</summary>
public sealed record LiteralOperand(Variant Value) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.LiteralOperand_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter w) => w.WriteVariant(Value);

    internal static LiteralOperand Decode(ref UaBinaryReader r) => new(r.ReadVariant());
}

/// <summary>OPC 10000-4 §7.7.4.2 ElementOperand (DefaultBinary i=594): Index UInt32 of another element of the same filter.</summary>
public sealed record ElementOperand(uint Index) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.ElementOperand_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter w) => w.WriteUInt32(Index);

    internal static ElementOperand Decode(ref UaBinaryReader r) => new(r.ReadUInt32());
}

/// <summary>
/// OPC 10000-4 §7.7.4.4 AttributeOperand (DefaultBinary i=600): NodeId, Alias String, BrowsePath RelativePath,
/// AttributeId UInt32, IndexRange String. Decoded so a filter that uses it gets a precise "unsupported" answer.
/// </summary>
public sealed record AttributeOperand(NodeId NodeId, string? Alias, IReadOnlyList<RelativePathElement> BrowsePath, AttributeId AttributeId, string? IndexRange) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.AttributeOperand_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter w)
    {
        w.WriteNodeId(NodeId);
        w.WriteString(Alias);
        w.WriteArray(BrowsePath, static (w, e) => e.Encode(w));
        w.WriteUInt32((uint)AttributeId);
        w.WriteString(IndexRange);
    }

    internal static AttributeOperand Decode(ref UaBinaryReader r) =>
        new(r.ReadNodeId(), r.ReadString(), r.ReadArray(RelativePathElement.Decode), (AttributeId)r.ReadUInt32(), r.ReadString());
}

/// <summary>
/// OPC 10000-4 §7.7.1 ContentFilterElement: FilterOperator Int32, FilterOperands ExtensionObject[] (each a
/// <see cref="SimpleAttributeOperand"/>, <see cref="LiteralOperand"/>, <see cref="ElementOperand"/> or <see cref="AttributeOperand"/>).
/// </summary>
public sealed record ContentFilterElement(FilterOperator FilterOperator, IReadOnlyList<object> FilterOperands)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteInt32((int)FilterOperator);
        w.WriteArray(FilterOperands, static (w, o) =>
        {
            if (o is IEncodeable encodeable)
            {
                w.WriteEncodeableAsExtensionObject(encodeable);
            }
            else
            {
                w.WriteExtensionObject(o as ExtensionObject);
            }
        });
    }

    internal static ContentFilterElement Decode(ref UaBinaryReader r) =>
        new((FilterOperator)r.ReadInt32(), r.ReadArray(static (ref UaBinaryReader r) =>
        {
            var operand = r.ReadExtensionObject();
            return operand.Body is IEncodeable known ? known : (object)operand;
        }));
}

/// <summary>OPC 10000-4 §7.7.1 ContentFilter: Elements ContentFilterElement[]; element 0 is the root of the expression.</summary>
public sealed record ContentFilter(IReadOnlyList<ContentFilterElement> Elements)
{
    public static readonly ContentFilter Empty = new([]);

    /// <summary>A where clause that keeps events of the given type or its subtypes.</summary>
    public static ContentFilter OfType(NodeId eventType) => new([new ContentFilterElement(FilterOperator.OfType, [new LiteralOperand(new Variant(eventType))])]);

    internal void Encode(UaBinaryWriter w) => w.WriteArray(Elements, static (w, e) => e.Encode(w));

    internal static ContentFilter Decode(ref UaBinaryReader r) => new(r.ReadArray(ContentFilterElement.Decode));
}

/// <summary>
/// OPC 10000-4 §7.22.3 EventFilter (DefaultBinary i=727): SelectClauses SimpleAttributeOperand[], WhereClause ContentFilter.
/// The filter of a monitored item on an object's EventNotifier attribute.
/// </summary>
public sealed record EventFilter(IReadOnlyList<SimpleAttributeOperand> SelectClauses, ContentFilter? WhereClause = null) : IEncodeable
{
    /// <summary>An EventFilter selecting BaseEventType fields by browse path ("EventId", "Message", "Severity", ...).</summary>
    public static EventFilter Select(params string[] fields) => new([.. fields.Select(SimpleAttributeOperand.Field)]);

    public uint BinaryEncodingId => BinaryEncodingIds.EventFilter_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter w)
    {
        w.WriteArray(SelectClauses, static (w, s) => ((IEncodeable)s).Encode(w));
        (WhereClause ?? ContentFilter.Empty).Encode(w);
    }

    internal static EventFilter Decode(ref UaBinaryReader r) => new(r.ReadArray(SimpleAttributeOperand.Decode), ContentFilter.Decode(ref r));
}

/// <summary>
/// OPC 10000-4 §7.22.3 EventFilterResult (DefaultBinary i=736): SelectClauseResults StatusCode[], SelectClauseDiagnosticInfos[],
/// WhereClauseResult ContentFilterResult (ElementResults[], ElementDiagnosticInfos[]).
/// </summary>
internal sealed record EventFilterResult(IReadOnlyList<StatusCode> SelectClauseResults, IReadOnlyList<StatusCode> WhereClauseElementResults) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.EventFilterResult_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        DiagnosticInfos.WriteStatusCodes(w, SelectClauseResults);
        DiagnosticInfos.WriteEmpty(w);

        // ContentFilterElementResult: StatusCode, OperandStatusCodes[], OperandDiagnosticInfos[].
        w.WriteArray(WhereClauseElementResults, static (w, s) =>
        {
            w.WriteStatusCode(s);
            DiagnosticInfos.WriteEmpty(w);
            DiagnosticInfos.WriteEmpty(w);
        });
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static EventFilterResult Decode(ref UaBinaryReader r)
    {
        var select = DiagnosticInfos.ReadStatusCodes(ref r);
        DiagnosticInfos.Skip(ref r);
        var where = r.ReadArray(static (ref UaBinaryReader r) =>
        {
            var status = r.ReadStatusCode();
            _ = DiagnosticInfos.ReadStatusCodes(ref r);
            DiagnosticInfos.Skip(ref r);
            return status;
        });
        DiagnosticInfos.Skip(ref r);
        return new EventFilterResult(select, where);
    }
}

/// <summary>OPC 10000-4 §7.25.3 EventFieldList: ClientHandle UInt32, EventFields Variant[] in the order of the select clauses.</summary>
public sealed record EventFieldList(uint ClientHandle, IReadOnlyList<Variant> EventFields)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteUInt32(ClientHandle);
        w.WriteArray(EventFields, static (w, v) => w.WriteVariant(v));
    }

    internal static EventFieldList Decode(ref UaBinaryReader r) => new(r.ReadUInt32(), r.ReadArray(static (ref UaBinaryReader r) => r.ReadVariant()));
}

/// <summary>OPC 10000-4 §7.25.3 EventNotificationList (DefaultBinary i=916): Events EventFieldList[].</summary>
internal sealed record EventNotificationList(IReadOnlyList<EventFieldList> Events) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.EventNotificationList_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w) => w.WriteArray(Events, static (w, e) => e.Encode(w));

    internal static EventNotificationList Decode(ref UaBinaryReader r) => new(r.ReadArray(EventFieldList.Decode));
}

using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Well-known NodeIds of namespace 0 (OPC 10000-6 Annex A, NodeIds.csv) used by the server and the client.</summary>
public static class WellKnownNodes
{
    public static readonly NodeId RootFolder = new(0, 84u);
    public static readonly NodeId ObjectsFolder = new(0, 85u);
    public static readonly NodeId TypesFolder = new(0, 86u);
    public static readonly NodeId ViewsFolder = new(0, 87u);
    public static readonly NodeId Server = new(0, 2253u);
    public static readonly NodeId ServerArray = new(0, 2254u);
    public static readonly NodeId NamespaceArray = new(0, 2255u);
    public static readonly NodeId ServerStatus = new(0, 2256u);
    public static readonly NodeId ServerStatusState = new(0, 2259u);
    public static readonly NodeId ServerStatusCurrentTime = new(0, 2258u);
    public static readonly NodeId ServerCapabilities = new(0, 2268u);
    public static readonly NodeId OperationLimits = new(0, 11704u);
    public static readonly NodeId MaxNodesPerRead = new(0, 11705u);
    public static readonly NodeId MaxNodesPerWrite = new(0, 11707u);
    public static readonly NodeId MaxNodesPerMethodCall = new(0, 11709u);
    public static readonly NodeId MaxNodesPerBrowse = new(0, 11710u);
    public static readonly NodeId MaxNodesPerTranslateBrowsePathsToNodeIds = new(0, 11712u);
    public static readonly NodeId MaxMonitoredItemsPerCall = new(0, 11714u);
    public static readonly NodeId MaxNodesPerRegisterNodes = new(0, 11711u);
    public static readonly NodeId MaxSubscriptionsPerSession = new(0, 24098u);

    public static readonly NodeId References = new(0, 31u);
    public static readonly NodeId NonHierarchicalReferences = new(0, 32u);
    public static readonly NodeId HierarchicalReferences = new(0, 33u);
    public static readonly NodeId HasChild = new(0, 34u);
    public static readonly NodeId Organizes = new(0, 35u);
    public static readonly NodeId HasTypeDefinition = new(0, 40u);
    public static readonly NodeId Aggregates = new(0, 44u);
    public static readonly NodeId HasSubtype = new(0, 45u);
    public static readonly NodeId HasProperty = new(0, 46u);
    public static readonly NodeId HasComponent = new(0, 47u);
    public static readonly NodeId HasModellingRule = new(0, 37u);
    public static readonly NodeId HasEventSource = new(0, 36u);
    public static readonly NodeId HasNotifier = new(0, 48u);
    public static readonly NodeId HasOrderedComponent = new(0, 49u);
    public static readonly NodeId GeneratesEvent = new(0, 41u);
    public static readonly NodeId HasAddIn = new(0, 17604u);
    public static readonly NodeId HasInterface = new(0, 17603u);

    public static readonly NodeId ModellingRuleMandatory = new(0, 78u);
    public static readonly NodeId ModellingRuleOptional = new(0, 80u);
    public static readonly NodeId ModellingRuleExposesItsArray = new(0, 83u);
    public static readonly NodeId ModellingRuleOptionalPlaceholder = new(0, 11508u);
    public static readonly NodeId ModellingRuleMandatoryPlaceholder = new(0, 11510u);
    public static readonly NodeId ObjectTypesFolder = new(0, 88u);
    public static readonly NodeId VariableTypesFolder = new(0, 89u);
    public static readonly NodeId DataTypesFolder = new(0, 90u);
    public static readonly NodeId ReferenceTypesFolder = new(0, 91u);
    public static readonly NodeId BaseVariableType = new(0, 62u);
    public static readonly NodeId Enumeration = new(0, 29u);
    public static readonly NodeId Structure = new(0, 22u);
    public static readonly NodeId ModellingRuleType = new(0, 77u);

    public static readonly NodeId BaseObjectType = new(0, 58u);
    public static readonly NodeId FolderType = new(0, 61u);
    public static readonly NodeId BaseDataVariableType = new(0, 63u);
    public static readonly NodeId PropertyType = new(0, 68u);
    public static readonly NodeId ServerType = new(0, 2004u);
    public static readonly NodeId BaseDataType = new(0, 24u);
}

/// <summary>A reference from one node to another (OPC 10000-3 §4.4).</summary>
public sealed record NodeReference(NodeId ReferenceTypeId, bool IsForward, NodeId TargetId);

/// <summary>A node of the server's address space.</summary>
public abstract class Node
{
    private readonly List<NodeReference> _references = [];

    private protected Node(NodeId nodeId, QualifiedName browseName, LocalizedText displayName)
    {
        NodeId = nodeId;
        BrowseName = browseName;
        DisplayName = displayName;
    }

    public NodeId NodeId { get; }

    public QualifiedName BrowseName { get; }

    public LocalizedText DisplayName { get; }

    public LocalizedText? Description { get; init; }

    public abstract NodeClass NodeClass { get; }

    public IReadOnlyList<NodeReference> References => _references;

    internal void AddReference(NodeReference reference) => _references.Add(reference);
}

/// <summary>An object or folder node.</summary>
public sealed class ObjectNode : Node
{
    public ObjectNode(NodeId nodeId, QualifiedName browseName, LocalizedText displayName)
        : base(nodeId, browseName, displayName)
    {
    }

    public override NodeClass NodeClass => NodeClass.Object;

    /// <summary>The EventNotifier attribute (OPC 10000-3 §5.5.1): bit 0 SubscribeToEvents.</summary>
    public byte EventNotifier { get; set; }
}

/// <summary>A type node (object type, variable type, reference type or data type) kept for browsing and type definitions.</summary>
public sealed class TypeNode : Node
{
    public TypeNode(NodeId nodeId, QualifiedName browseName, NodeClass nodeClass, LocalizedText? displayName = null)
        : base(nodeId, browseName, displayName ?? new LocalizedText(browseName.Name))
    {
        NodeClass = nodeClass;
    }

    public override NodeClass NodeClass { get; }

    public bool IsAbstract { get; init; }

    /// <summary>For a reference type: whether the reference means the same in both directions.</summary>
    public bool Symmetric { get; init; }

    /// <summary>For a reference type: its name seen from the target.</summary>
    public LocalizedText? InverseName { get; init; }

    /// <summary>For a variable type: the data type of its instances' values.</summary>
    public NodeId? DataType { get; init; }
}

/// <summary>A method node (OPC 10000-3 §5.7); its arguments are the InputArguments and OutputArguments properties.</summary>
public sealed class MethodNode : Node
{
    public MethodNode(NodeId nodeId, QualifiedName browseName, LocalizedText displayName)
        : base(nodeId, browseName, displayName)
    {
    }

    public override NodeClass NodeClass => NodeClass.Method;

    public bool Executable { get; init; } = true;

    /// <summary>What runs when a client calls the method; without one, Call answers BadNotImplemented.</summary>
    public MethodHandler? Handler { get; set; }
}

/// <summary>A variable node whose value the application sets; readers, writers and monitored items see the latest value.</summary>
public sealed class VariableNode : Node
{
    private readonly Lock _gate = new();
    private DataValue _value;

    public VariableNode(NodeId nodeId, QualifiedName browseName, LocalizedText displayName, NodeId dataType, Variant initialValue, DateTime timestamp)
        : base(nodeId, browseName, displayName)
    {
        DataType = dataType;
        _value = new DataValue(initialValue, StatusCode.Good, timestamp, timestamp);
        ValueRank = initialValue.IsArray ? 1 : -1;
    }

    public override NodeClass NodeClass => NodeClass.Variable;

    public NodeId DataType { get; }

    public int ValueRank { get; init; }

    public bool Writable { get; init; }

    /// <summary>The engineering range (low, high) that a percent deadband refers to (OPC 10000-8 EURange).</summary>
    public (double Low, double High)? EURange { get; init; }

    public double MinimumSamplingInterval { get; init; }

    /// <summary>The latest value with its status and timestamps.</summary>
    public DataValue Value
    {
        get
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }

    /// <summary>Sets a new value; the timestamps are the given instant.</summary>
    public void SetValue(Variant value, DateTime timestamp, StatusCode statusCode = default)
    {
        lock (_gate)
        {
            _value = new DataValue(value, statusCode, timestamp, timestamp);
        }
    }

    internal StatusCode Write(DataValue value, DateTime now)
    {
        if (!Writable)
        {
            return StatusCode.BadNotWritable;
        }

        Variant current = Value.Value;
        if (!value.Value.IsNull && !current.IsNull && (value.Value.Type != current.Type || value.Value.IsArray != current.IsArray))
        {
            return StatusCode.BadTypeMismatch;
        }

        lock (_gate)
        {
            _value = new DataValue(value.Value, value.StatusCode, value.SourceTimestamp ?? now, now);
        }

        return StatusCode.Good;
    }
}

/// <summary>
/// The nodes a server exposes: the standard folders and Server object of namespace 0 plus whatever the application adds.
/// Thread-safe for concurrent reads; structure changes are serialised.
/// </summary>
public sealed partial class AddressSpace
{
    private static readonly uint[] s_oneDimension = [0u];
    private readonly Dictionary<NodeId, Node> _nodes = [];

    /// <summary>Every type's supertype, from the HasSubtype references added so far (reference, object, variable and data types).</summary>
    private readonly Dictionary<NodeId, NodeId> _supertypes = [];
    private readonly Lock _gate = new();
    private readonly List<string> _namespaces = ["http://opcfoundation.org/UA/"];

    public AddressSpace(string applicationUri, TimeProvider? timeProvider = null)
    {
        TimeProvider time = timeProvider ?? TimeProvider.System;
        DateTime now = time.GetUtcNow().UtcDateTime;
        _namespaces.Add(applicationUri);
        AddBaseTypes();
        Add(new ObjectNode(WellKnownNodes.RootFolder, new QualifiedName(0, "Root"), new LocalizedText("Root")), null, null, WellKnownNodes.FolderType);
        AddFolder(WellKnownNodes.RootFolder, WellKnownNodes.ObjectsFolder, new QualifiedName(0, "Objects"));
        AddFolder(WellKnownNodes.RootFolder, WellKnownNodes.TypesFolder, new QualifiedName(0, "Types"));
        AddFolder(WellKnownNodes.RootFolder, WellKnownNodes.ViewsFolder, new QualifiedName(0, "Views"));
        AddTypeFolders();
        AddConditionMethods();

        // The Server object is the root notifier: every event of the server is reported to it (OPC 10000-3 §5.5.1, 10000-5 §8.3.2).
        AddObject(WellKnownNodes.ObjectsFolder, WellKnownNodes.Server, new QualifiedName(0, "Server"), WellKnownNodes.ServerType).EventNotifier = 1;
        AddVariable(WellKnownNodes.Server, WellKnownNodes.NamespaceArray, new QualifiedName(0, "NamespaceArray"), new Variant(_namespaces.ToArray()), now, referenceType: WellKnownNodes.HasProperty);
        AddVariable(WellKnownNodes.Server, WellKnownNodes.ServerArray, new QualifiedName(0, "ServerArray"), new Variant(new[] { applicationUri }), now, referenceType: WellKnownNodes.HasProperty);
        AddVariable(WellKnownNodes.Server, WellKnownNodes.ServerStatus, new QualifiedName(0, "ServerStatus"), Variant.Null, now, dataType: new NodeId(0, 862u));
        AddVariable(WellKnownNodes.ServerStatus, WellKnownNodes.ServerStatusState, new QualifiedName(0, "State"), new Variant(0), now, dataType: new NodeId(0, 852u));
        AddVariable(WellKnownNodes.ServerStatus, WellKnownNodes.ServerStatusCurrentTime, new QualifiedName(0, "CurrentTime"), new Variant(now), now);
        AddObject(WellKnownNodes.Server, WellKnownNodes.ServerCapabilities, new QualifiedName(0, "ServerCapabilities"), WellKnownNodes.BaseObjectType);
        AddObject(WellKnownNodes.ServerCapabilities, WellKnownNodes.OperationLimits, new QualifiedName(0, "OperationLimits"), WellKnownNodes.BaseObjectType);
    }

    public IReadOnlyList<string> NamespaceUris
    {
        get
        {
            lock (_gate)
            {
                return [.. _namespaces];
            }
        }
    }

    /// <summary>Returns the index of a namespace URI, adding it if new.</summary>
    public ushort RegisterNamespace(string uri)
    {
        lock (_gate)
        {
            int index = _namespaces.IndexOf(uri);
            if (index < 0)
            {
                _namespaces.Add(uri);
                index = _namespaces.Count - 1;
                ((VariableNode)_nodes[WellKnownNodes.NamespaceArray]).SetValue(new Variant(_namespaces.ToArray()), DateTime.UtcNow);
            }

            return (ushort)index;
        }
    }

    public Node? Find(NodeId nodeId)
    {
        lock (_gate)
        {
            return _nodes.GetValueOrDefault(nodeId);
        }
    }

    public ObjectNode AddFolder(NodeId parent, NodeId nodeId, QualifiedName browseName, LocalizedText? displayName = null)
    {
        ObjectNode node = new(nodeId, browseName, displayName ?? new LocalizedText(browseName.Name));
        Add(node, parent, WellKnownNodes.Organizes, WellKnownNodes.FolderType);
        return node;
    }

    public ObjectNode AddObject(NodeId parent, NodeId nodeId, QualifiedName browseName, NodeId? typeDefinition = null, NodeId? referenceType = null, LocalizedText? displayName = null)
    {
        ObjectNode node = new(nodeId, browseName, displayName ?? new LocalizedText(browseName.Name));
        Node? parentNode = Find(parent);
        NodeId reference = referenceType ?? (parentNode is ObjectNode o && IsFolder(o) ? WellKnownNodes.Organizes : WellKnownNodes.HasComponent);
        Add(node, parent, reference, typeDefinition ?? WellKnownNodes.BaseObjectType);
        return node;
    }

    public VariableNode AddVariable(
        NodeId parent,
        NodeId nodeId,
        QualifiedName browseName,
        Variant initialValue,
        DateTime timestamp,
        NodeId? dataType = null,
        bool writable = false,
        NodeId? referenceType = null,
        (double Low, double High)? euRange = null)
    {
        VariableNode node = new(nodeId, browseName, new LocalizedText(browseName.Name), dataType ?? DataTypeOf(initialValue), initialValue, timestamp)
        {
            Writable = writable,
            EURange = euRange,
        };
        Node? parentNode = Find(parent);
        NodeId reference = referenceType ?? (parentNode is ObjectNode o && IsFolder(o) ? WellKnownNodes.Organizes : WellKnownNodes.HasComponent);
        Add(node, parent, reference, reference == WellKnownNodes.HasProperty ? WellKnownNodes.PropertyType : WellKnownNodes.BaseDataVariableType);
        return node;
    }

    /// <summary>Adds a reference and its inverse between two existing nodes.</summary>
    public void AddReference(NodeId source, NodeId referenceType, NodeId target)
    {
        lock (_gate)
        {
            Node from = _nodes.GetValueOrDefault(source) ?? throw new OpcUaException(StatusCode.BadNodeIdUnknown, $"Node {source} does not exist.");
            from.AddReference(new NodeReference(referenceType, true, target));
            ForgetDeclarations(from, referenceType);
            if (_nodes.TryGetValue(target, out Node? to))
            {
                to.AddReference(new NodeReference(referenceType, false, source));
            }

            if (referenceType == WellKnownNodes.HasSubtype)
            {
                _supertypes[target] = source;
            }
        }
    }

    /// <summary>
    /// Adds the forward half of a reference to <paramref name="source"/> and the inverse half to <paramref name="target"/>,
    /// each only when that node exists and does not hold it yet. Returns false when either end is missing.
    /// </summary>
    internal bool AddReferenceHalves(NodeId source, NodeId referenceType, NodeId target)
    {
        lock (_gate)
        {
            bool complete = true;
            bool added = false;
            if (_nodes.TryGetValue(source, out Node? from))
            {
                NodeReference forward = new(referenceType, true, target);
                if (!from.References.Contains(forward))
                {
                    from.AddReference(forward);
                    added = true;
                }

                ForgetDeclarations(from, referenceType);
            }
            else
            {
                complete = false;
            }

            // The inverse half exists exactly when the forward one did, so only a missing source needs the search
            // (a base type's list of inverse HasTypeDefinitions is long).
            if (_nodes.TryGetValue(target, out Node? to))
            {
                NodeReference inverse = new(referenceType, false, source);
                if (added || (from is null && !to.References.Contains(inverse)))
                {
                    to.AddReference(inverse);
                }
            }
            else
            {
                complete = false;
            }

            if (referenceType == WellKnownNodes.HasSubtype)
            {
                _supertypes[target] = source;
            }

            return complete;
        }
    }

    /// <summary>Drops cached instance declarations when a type gains a child or a node a modelling rule (caller holds the lock).</summary>
    private void ForgetDeclarations(Node source, NodeId referenceType)
    {
        if (source is TypeNode || referenceType == WellKnownNodes.HasModellingRule)
        {
            _declaredChildren.Clear();
        }
    }

    /// <summary>Adds a node without references (the NodeSet loader adds them afterwards).</summary>
    internal void AddNode(Node node)
    {
        lock (_gate)
        {
            if (!_nodes.TryAdd(node.NodeId, node))
            {
                throw new OpcUaException(StatusCode.BadNodeIdExists, $"Node {node.NodeId} already exists.");
            }
        }
    }

    /// <summary>The supertype of a type node, or null for a root type or an unknown node.</summary>
    public NodeId? SupertypeOf(NodeId typeId)
    {
        lock (_gate)
        {
            return _supertypes.GetValueOrDefault(typeId);
        }
    }

    /// <summary>True when <paramref name="typeId"/> is <paramref name="ancestor"/> or derives from it through HasSubtype.</summary>
    public bool IsSubtypeOf(NodeId typeId, NodeId ancestor)
    {
        lock (_gate)
        {
            NodeId? current = typeId;
            for (int depth = 0; current is not null && depth < 64; depth++)
            {
                if (current == ancestor)
                {
                    return true;
                }

                current = _supertypes.GetValueOrDefault(current);
            }

            return false;
        }
    }

    private static NodeId DataTypeOf(Variant value) => value.IsNull ? WellKnownNodes.BaseDataType : new NodeId(0, (uint)value.Type);

    private static bool IsFolder(ObjectNode node) =>
        node.References.Any(r => r.IsForward && r.ReferenceTypeId == WellKnownNodes.HasTypeDefinition && r.TargetId == WellKnownNodes.FolderType);

    private void Add(Node node, NodeId? parent, NodeId? referenceType, NodeId? typeDefinition)
    {
        lock (_gate)
        {
            if (!_nodes.TryAdd(node.NodeId, node))
            {
                throw new OpcUaException(StatusCode.BadNodeIdUnknown, $"Node {node.NodeId} already exists.");
            }
        }

        if (typeDefinition is not null)
        {
            AddReference(node.NodeId, WellKnownNodes.HasTypeDefinition, typeDefinition);
        }

        if (parent is not null && referenceType is not null)
        {
            AddReference(parent, referenceType, node.NodeId);
        }
    }

    /// <summary>True when <paramref name="type"/> is <paramref name="wanted"/> or (with subtypes) derives from it.</summary>
    internal bool IsReferenceOfType(NodeId type, NodeId? wanted, bool includeSubtypes)
    {
        if (wanted is null || wanted.IsNull || type == wanted)
        {
            return true;
        }

        return includeSubtypes && IsSubtypeOf(type, wanted);
    }

    internal ReferenceDescription Describe(NodeReference reference, uint resultMask)
    {
        Node? target = Find(reference.TargetId);
        NodeId? typeDefinition = target?.References.FirstOrDefault(r => r.IsForward && r.ReferenceTypeId == WellKnownNodes.HasTypeDefinition)?.TargetId;
        return new ReferenceDescription(
            (resultMask & 0x01) != 0 ? reference.ReferenceTypeId : NodeId.Null,
            (resultMask & 0x02) == 0 || reference.IsForward,
            new ExpandedNodeId(reference.TargetId),
            (resultMask & 0x08) != 0 ? target?.BrowseName ?? QualifiedName.Null : QualifiedName.Null,
            (resultMask & 0x10) != 0 ? target?.DisplayName ?? LocalizedText.Null : LocalizedText.Null,
            (resultMask & 0x04) != 0 ? target?.NodeClass ?? NodeClass.Unspecified : NodeClass.Unspecified,
            (resultMask & 0x20) != 0 && typeDefinition is not null ? new ExpandedNodeId(typeDefinition) : ExpandedNodeId.Null);
    }

    internal DataValue ReadAttribute(ReadValueId item, TimestampsToReturn timestamps, DateTime now)
    {
        Node? node = Find(item.NodeId);
        if (node is null)
        {
            return DataValue.FromStatus(StatusCode.BadNodeIdUnknown);
        }

        if (item.IndexRange is not null && item.AttributeId != AttributeId.Value)
        {
            return DataValue.FromStatus(StatusCode.BadIndexRangeInvalid);
        }

        Variant? value = item.AttributeId switch
        {
            AttributeId.NodeId => new Variant(node.NodeId),
            AttributeId.NodeClass => new Variant((int)node.NodeClass),
            AttributeId.BrowseName => new Variant(node.BrowseName),
            AttributeId.DisplayName => new Variant(node.DisplayName),
            AttributeId.Description => new Variant(node.Description ?? LocalizedText.Null),
            AttributeId.WriteMask or AttributeId.UserWriteMask => new Variant(0u),
            AttributeId.EventNotifier when node is ObjectNode o => new Variant(o.EventNotifier),
            AttributeId.IsAbstract when node is TypeNode t => new Variant(t.IsAbstract),
            AttributeId.Symmetric when node is TypeNode { NodeClass: NodeClass.ReferenceType } t => new Variant(t.Symmetric),
            AttributeId.InverseName when node is TypeNode { NodeClass: NodeClass.ReferenceType } t => new Variant(t.InverseName ?? LocalizedText.Null),
            AttributeId.DataType when node is TypeNode { NodeClass: NodeClass.VariableType } t => new Variant(t.DataType ?? WellKnownNodes.BaseDataType),
            AttributeId.ValueRank when node is TypeNode { NodeClass: NodeClass.VariableType } => new Variant(-2),
            AttributeId.Executable or AttributeId.UserExecutable when node is MethodNode m => new Variant(m.Executable),
            AttributeId.DataType when node is VariableNode v => new Variant(v.DataType),
            AttributeId.ValueRank when node is VariableNode v => new Variant(v.ValueRank),
            AttributeId.ArrayDimensions when node is VariableNode v => v.ValueRank == 1 ? new Variant(s_oneDimension) : Variant.Null,
            AttributeId.AccessLevel or AttributeId.UserAccessLevel when node is VariableNode v => new Variant(v.Writable ? (byte)3 : (byte)1),
            AttributeId.MinimumSamplingInterval when node is VariableNode v => new Variant(v.MinimumSamplingInterval),
            AttributeId.Historizing when node is VariableNode => new Variant(false),
            _ => null,
        };

        if (item.AttributeId == AttributeId.Value && node is VariableNode variable)
        {
            DataValue current = node.NodeId == WellKnownNodes.ServerStatusCurrentTime ? new DataValue(new Variant(now), StatusCode.Good, now, now) : variable.Value;
            if (item.IndexRange is not null)
            {
                current = ApplyIndexRange(current, item.IndexRange);
            }

            return WithTimestamps(current, timestamps, now);
        }

        return value is Variant v2 ? new DataValue(v2) : DataValue.FromStatus(StatusCode.BadAttributeIdInvalid);
    }

    private static DataValue ApplyIndexRange(DataValue value, string range)
    {
        if (!NumericRange.TryParse(range, out NumericRange parsed))
        {
            return DataValue.FromStatus(StatusCode.BadIndexRangeInvalid);
        }

        StatusCode status = parsed.TrySlice(value.Value, out Variant slice);
        return status.IsGood ? value with { Value = slice } : DataValue.FromStatus(status);
    }

    internal static DataValue WithTimestamps(DataValue value, TimestampsToReturn timestamps, DateTime now) => timestamps switch
    {
        TimestampsToReturn.Source => value with { ServerTimestamp = null, ServerPicoseconds = 0 },
        TimestampsToReturn.Server => value with { SourceTimestamp = null, SourcePicoseconds = 0, ServerTimestamp = now },
        TimestampsToReturn.Neither => value with { SourceTimestamp = null, ServerTimestamp = null, SourcePicoseconds = 0, ServerPicoseconds = 0 },
        _ => value with { ServerTimestamp = now },
    };
}

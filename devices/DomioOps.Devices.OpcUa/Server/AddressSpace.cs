using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// The nodes a server exposes: the standard folders and Server object of namespace 0 plus whatever the application adds.
/// Thread-safe for concurrent reads; structure changes are serialised.
/// </summary>
public sealed partial class AddressSpace
{
    private static readonly uint[] OneDimension = [0u];
    private readonly Dictionary<NodeId, Node> _nodes = [];

    /// <summary>Every type's supertype, from the HasSubtype references added so far (reference, object, variable and data types).</summary>
    private readonly Dictionary<NodeId, NodeId> _supertypes = [];
    private readonly Lock _gate = new();
    private readonly List<string> _namespaces = ["http://opcfoundation.org/UA/"];

    public AddressSpace(string applicationUri, TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        var now = time.GetUtcNow().UtcDateTime;
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
            var index = _namespaces.IndexOf(uri);
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
        var parentNode = Find(parent);
        var reference = referenceType ?? (parentNode is ObjectNode o && IsFolder(o) ? WellKnownNodes.Organizes : WellKnownNodes.HasComponent);
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
        var parentNode = Find(parent);
        var reference = referenceType ?? (parentNode is ObjectNode o && IsFolder(o) ? WellKnownNodes.Organizes : WellKnownNodes.HasComponent);
        Add(node, parent, reference, reference == WellKnownNodes.HasProperty ? WellKnownNodes.PropertyType : WellKnownNodes.BaseDataVariableType);
        return node;
    }

    /// <summary>Adds a reference and its inverse between two existing nodes.</summary>
    public void AddReference(NodeId source, NodeId referenceType, NodeId target)
    {
        lock (_gate)
        {
            var from = _nodes.GetValueOrDefault(source) ?? throw new OpcUaException(StatusCode.BadNodeIdUnknown, $"Node {source} does not exist.");
            from.AddReference(new NodeReference(referenceType, true, target));
            ForgetDeclarations(from, referenceType);
            if (_nodes.TryGetValue(target, out var to))
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
            var complete = true;
            var added = false;
            if (_nodes.TryGetValue(source, out var from))
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
            if (_nodes.TryGetValue(target, out var to))
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
            var current = typeId;
            for (var depth = 0; current is not null && depth < 64; depth++)
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
        var target = Find(reference.TargetId);
        var typeDefinition = target?.References.FirstOrDefault(r => r.IsForward && r.ReferenceTypeId == WellKnownNodes.HasTypeDefinition)?.TargetId;
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
        var node = Find(item.NodeId);
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
            AttributeId.ArrayDimensions when node is VariableNode v => v.ValueRank == 1 ? new Variant(OneDimension) : Variant.Null,
            AttributeId.AccessLevel or AttributeId.UserAccessLevel when node is VariableNode v => new Variant(v.Writable ? (byte)3 : (byte)1),
            AttributeId.MinimumSamplingInterval when node is VariableNode v => new Variant(v.MinimumSamplingInterval),
            AttributeId.Historizing when node is VariableNode => new Variant(false),
            _ => null,
        };

        if (item.AttributeId == AttributeId.Value && node is VariableNode variable)
        {
            var current = node.NodeId == WellKnownNodes.ServerStatusCurrentTime ? new DataValue(new Variant(now), StatusCode.Good, now, now) : variable.Value;
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
        if (!NumericRange.TryParse(range, out var parsed))
        {
            return DataValue.FromStatus(StatusCode.BadIndexRangeInvalid);
        }

        var status = parsed.TrySlice(value.Value, out var slice);
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

using System.Globalization;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Information models loaded into the address space, instances of their object types, and browse-path lookup.</summary>
public sealed partial class AddressSpace
{
    private readonly Dictionary<string, string?> _models = new(StringComparer.Ordinal) { ["http://opcfoundation.org/UA/"] = null };
    private readonly Dictionary<NodeId, (Node Node, NodeId ReferenceType, NodeId Rule)[]> _declaredChildren = [];

    /// <summary>The URIs of the information models loaded so far (namespace 0 is always there).</summary>
    public IReadOnlyCollection<string> ModelUris
    {
        get
        {
            lock (_gate)
            {
                return [.. _models.Keys];
            }
        }
    }

    public bool HasModel(string modelUri)
    {
        lock (_gate)
        {
            return _models.ContainsKey(modelUri);
        }
    }

    internal void AddModel(string modelUri, string? version)
    {
        lock (_gate)
        {
            _models[modelUri] = version;
        }
    }

    /// <summary>The NodeId in this server of a node a model defines: its namespace URI and numeric identifier.</summary>
    public NodeId NodeIdOf(string namespaceUri, uint identifier)
    {
        var index = NamespaceUris.ToList().IndexOf(namespaceUri);
        return index < 0
            ? throw new OpcUaException(StatusCode.BadNodeIdUnknown, $"Namespace {namespaceUri} is not in this address space; load its NodeSet first.")
            : new NodeId((ushort)index, identifier);
    }

    /// <summary>
    /// Creates an object of the given ObjectType under <paramref name="parent"/> (OPC 10000-3 §6.4): every Mandatory child of
    /// the type and its supertypes, and every Optional one for which <paramref name="includeOptional"/> returns true, recursively
    /// through the children's own type definitions. Children get string NodeIds "{instance}/{browse path}" in the instance's
    /// namespace; a declaration reached twice in the same type (such as Identification under MachineryBuildingBlocks) becomes
    /// one node with two references. <paramref name="includeOptional"/> receives the slash-separated browse path from the
    /// instance, e.g. "State/Machine/Values".
    /// </summary>
    public ObjectNode AddInstance(NodeId parent, NodeId nodeId, QualifiedName browseName, NodeId objectType, Func<string, bool>? includeOptional = null, LocalizedText? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        if (Find(objectType) is not TypeNode { NodeClass: NodeClass.ObjectType } type)
        {
            throw new OpcUaException(StatusCode.BadNodeIdUnknown, $"{objectType} is not an ObjectType of this address space.");
        }

        if (type.IsAbstract)
        {
            throw new OpcUaException(StatusCode.BadNodeIdInvalid, $"ObjectType {type.BrowseName} is abstract and cannot be instantiated.");
        }

        var instance = AddObject(parent, nodeId, browseName, objectType, displayName: displayName);
        Instantiation run = new(this, nodeId, includeOptional ?? (static _ => false));
        run.AddChildren(instance, string.Empty, TypeDeclarations(objectType, nodeId));
        return instance;
    }

    /// <summary>
    /// Follows forward hierarchical references by browse name from <paramref name="start"/>: "State/Machine/Overview/CurrentState".
    /// A segment may name its namespace index ("2:Identification"); without one, any namespace matches.
    /// </summary>
    public Node? FindByBrowsePath(NodeId start, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var current = Find(start);
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is null)
            {
                return null;
            }

            (var ns, var name) = ParseSegment(segment);
            current = Children(current).FirstOrDefault(c => c.BrowseName.Name == name && (ns is null || c.BrowseName.NamespaceIndex == ns));
        }

        return current;
    }

    /// <summary>The variable at a browse path (see <see cref="FindByBrowsePath"/>); throws naming the path when there is none.</summary>
    public VariableNode VariableAt(NodeId start, string path) =>
        FindByBrowsePath(start, path) as VariableNode
        ?? throw new OpcUaException(StatusCode.BadNoMatch, $"No variable at browse path '{path}' from {start}.");

    private static (int? Namespace, string Name) ParseSegment(string segment)
    {
        var colon = segment.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && int.TryParse(segment.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ns)
            ? (ns, segment[(colon + 1)..])
            : (null, segment);
    }

    /// <summary>The targets of a node's forward hierarchical references.</summary>
    internal IEnumerable<Node> Children(Node node)
    {
        foreach (var reference in node.References.ToArray())
        {
            if (reference.IsForward && IsSubtypeOf(reference.ReferenceTypeId, WellKnownNodes.HierarchicalReferences) && Find(reference.TargetId) is { } child)
            {
                yield return child;
            }
        }
    }

    /// <summary>
    /// The instance declarations of a type and its supertypes, the most derived first; a subtype's declaration overrides its
    /// supertype's of the same browse name (OPC 10000-3 §6.4.4). <paramref name="context"/> identifies the instance they are for.
    /// </summary>
    private List<Declaration> TypeDeclarations(NodeId typeId, NodeId context)
    {
        List<Declaration> result = [];
        HashSet<QualifiedName> names = [];
        for (var type = typeId; type is not null; type = SupertypeOf(type))
        {
            if (Find(type) is { } typeNode)
            {
                foreach (var declaration in OwnDeclarations(typeNode, context))
                {
                    if (names.Add(declaration.Node.BrowseName))
                    {
                        result.Add(declaration);
                    }
                }
            }
        }

        return result;
    }

    /// <summary>The declarations directly below a type or a declaration: children with a modelling rule.</summary>
    private IEnumerable<Declaration> OwnDeclarations(Node owner, NodeId context) =>
        DeclaredChildren(owner).Select(d => new Declaration(d.Node, d.ReferenceType, d.Rule, context));

    /// <summary>
    /// The children of <paramref name="owner"/> that have a modelling rule. Cached for type nodes: a base type such as
    /// BaseDataVariableType holds an inverse HasTypeDefinition from every variable, so scanning it per instance would grow
    /// with the address space. The cache is dropped when a type gains a forward reference or a node a modelling rule.
    /// </summary>
    private (Node Node, NodeId ReferenceType, NodeId Rule)[] DeclaredChildren(Node owner)
    {
        lock (_gate)
        {
            if (owner is TypeNode && _declaredChildren.TryGetValue(owner.NodeId, out (Node, NodeId, NodeId)[]? cached))
            {
                return cached;
            }
        }

        List<(Node, NodeId, NodeId)> children = [];
        foreach (var reference in owner.References.ToArray())
        {
            if (!reference.IsForward || reference.ReferenceTypeId == WellKnownNodes.HasSubtype || !IsSubtypeOf(reference.ReferenceTypeId, WellKnownNodes.HasChild))
            {
                continue;
            }

            if (Find(reference.TargetId) is { } child && ModellingRuleOf(child) is { } rule)
            {
                children.Add((child, reference.ReferenceTypeId, rule));
            }
        }

        (Node, NodeId, NodeId)[] result = [.. children];
        if (owner is TypeNode)
        {
            lock (_gate)
            {
                _declaredChildren[owner.NodeId] = result;
            }
        }

        return result;
    }

    private static NodeId? ModellingRuleOf(Node node) =>
        node.References.FirstOrDefault(r => r.IsForward && r.ReferenceTypeId == WellKnownNodes.HasModellingRule)?.TargetId;

    private static NodeId? TypeDefinitionOf(Node node) =>
        node.References.FirstOrDefault(r => r.IsForward && r.ReferenceTypeId == WellKnownNodes.HasTypeDefinition)?.TargetId;

    /// <summary>A child to create: its declaration node, how its parent references it, its modelling rule, and the instance whose type declared it.</summary>
    private sealed record Declaration(Node Node, NodeId ReferenceType, NodeId ModellingRule, NodeId Context);

    /// <summary>One run of <see cref="AddInstance"/>: remembers which declarations became which nodes.</summary>
    private sealed class Instantiation(AddressSpace space, NodeId root, Func<string, bool> includeOptional)
    {
        private readonly Dictionary<(NodeId Context, NodeId Declaration), NodeId> _created = [];
        private readonly string _rootText = root.IdType == NodeIdType.String ? root.StringIdentifier : root.ToString();

        public void AddChildren(Node parent, string path, List<Declaration> declarations)
        {
            foreach (var declaration in declarations)
            {
                var childPath = path.Length == 0 ? declaration.Node.BrowseName.Name ?? string.Empty : $"{path}/{declaration.Node.BrowseName.Name}";
                var wanted = declaration.ModellingRule == WellKnownNodes.ModellingRuleMandatory
                    || (declaration.ModellingRule == WellKnownNodes.ModellingRuleOptional && includeOptional(childPath));
                if (!wanted)
                {
                    continue;
                }

                if (_created.TryGetValue((declaration.Context, declaration.Node.NodeId), out var existing))
                {
                    space.AddReferenceHalves(parent.NodeId, declaration.ReferenceType, existing);
                    continue;
                }

                var child = Copy(declaration.Node, new NodeId(root.NamespaceIndex, $"{_rootText}/{childPath}"));
                space.AddNode(child);
                _created[(declaration.Context, declaration.Node.NodeId)] = child.NodeId;
                space.AddReferenceHalves(parent.NodeId, declaration.ReferenceType, child.NodeId);
                var typeDefinition = TypeDefinitionOf(declaration.Node);
                if (typeDefinition is not null)
                {
                    space.AddReferenceHalves(child.NodeId, WellKnownNodes.HasTypeDefinition, typeDefinition);
                }

                // The declaration's own children override those its type definition declares.
                List<Declaration> below = [.. space.OwnDeclarations(declaration.Node, declaration.Context)];
                if (typeDefinition is not null)
                {
                    HashSet<QualifiedName> names = [.. below.Select(d => d.Node.BrowseName)];
                    below.AddRange(space.TypeDeclarations(typeDefinition, child.NodeId).Where(d => !names.Contains(d.Node.BrowseName)));
                }

                AddChildren(child, childPath, below);
            }
        }

        private Node Copy(Node declaration, NodeId nodeId) => declaration switch
        {
            ObjectNode o => new ObjectNode(nodeId, o.BrowseName, o.DisplayName) { Description = o.Description, EventNotifier = o.EventNotifier },
            VariableNode v => new VariableNode(nodeId, v.BrowseName, v.DisplayName, v.DataType, InitialValue(v), DateTime.UtcNow)
            {
                Description = v.Description,
                ValueRank = v.ValueRank,
                Writable = v.Writable,
                MinimumSamplingInterval = v.MinimumSamplingInterval,
                EURange = v.EURange,
            },
            MethodNode m => new MethodNode(nodeId, m.BrowseName, m.DisplayName) { Description = m.Description, Executable = m.Executable },
            _ => throw new OpcUaException(StatusCode.BadNodeIdInvalid, $"{declaration.NodeId} ({declaration.NodeClass}) cannot be an instance declaration."),
        };

        /// <summary>The declaration's default value, else zero of a numeric, Boolean or enumeration scalar, else null.</summary>
        private Variant InitialValue(VariableNode declaration)
        {
            var value = declaration.Value.Value;
            if (!value.IsNull || declaration.ValueRank >= 0)
            {
                return value;
            }

            var type = declaration.DataType;
            if (type.NamespaceIndex == 0 && type.IdType == NodeIdType.Numeric && type.NumericIdentifier is >= 1 and <= 11)
            {
                return ((BuiltInType)type.NumericIdentifier) switch
                {
                    BuiltInType.Boolean => new Variant(false),
                    BuiltInType.SByte => new Variant((sbyte)0),
                    BuiltInType.Byte => new Variant((byte)0),
                    BuiltInType.Int16 => new Variant((short)0),
                    BuiltInType.UInt16 => new Variant((ushort)0),
                    BuiltInType.Int32 => new Variant(0),
                    BuiltInType.UInt32 => new Variant(0u),
                    BuiltInType.Int64 => new Variant(0L),
                    BuiltInType.UInt64 => new Variant(0UL),
                    BuiltInType.Float => new Variant(0f),
                    _ => new Variant(0d),
                };
            }

            return space.IsSubtypeOf(type, WellKnownNodes.Enumeration) ? new Variant(0) : value;
        }
    }
}

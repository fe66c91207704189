using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace DomioOps.Devices.OpcUa.NodeSets;

public sealed partial class NodeSet
{
    /// <summary>Reads one file's nodes: its namespace table and aliases (OPC 10000-6 §F.2, §F.4), node by node.</summary>
    private sealed partial class Reader
    {
        private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
        private readonly List<string> _fileUris = [];
        private readonly List<NodeSetSkip> _skipped = [];
        private readonly XElement _root;

        public Reader(string sourceName, XElement root)
        {
            SourceName = sourceName;
            _root = root;
            foreach (var uri in root.Element(NodeSetNamespace + "NamespaceUris")?.Elements(NodeSetNamespace + "Uri") ?? [])
            {
                _fileUris.Add(uri.Value.Trim());
            }

            foreach (var alias in root.Element(NodeSetNamespace + "Aliases")?.Elements(NodeSetNamespace + "Alias") ?? [])
            {
                var name = (string?)alias.Attribute("Alias") ?? throw Error(alias, "an Alias has no Alias attribute");
                _aliases[name] = alias.Value.Trim();
            }
        }

        public string SourceName { get; }

        public IReadOnlyList<string> FileUris => _fileUris;

        public IReadOnlyList<NodeSetSkip> Skipped => _skipped;

        public List<NodeSetModel> ReadModels()
        {
            List<NodeSetModel> models = [];
            foreach (var model in _root.Element(NodeSetNamespace + "Models")?.Elements(NodeSetNamespace + "Model") ?? [])
            {
                var uri = (string?)model.Attribute("ModelUri") ?? throw new NodeSetException($"{SourceName}: line {Line(model)}: a Model has no ModelUri.");
                NodeSetModel[] required =
                [
                    .. model.Elements(NodeSetNamespace + "RequiredModel").Select(r => new NodeSetModel((string?)r.Attribute("ModelUri") ?? string.Empty, (string?)r.Attribute("Version"), [])),
                ];
                models.Add(new NodeSetModel(uri, (string?)model.Attribute("Version"), required));
            }

            return models;
        }

        public NodeDefinition? ReadNode(XElement e)
        {
            var nodeId = NodeIdOf(e, (string?)e.Attribute("NodeId") ?? throw Error(e, $"<{e.Name.LocalName}> has no NodeId"));
            var browseName = BrowseNameOf(e, (string?)e.Attribute("BrowseName") ?? throw Error(e, $"node {nodeId} has no BrowseName"));
            var displayName = TextOf(e.Element(NodeSetNamespace + "DisplayName")) ?? new LocalizedText(browseName.Name);
            var description = TextOf(e.Element(NodeSetNamespace + "Description"));
            var isAbstract = Bool(e, "IsAbstract", false);
            var line = Line(e);
            var node = e.Name.LocalName switch
            {
                "UAObject" => new NodeDefinition(NodeClass.Object, nodeId, browseName, displayName, line) { EventNotifier = (byte)Int(e, "EventNotifier", 0) },
                "UAVariable" => new NodeDefinition(NodeClass.Variable, nodeId, browseName, displayName, line)
                {
                    DataType = NodeIdOf(e, (string?)e.Attribute("DataType") ?? "i=24"),
                    Value = ReadValue(e, nodeId),
                    ValueRank = Int(e, "ValueRank", -1),
                    Writable = (Int(e, "AccessLevel", 1) & 0x02) != 0,
                    MinimumSamplingInterval = double.Parse((string?)e.Attribute("MinimumSamplingInterval") ?? "0", CultureInfo.InvariantCulture),
                },
                "UAMethod" => new NodeDefinition(NodeClass.Method, nodeId, browseName, displayName, line) { Executable = Bool(e, "Executable", true) },
                "UAObjectType" => new NodeDefinition(NodeClass.ObjectType, nodeId, browseName, displayName, line) { IsAbstract = isAbstract },
                "UAVariableType" => new NodeDefinition(NodeClass.VariableType, nodeId, browseName, displayName, line)
                {
                    IsAbstract = isAbstract,
                    DataType = NodeIdOf(e, (string?)e.Attribute("DataType") ?? "i=24"),
                },
                "UADataType" => new NodeDefinition(NodeClass.DataType, nodeId, browseName, displayName, line) { IsAbstract = isAbstract },
                "UAReferenceType" => new NodeDefinition(NodeClass.ReferenceType, nodeId, browseName, displayName, line)
                {
                    IsAbstract = isAbstract,
                    Symmetric = Bool(e, "Symmetric", false),
                    InverseName = TextOf(e.Element(NodeSetNamespace + "InverseName")),
                },
                _ => null,
            };

            if (node is null)
            {
                _skipped.Add(new NodeSetSkip(line, nodeId, $"<{e.Name.LocalName}> nodes are not supported", IsValue: false));
                return null;
            }

            return node with { Description = description, References = ReadReferences(e) };
        }

        private List<(NodeId Type, bool Forward, NodeId Target)> ReadReferences(XElement e)
        {
            List<(NodeId, bool, NodeId)> references = [];
            foreach (var reference in e.Element(NodeSetNamespace + "References")?.Elements(NodeSetNamespace + "Reference") ?? [])
            {
                var type = NodeIdOf(reference, (string?)reference.Attribute("ReferenceType") ?? throw Error(reference, "a Reference has no ReferenceType"));
                references.Add((type, Bool(reference, "IsForward", true), NodeIdOf(reference, reference.Value.Trim())));
            }

            return references;
        }

        /// <summary>A NodeId or alias of the file, in the file's namespace indices (checked against its NamespaceUris).</summary>
        public NodeId NodeIdOf(XObject where, string text)
        {
            if (_aliases.TryGetValue(text, out var aliased))
            {
                text = aliased;
            }

            NodeId id;
            try
            {
                id = NodeId.Parse(text);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw Error(where, $"'{text}' is neither a NodeId nor one of the file's aliases", e);
            }

            CheckIndex(where, id.NamespaceIndex);
            return id;
        }

        public ushort CheckIndex(XObject where, int fileIndex) =>
            fileIndex >= 0 && fileIndex <= _fileUris.Count ? (ushort)fileIndex : throw Error(where, $"namespace index {fileIndex} is not in the file's NamespaceUris ({_fileUris.Count} entries)");

        private QualifiedName BrowseNameOf(XObject where, string text)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return new QualifiedName(CheckIndex(where, index), text[(colon + 1)..]);
            }

            return new QualifiedName(0, text);
        }

        private static LocalizedText? TextOf(XElement? e) =>
            e is null ? null : new LocalizedText((string?)e.Attribute("Locale") is { Length: > 0 } locale ? locale : null, e.Value);

        private NodeSetException Error(XObject where, string message, Exception? inner = null) =>
            inner is null ? new($"{SourceName}: line {Line(where)}: {message}.") : new($"{SourceName}: line {Line(where)}: {message}.", inner);

        private int Int(XElement e, string attribute, int fallback)
        {
            var text = (string?)e.Attribute(attribute);
            return text is null ? fallback
                : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
                : throw Error(e, $"attribute {attribute}='{text}' is not an integer");
        }

        private bool Bool(XElement e, string attribute, bool fallback)
        {
            var text = (string?)e.Attribute(attribute);
            try
            {
                return text is null ? fallback : XmlConvert.ToBoolean(text);
            }
            catch (FormatException ex)
            {
                throw Error(e, $"attribute {attribute}='{text}' is not a boolean", ex);
            }
        }
    }
}

using System.Globalization;
using System.Xml;
using System.Xml.Linq;

using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Devices.OpcUa.NodeSets;

public sealed partial class NodeSetLoader
{
    /// <summary>What one file's nodes need to be read: its namespace mapping and aliases (OPC 10000-6 §F.2, §F.4).</summary>
    private sealed partial class FileContext(string sourceName, NodeSetLoader loader)
    {
        private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
        private readonly List<string> _fileUris = [];
        private ushort[] _map = [0];

        public string SourceName { get; } = sourceName;

        public int SkippedValues { get; private set; }

        /// <summary>
        /// Index i of the file's NamespaceUris (1-based, 0 is the UA namespace) maps to the server index the URI has or
        /// will get; <see cref="RegisterNamespaces"/> makes it real once the file is known to be good.
        /// </summary>
        public void MapNamespaces(XElement root)
        {
            List<string> server = [.. loader._space.NamespaceUris];
            _map = new ushort[1];
            foreach (XElement uri in root.Element(s_nodeSet + "NamespaceUris")?.Elements(s_nodeSet + "Uri") ?? [])
            {
                string value = uri.Value.Trim();
                _fileUris.Add(value);
                int index = server.IndexOf(value);
                if (index < 0)
                {
                    server.Add(value);
                    index = server.Count - 1;
                }

                _map = [.. _map, (ushort)index];
            }
        }

        public void RegisterNamespaces()
        {
            for (int i = 0; i < _fileUris.Count; i++)
            {
                ushort index = loader._space.RegisterNamespace(_fileUris[i]);
                if (index != _map[i + 1])
                {
                    throw new NodeSetException($"{SourceName}: namespace {_fileUris[i]} got index {index}, expected {_map[i + 1]}; load NodeSets one at a time.");
                }
            }
        }

        public void ReadAliases(XElement root)
        {
            foreach (XElement alias in root.Element(s_nodeSet + "Aliases")?.Elements(s_nodeSet + "Alias") ?? [])
            {
                string name = (string?)alias.Attribute("Alias") ?? throw Error(alias, "an Alias has no Alias attribute");
                _aliases[name] = alias.Value.Trim();
            }
        }

        public Node? ReadNode(XElement e)
        {
            NodeId nodeId = NodeIdOf(e, (string?)e.Attribute("NodeId") ?? throw Error(e, $"<{e.Name.LocalName}> has no NodeId"));
            QualifiedName browseName = BrowseNameOf(e, (string?)e.Attribute("BrowseName") ?? throw Error(e, $"node {nodeId} has no BrowseName"));
            LocalizedText displayName = TextOf(e.Element(s_nodeSet + "DisplayName")) ?? new LocalizedText(browseName.Name);
            LocalizedText? description = TextOf(e.Element(s_nodeSet + "Description"));
            bool isAbstract = Bool(e, "IsAbstract", false);
            switch (e.Name.LocalName)
            {
                case "UAObject":
                    return new ObjectNode(nodeId, browseName, displayName) { Description = description, EventNotifier = (byte)Int(e, "EventNotifier", 0) };
                case "UAVariable":
                    {
                        NodeId dataType = NodeIdOf(e, (string?)e.Attribute("DataType") ?? "i=24");
                        Variant value = ReadValue(e, nodeId);
                        int accessLevel = Int(e, "AccessLevel", 1);
                        return new VariableNode(nodeId, browseName, displayName, dataType, value, DateTime.UtcNow)
                        {
                            Description = description,
                            ValueRank = Int(e, "ValueRank", -1),
                            Writable = (accessLevel & 0x02) != 0,
                            MinimumSamplingInterval = double.Parse((string?)e.Attribute("MinimumSamplingInterval") ?? "0", CultureInfo.InvariantCulture),
                        };
                    }

                case "UAMethod":
                    return new MethodNode(nodeId, browseName, displayName) { Description = description, Executable = Bool(e, "Executable", true) };
                case "UAObjectType":
                    return new TypeNode(nodeId, browseName, NodeClass.ObjectType, displayName) { Description = description, IsAbstract = isAbstract };
                case "UAVariableType":
                    return new TypeNode(nodeId, browseName, NodeClass.VariableType, displayName)
                    {
                        Description = description,
                        IsAbstract = isAbstract,
                        DataType = NodeIdOf(e, (string?)e.Attribute("DataType") ?? "i=24"),
                    };
                case "UADataType":
                    return new TypeNode(nodeId, browseName, NodeClass.DataType, displayName) { Description = description, IsAbstract = isAbstract };
                case "UAReferenceType":
                    return new TypeNode(nodeId, browseName, NodeClass.ReferenceType, displayName)
                    {
                        Description = description,
                        IsAbstract = isAbstract,
                        Symmetric = Bool(e, "Symmetric", false),
                        InverseName = TextOf(e.Element(s_nodeSet + "InverseName")),
                    };
                default:
                    LogSkippedValue(loader._logger, SourceName, Line(e), nodeId, $"<{e.Name.LocalName}> nodes are not supported");
                    return null;
            }
        }

        public List<(NodeId Type, bool Forward, NodeId Target)> ReadReferences(XElement e)
        {
            List<(NodeId, bool, NodeId)> references = [];
            foreach (XElement reference in e.Element(s_nodeSet + "References")?.Elements(s_nodeSet + "Reference") ?? [])
            {
                NodeId type = NodeIdOf(reference, (string?)reference.Attribute("ReferenceType") ?? throw Error(reference, "a Reference has no ReferenceType"));
                references.Add((type, Bool(reference, "IsForward", true), NodeIdOf(reference, reference.Value.Trim())));
            }

            return references;
        }

        /// <summary>A NodeId or alias of the file, with its namespace index mapped to the server's.</summary>
        public NodeId NodeIdOf(XObject where, string text)
        {
            if (_aliases.TryGetValue(text, out string? aliased))
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

            return id.NamespaceIndex == 0 ? id : Remap(where, id);
        }

        private NodeId Remap(XObject where, NodeId id)
        {
            ushort ns = MapIndex(where, id.NamespaceIndex);
            return id.IdType switch
            {
                NodeIdType.Numeric => new NodeId(ns, id.NumericIdentifier),
                NodeIdType.String => new NodeId(ns, id.StringIdentifier),
                NodeIdType.Guid => new NodeId(ns, id.GuidIdentifier),
                _ => new NodeId(ns, id.OpaqueIdentifier),
            };
        }

        public ushort MapIndex(XObject where, int fileIndex) =>
            fileIndex >= 0 && fileIndex < _map.Length ? _map[fileIndex] : throw Error(where, $"namespace index {fileIndex} is not in the file's NamespaceUris ({_map.Length - 1} entries)");

        private QualifiedName BrowseNameOf(XObject where, string text)
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                return new QualifiedName(MapIndex(where, index), text[(colon + 1)..]);
            }

            return new QualifiedName(0, text);
        }

        private static LocalizedText? TextOf(XElement? e) =>
            e is null ? null : new LocalizedText((string?)e.Attribute("Locale") is { Length: > 0 } locale ? locale : null, e.Value);

        private NodeSetException Error(XObject where, string message, Exception? inner = null) =>
            inner is null ? new($"{SourceName}: line {Line(where)}: {message}.") : new($"{SourceName}: line {Line(where)}: {message}.", inner);

        private int Int(XElement e, string attribute, int fallback)
        {
            string? text = (string?)e.Attribute(attribute);
            return text is null ? fallback
                : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value
                : throw Error(e, $"attribute {attribute}='{text}' is not an integer");
        }

        private bool Bool(XElement e, string attribute, bool fallback)
        {
            string? text = (string?)e.Attribute(attribute);
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

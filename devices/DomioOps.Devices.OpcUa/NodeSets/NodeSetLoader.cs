using System.Globalization;
using System.Xml;
using System.Xml.Linq;

using DomioOps.Devices.OpcUa.Server;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Devices.OpcUa.NodeSets;

/// <summary>
/// Imports a UANodeSet XML file (OPC 10000-6 Annex F) into an <see cref="AddressSpace"/>: the file's namespace table is
/// mapped onto the server's, aliases are resolved, every node with its attributes, references and value is added.
/// The file's RequiredModels must be loaded first. The whole file is parsed and checked before the first node is added,
/// so a bad file leaves the address space as it was (apart from namespace URIs it registered).
/// </summary>
public sealed partial class NodeSetLoader
{
    private const string UaNamespaceUri = "http://opcfoundation.org/UA/";
    private static readonly XNamespace s_nodeSet = "http://opcfoundation.org/UA/2011/03/UANodeSet.xsd";
    private static readonly XNamespace s_types = "http://opcfoundation.org/UA/2008/02/Types.xsd";

    private readonly AddressSpace _space;
    private readonly ILogger _logger;

    public NodeSetLoader(AddressSpace addressSpace, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(addressSpace);
        _space = addressSpace;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Imports a NodeSet2 file from disk.</summary>
    public NodeSetImport Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Imports a NodeSet2 document; <paramref name="sourceName"/> names it in errors and logs.</summary>
    public NodeSetImport Load(Stream xml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(xml);
        XDocument document;
        try
        {
            document = XDocument.Load(xml, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new NodeSetException($"{sourceName}: malformed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message}", e);
        }

        XElement root = document.Root!;
        if (root.Name != s_nodeSet + "UANodeSet")
        {
            throw new NodeSetException($"{sourceName}: the root element is <{root.Name.LocalName}>, not a UANodeSet in namespace {s_nodeSet.NamespaceName}.");
        }

        FileContext file = new(sourceName, this);
        List<(string Uri, string? Version)> models = ReadModels(root, file);
        file.MapNamespaces(root);
        file.ReadAliases(root);

        List<(Node Node, List<(NodeId Type, bool Forward, NodeId Target)> References)> parsed = [];
        foreach (XElement element in root.Elements())
        {
            string kind = element.Name.LocalName;
            if (kind is "NamespaceUris" or "Models" or "Aliases" or "Extensions" or "ServerUris" || element.Name.Namespace != s_nodeSet)
            {
                continue;
            }

            Node? node = file.ReadNode(element);
            if (node is null)
            {
                continue;
            }

            if (_space.Find(node.NodeId) is not null || parsed.Any(p => p.Node.NodeId == node.NodeId))
            {
                throw new NodeSetException($"{sourceName}: line {Line(element)}: node {node.NodeId} ({node.BrowseName}) already exists; was this NodeSet loaded twice?");
            }

            parsed.Add((node, file.ReadReferences(element)));
        }

        file.RegisterNamespaces();
        foreach ((Node node, _) in parsed)
        {
            _space.AddNode(node);
        }

        int unresolved = 0;
        foreach ((Node node, List<(NodeId Type, bool Forward, NodeId Target)> references) in parsed)
        {
            foreach ((NodeId type, bool forward, NodeId target) in references)
            {
                bool complete = forward ? _space.AddReferenceHalves(node.NodeId, type, target) : _space.AddReferenceHalves(target, type, node.NodeId);
                if (!complete)
                {
                    unresolved++;
                    LogUnresolvedReference(_logger, sourceName, node.NodeId, type, target);
                }
            }
        }

        foreach ((string uri, string? version) in models)
        {
            _space.AddModel(uri, version);
        }

        string[] modelUris = [.. models.Select(m => m.Uri)];
        NodeSetImport result = new(sourceName, modelUris, parsed.Count, unresolved, file.SkippedValues);
        LogImported(_logger, sourceName, modelUris, result.NodesAdded, result.UnresolvedReferences, result.SkippedValues);
        return result;
    }

    private List<(string Uri, string? Version)> ReadModels(XElement root, FileContext file)
    {
        List<(string Uri, string? Version)> models = [];
        foreach (XElement model in root.Element(s_nodeSet + "Models")?.Elements(s_nodeSet + "Model") ?? [])
        {
            string uri = (string?)model.Attribute("ModelUri") ?? throw new NodeSetException($"{file.SourceName}: line {Line(model)}: a Model has no ModelUri.");
            if (_space.HasModel(uri))
            {
                throw new NodeSetException($"{file.SourceName}: model {uri} is already loaded in this address space.");
            }

            foreach (XElement required in model.Elements(s_nodeSet + "RequiredModel"))
            {
                string requiredUri = (string?)required.Attribute("ModelUri") ?? string.Empty;
                if (requiredUri != UaNamespaceUri && !_space.HasModel(requiredUri) && !models.Any(m => m.Uri == requiredUri))
                {
                    string version = (string?)required.Attribute("Version") ?? "any";
                    throw new NodeSetException(
                        $"{file.SourceName}: model {uri} requires model {requiredUri} (version {version}), which is not loaded; load its NodeSet2 file first.")
                    {
                        MissingModelUri = requiredUri,
                    };
                }
            }

            models.Add((uri, (string?)model.Attribute("Version")));
        }

        return models;
    }

    private static int Line(XObject node) => node is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;

    [LoggerMessage(Level = LogLevel.Information, Message = "NodeSet {Source} imported: models {Models}, {Nodes} nodes, {Unresolved} references to nodes this server does not hold, {Skipped} values skipped")]
    private static partial void LogImported(ILogger logger, string source, string[] models, int nodes, int unresolved, int skipped);

    [LoggerMessage(Level = LogLevel.Debug, Message = "NodeSet {Source}: reference {From}-{Type}->{Target} has an end this server does not hold")]
    private static partial void LogUnresolvedReference(ILogger logger, string source, NodeId from, NodeId type, NodeId target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "NodeSet {Source}: line {Line}: value of {NodeId} skipped: {Reason}")]
    private static partial void LogSkippedValue(ILogger logger, string source, int line, NodeId nodeId, string reason);
}

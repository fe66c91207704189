using System.Xml;
using System.Xml.Linq;

namespace DomioOps.Devices.OpcUa.NodeSets;

/// <summary>
/// A UANodeSet XML document (OPC 10000-6 Annex F) parsed once into an immutable model: its namespace table, models,
/// and every node with its attributes, references and value, all in the file's own namespace indices (aliases resolved).
/// <see cref="NodeSetLoader.Import"/> maps it onto an address space's namespaces; one parsed NodeSet can be imported
/// into any number of address spaces, from any thread.
/// </summary>
public sealed partial class NodeSet
{
    private static readonly XNamespace NodeSetNamespace = "http://opcfoundation.org/UA/2011/03/UANodeSet.xsd";
    private static readonly XNamespace TypesNamespace = "http://opcfoundation.org/UA/2008/02/Types.xsd";

    private NodeSet(string sourceName, IReadOnlyList<string> namespaceUris, IReadOnlyList<NodeSetModel> models, IReadOnlyList<NodeDefinition> nodes, IReadOnlyList<NodeSetSkip> skipped)
    {
        SourceName = sourceName;
        NamespaceUris = namespaceUris;
        Models = models;
        Nodes = nodes;
        Skipped = skipped;
    }

    /// <summary>The file or resource name the XML came from.</summary>
    public string SourceName { get; }

    /// <summary>The file's NamespaceUris: file namespace index i (from 1) is entry i - 1; index 0 is the UA namespace.</summary>
    public IReadOnlyList<string> NamespaceUris { get; }

    /// <summary>The models the file defines, with the models each requires.</summary>
    public IReadOnlyList<NodeSetModel> Models { get; }

    /// <summary>The number of nodes the file defines.</summary>
    public int NodeCount => Nodes.Count;

    internal IReadOnlyList<NodeDefinition> Nodes { get; }

    /// <summary>Values and nodes the model leaves out because they are not supported; each import reports them.</summary>
    internal IReadOnlyList<NodeSetSkip> Skipped { get; }

    /// <summary>Parses a NodeSet2 file from disk.</summary>
    public static NodeSet Parse(string path)
    {
        using var stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    /// <summary>Parses a NodeSet2 document; <paramref name="sourceName"/> names it in errors and logs.</summary>
    public static NodeSet Parse(Stream xml, string sourceName)
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

        var root = document.Root!;
        if (root.Name != NodeSetNamespace + "UANodeSet")
        {
            throw new NodeSetException($"{sourceName}: the root element is <{root.Name.LocalName}>, not a UANodeSet in namespace {NodeSetNamespace.NamespaceName}.");
        }

        Reader reader = new(sourceName, root);
        var models = reader.ReadModels();
        List<NodeDefinition> nodes = [];
        HashSet<NodeId> seen = [];
        foreach (var element in root.Elements())
        {
            var kind = element.Name.LocalName;
            if (kind is "NamespaceUris" or "Models" or "Aliases" or "Extensions" or "ServerUris" || element.Name.Namespace != NodeSetNamespace)
            {
                continue;
            }

            var node = reader.ReadNode(element);
            if (node is null)
            {
                continue;
            }

            if (!seen.Add(node.NodeId))
            {
                throw new NodeSetException($"{sourceName}: line {Line(element)}: node {node.NodeId} ({node.BrowseName}) is defined twice in the file.");
            }

            nodes.Add(node);
        }

        return new NodeSet(sourceName, reader.FileUris, models, nodes, reader.Skipped);
    }

    private static int Line(XObject node) => node is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;
}

/// <summary>A model a NodeSet defines (OPC 10000-6 §F.2 ModelTableEntry) and the models it requires.</summary>
public sealed record NodeSetModel(string Uri, string? Version, IReadOnlyList<NodeSetModel> RequiredModels);

/// <summary>A node of a parsed NodeSet, in the file's namespace indices; the fields that do not apply to its class are defaults.</summary>
internal sealed record NodeDefinition(NodeClass NodeClass, NodeId NodeId, QualifiedName BrowseName, LocalizedText DisplayName, int Line)
{
    public LocalizedText? Description { get; init; }

    public IReadOnlyList<(NodeId Type, bool Forward, NodeId Target)> References { get; init; } = [];

    public byte EventNotifier { get; init; }

    public bool IsAbstract { get; init; }

    public bool Symmetric { get; init; }

    public LocalizedText? InverseName { get; init; }

    public NodeId? DataType { get; init; }

    public Variant Value { get; init; }

    public int ValueRank { get; init; } = -1;

    public bool Writable { get; init; }

    public double MinimumSamplingInterval { get; init; }

    public bool Executable { get; init; } = true;
}

/// <summary>Something the parser left out: a value it cannot decode, or a node element it does not support.</summary>
internal sealed record NodeSetSkip(int Line, NodeId NodeId, string Reason, bool IsValue);

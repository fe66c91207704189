using DomioOps.Devices.OpcUa.Server;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Devices.OpcUa.NodeSets;

/// <summary>
/// Imports a UANodeSet (OPC 10000-6 Annex F) into an <see cref="AddressSpace"/>: the file's namespace table is mapped
/// onto the server's, every node is created with its attributes, references and value (NodeIds, QualifiedNames and
/// Argument data types in values mapped too). The file's RequiredModels must be loaded first. Everything is checked
/// before the first node is added, so a bad file leaves the address space as it was.
/// </summary>
public sealed partial class NodeSetLoader
{
    private const string UaNamespaceUri = "http://opcfoundation.org/UA/";

    private readonly AddressSpace _space;
    private readonly ILogger _logger;

    public NodeSetLoader(AddressSpace addressSpace, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(addressSpace);
        _space = addressSpace;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Parses and imports a NodeSet2 file from disk.</summary>
    public NodeSetImport Load(string path) => Import(NodeSet.Parse(path));

    /// <summary>Parses and imports a NodeSet2 document; <paramref name="sourceName"/> names it in errors and logs.</summary>
    public NodeSetImport Load(Stream xml, string sourceName) => Import(NodeSet.Parse(xml, sourceName));

    /// <summary>Imports a parsed NodeSet; the same <see cref="NodeSet"/> can be imported into many address spaces.</summary>
    public NodeSetImport Import(NodeSet nodeSet)
    {
        ArgumentNullException.ThrowIfNull(nodeSet);
        var sourceName = nodeSet.SourceName;
        CheckModels(nodeSet);

        // File index i maps to the index its URI has in the server, or will get when registered in order.
        List<string> server = [.. _space.NamespaceUris];
        var map = new ushort[nodeSet.NamespaceUris.Count + 1];
        for (var i = 0; i < nodeSet.NamespaceUris.Count; i++)
        {
            var index = server.IndexOf(nodeSet.NamespaceUris[i]);
            if (index < 0)
            {
                server.Add(nodeSet.NamespaceUris[i]);
                index = server.Count - 1;
            }

            map[i + 1] = (ushort)index;
        }

        NamespaceMap remap = new(map);
        List<Node> nodes = new(nodeSet.Nodes.Count);
        foreach (var definition in nodeSet.Nodes)
        {
            var node = Create(definition, remap);
            if (_space.Find(node.NodeId) is not null)
            {
                throw new NodeSetException($"{sourceName}: line {definition.Line}: node {node.NodeId} ({node.BrowseName}) already exists; was this NodeSet loaded twice?");
            }

            nodes.Add(node);
        }

        for (var i = 0; i < nodeSet.NamespaceUris.Count; i++)
        {
            var index = _space.RegisterNamespace(nodeSet.NamespaceUris[i]);
            if (index != map[i + 1])
            {
                throw new NodeSetException($"{sourceName}: namespace {nodeSet.NamespaceUris[i]} got index {index}, expected {map[i + 1]}; load NodeSets one at a time.");
            }
        }

        foreach (var node in nodes)
        {
            _space.AddNode(node);
        }

        var unresolved = 0;
        for (var i = 0; i < nodes.Count; i++)
        {
            var source = nodes[i].NodeId;
            foreach ((var fileType, var forward, var fileTarget) in nodeSet.Nodes[i].References)
            {
                var type = remap.Map(fileType);
                var target = remap.Map(fileTarget);
                var complete = forward ? _space.AddReferenceHalves(source, type, target) : _space.AddReferenceHalves(target, type, source);
                if (!complete)
                {
                    unresolved++;
                    LogUnresolvedReference(_logger, sourceName, source, type, target);
                }
            }
        }

        foreach (var model in nodeSet.Models)
        {
            _space.AddModel(model.Uri, model.Version);
        }

        var skippedValues = 0;
        foreach (var skip in nodeSet.Skipped)
        {
            skippedValues += skip.IsValue ? 1 : 0;
            LogSkipped(_logger, sourceName, skip.Line, remap.Map(skip.NodeId), skip.Reason);
        }

        string[] modelUris = [.. nodeSet.Models.Select(m => m.Uri)];
        NodeSetImport result = new(sourceName, modelUris, nodes.Count, unresolved, skippedValues);
        LogImported(_logger, sourceName, modelUris, result.NodesAdded, result.UnresolvedReferences, result.SkippedValues);
        return result;
    }

    private void CheckModels(NodeSet nodeSet)
    {
        for (var m = 0; m < nodeSet.Models.Count; m++)
        {
            var model = nodeSet.Models[m];
            if (_space.HasModel(model.Uri))
            {
                throw new NodeSetException($"{nodeSet.SourceName}: model {model.Uri} is already loaded in this address space.");
            }

            foreach (var required in model.RequiredModels)
            {
                if (required.Uri != UaNamespaceUri && !_space.HasModel(required.Uri) && !nodeSet.Models.Take(m).Any(earlier => earlier.Uri == required.Uri))
                {
                    throw new NodeSetException(
                        $"{nodeSet.SourceName}: model {model.Uri} requires model {required.Uri} (version {required.Version ?? "any"}), which is not loaded; load its NodeSet2 file first.")
                    {
                        MissingModelUri = required.Uri,
                    };
                }
            }
        }
    }

    /// <summary>A new node of this address space from its definition (nodes hold references and values, so each space has its own).</summary>
    private static Node Create(NodeDefinition d, NamespaceMap map)
    {
        var nodeId = map.Map(d.NodeId);
        var browseName = map.Map(d.BrowseName);
        return d.NodeClass switch
        {
            NodeClass.Object => new ObjectNode(nodeId, browseName, d.DisplayName) { Description = d.Description, EventNotifier = d.EventNotifier },
            NodeClass.Variable => new VariableNode(nodeId, browseName, d.DisplayName, map.Map(d.DataType!), map.Map(d.Value), DateTime.UtcNow)
            {
                Description = d.Description,
                ValueRank = d.ValueRank,
                Writable = d.Writable,
                MinimumSamplingInterval = d.MinimumSamplingInterval,
            },
            NodeClass.Method => new MethodNode(nodeId, browseName, d.DisplayName) { Description = d.Description, Executable = d.Executable },
            _ => new TypeNode(nodeId, browseName, d.NodeClass, d.DisplayName)
            {
                Description = d.Description,
                IsAbstract = d.IsAbstract,
                Symmetric = d.Symmetric,
                InverseName = d.InverseName,
                DataType = d.DataType is null ? null : map.Map(d.DataType),
            },
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "NodeSet {Source} imported: models {Models}, {Nodes} nodes, {Unresolved} references to nodes this server does not hold, {Skipped} values skipped")]
    private static partial void LogImported(ILogger logger, string source, string[] models, int nodes, int unresolved, int skipped);

    [LoggerMessage(Level = LogLevel.Debug, Message = "NodeSet {Source}: reference {From}-{Type}->{Target} has an end this server does not hold")]
    private static partial void LogUnresolvedReference(ILogger logger, string source, NodeId from, NodeId type, NodeId target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "NodeSet {Source}: line {Line}: {NodeId} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string source, int line, NodeId nodeId, string reason);
}

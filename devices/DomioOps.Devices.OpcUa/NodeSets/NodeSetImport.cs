namespace DomioOps.Devices.OpcUa.NodeSets;

/// <summary>What one NodeSet2 import added to an address space.</summary>
/// <param name="SourceName">The file or resource name the XML came from.</param>
/// <param name="ModelUris">The models the file defines.</param>
/// <param name="NodesAdded">Nodes created.</param>
/// <param name="UnresolvedReferences">References whose other end is neither in the file nor in the address space (typically namespace 0 nodes this server does not hold); kept on the end that exists.</param>
/// <param name="SkippedValues">Variable values left null because their encoding is not supported (see the log for each reason).</param>
public sealed record NodeSetImport(string SourceName, IReadOnlyList<string> ModelUris, int NodesAdded, int UnresolvedReferences, int SkippedValues);

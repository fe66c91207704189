namespace DomioOps.Devices.OpcUa.Server;

/// <summary>A reference from one node to another (OPC 10000-3 §4.4).</summary>
public sealed record NodeReference(NodeId ReferenceTypeId, bool IsForward, NodeId TargetId);

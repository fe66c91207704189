namespace DomioOps.Devices.OpcUa.NodeSets;

/// <summary>A NodeSet2 file that cannot be imported: malformed XML, an unknown alias, a missing required model, a clash.</summary>
public sealed class NodeSetException : Exception
{
    public NodeSetException()
        : this("The NodeSet cannot be imported.")
    {
    }

    public NodeSetException(string message)
        : base(message)
    {
    }

    public NodeSetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The model URI that must be loaded first, when that is the problem.</summary>
    public string? MissingModelUri { get; init; }
}

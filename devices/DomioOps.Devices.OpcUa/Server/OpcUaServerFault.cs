namespace DomioOps.Devices.OpcUa.Server;

/// <summary>How a server misbehaves towards a response: fault injection for simulators and fault tests.</summary>
public enum OpcUaServerFaultKind
{
    /// <summary>Answer normally (after <see cref="OpcUaServerFault.Delay"/>, if any).</summary>
    None,

    /// <summary>Process the request and never send the response.</summary>
    NoAnswer,

    /// <summary>Close the connection instead of answering.</summary>
    Disconnect,

    /// <summary>Answer with a ServiceFault carrying <see cref="OpcUaServerFault.Status"/>.</summary>
    ServiceFault,

    /// <summary>Send random bytes instead of the response message.</summary>
    Garbage,
}

/// <summary>A deliberate misbehaviour asked for per service response through <see cref="OpcUaServer.Fault"/>.</summary>
public readonly record struct OpcUaServerFault(OpcUaServerFaultKind Kind, TimeSpan Delay = default, StatusCode Status = default);

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// Runs a method called through the Call service (OPC 10000-4 §5.11.2) and returns its output arguments in order. Throw an
/// <see cref="OpcUaException"/> to answer with its StatusCode (BadInvalidArgument, BadInvalidState, ...).
/// </summary>
public delegate ValueTask<IReadOnlyList<Variant>> MethodHandler(MethodCall call, CancellationToken cancellationToken);

/// <summary>One method call: the object it is called on, the method, and the input arguments (already checked against InputArguments).</summary>
public sealed record MethodCall(NodeId ObjectId, NodeId MethodId, IReadOnlyList<Variant> InputArguments)
{
    /// <summary>The user name of the calling session, when it activated with one.</summary>
    public string? UserName { get; init; }

    /// <summary>The calling session (ConditionRefresh names one of its subscriptions).</summary>
    internal ServerSession? Session { get; init; }
}

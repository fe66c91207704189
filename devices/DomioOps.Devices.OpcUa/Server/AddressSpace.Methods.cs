using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Methods (OPC 10000-3 §5.7) and the Call service's checks (OPC 10000-4 §5.11.2).</summary>
public sealed partial class AddressSpace
{
    /// <summary>
    /// Adds a method as a component of <paramref name="parent"/> with its InputArguments and OutputArguments properties
    /// (NodeIds "{method}/InputArguments", "{method}/OutputArguments") and the handler that runs it.
    /// </summary>
    public MethodNode AddMethod(NodeId parent, NodeId nodeId, QualifiedName browseName, IReadOnlyList<Argument> inputArguments, IReadOnlyList<Argument> outputArguments, MethodHandler handler)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        ArgumentNullException.ThrowIfNull(inputArguments);
        ArgumentNullException.ThrowIfNull(outputArguments);
        MethodNode method = new(nodeId, browseName, new LocalizedText(browseName.Name)) { Handler = handler };
        Add(method, parent, WellKnownNodes.HasComponent, null);
        var prefix = nodeId.IdType == NodeIdType.String ? nodeId.StringIdentifier : nodeId.ToString();
        var now = DateTime.UtcNow;
        foreach ((var name, var arguments) in new[] { ("InputArguments", inputArguments), ("OutputArguments", outputArguments) })
        {
            if (arguments.Count > 0)
            {
                ExtensionObject[] value = [.. arguments.Select(a => new ExtensionObject(new NodeId(0, BinaryEncodingIds.Argument_Encoding_DefaultBinary), a))];
                AddVariable(nodeId, new NodeId(nodeId.NamespaceIndex, $"{prefix}/{name}"), new QualifiedName(0, name), new Variant(value), now, dataType: new NodeId(0, 296u), referenceType: WellKnownNodes.HasProperty);
            }
        }

        return method;
    }

    /// <summary>Sets the handler of an existing method, e.g. one a NodeSet or <see cref="AddInstance"/> created.</summary>
    public void SetMethodHandler(NodeId methodId, MethodHandler handler)
    {
        var method = Find(methodId) as MethodNode ?? throw new OpcUaException(StatusCode.BadMethodInvalid, $"{methodId} is not a method.");
        method.Handler = handler;
    }

    /// <summary>The Argument list of a method's InputArguments or OutputArguments property; empty when it has none.</summary>
    public IReadOnlyList<Argument> ArgumentsOf(NodeId methodId, string property)
    {
        var values = Find(methodId) is { } method ? Children(method).FirstOrDefault(c => c.BrowseName.Name == property && c.BrowseName.NamespaceIndex == 0) : null;
        return values is VariableNode { Value.Value.Value: ExtensionObject[] list } ? [.. list.Select(e => e.Body).OfType<Argument>()] : [];
    }

    /// <summary>
    /// Checks a call before it runs: the object exists, the method is a component of it or of its type, it is executable
    /// and has a handler, and the input arguments match InputArguments in number and built-in type.
    /// </summary>
    internal (MethodNode? Method, CallMethodResult? Failure) CheckCall(CallMethodRequest request)
    {
        static CallMethodResult Fail(StatusCode status, IReadOnlyList<StatusCode>? inputs = null) => new(status, inputs ?? [], []);
        var target = Find(request.ObjectId);
        if (target is null)
        {
            return (null, Fail(StatusCode.BadNodeIdUnknown));
        }

        if (Find(request.MethodId) is not MethodNode method || !HasMethod(target, request.MethodId))
        {
            return (null, Fail(StatusCode.BadMethodInvalid));
        }

        if (!method.Executable)
        {
            return (null, Fail(StatusCode.BadNotExecutable));
        }

        var expected = ArgumentsOf(method.NodeId, "InputArguments");
        if (request.InputArguments.Count < expected.Count)
        {
            return (null, Fail(StatusCode.BadArgumentsMissing));
        }

        if (request.InputArguments.Count > expected.Count)
        {
            return (null, Fail(StatusCode.BadTooManyArguments));
        }

        StatusCode[] inputs = [.. expected.Select((a, i) => Matches(a, request.InputArguments[i]) ? StatusCode.Good : StatusCode.BadTypeMismatch)];
        if (inputs.Any(s => s.IsBad))
        {
            return (null, Fail(StatusCode.BadInvalidArgument, inputs));
        }

        return method.Handler is null ? (null, Fail(StatusCode.BadNotImplemented)) : (method, null);
    }

    private bool HasMethod(Node target, NodeId methodId)
    {
        if (target.References.Any(r => r.IsForward && r.TargetId == methodId && IsSubtypeOf(r.ReferenceTypeId, WellKnownNodes.HasComponent)))
        {
            return true;
        }

        // A method declared on the object's type is callable on its instances.
        for (var type = TypeDefinitionOf(target); type is not null; type = SupertypeOf(type))
        {
            if (Find(type) is { } typeNode && typeNode.References.Any(r => r.IsForward && r.TargetId == methodId))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A value fits an argument when its built-in type is the argument's (ns=0 built-in ids), or a subtype's value of an enumeration.</summary>
    private bool Matches(Argument argument, Variant value)
    {
        if (value.IsNull)
        {
            return true;
        }

        var wantArray = argument.ValueRank >= 1;
        if (argument.ValueRank is -1 or >= 1 && value.IsArray != wantArray)
        {
            return false;
        }

        var type = argument.DataType;
        if (type.NamespaceIndex == 0 && type.IdType == NodeIdType.Numeric && type.NumericIdentifier is >= 1 and <= 25)
        {
            return (uint)value.Type == type.NumericIdentifier;
        }

        if (IsSubtypeOf(type, WellKnownNodes.Enumeration))
        {
            return value.Type == BuiltInType.Int32;
        }

        // Abstract or derived types (Number, Duration, a structure): accept, the handler decides.
        return true;
    }
}

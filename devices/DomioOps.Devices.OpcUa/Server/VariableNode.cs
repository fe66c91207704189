namespace DomioOps.Devices.OpcUa.Server;

/// <summary>A variable node whose value the application sets; readers, writers and monitored items see the latest value.</summary>
public sealed class VariableNode : Node
{
    private readonly Lock _gate = new();
    private DataValue _value;

    public VariableNode(NodeId nodeId, QualifiedName browseName, LocalizedText displayName, NodeId dataType, Variant initialValue, DateTime timestamp)
        : base(nodeId, browseName, displayName)
    {
        DataType = dataType;
        _value = new DataValue(initialValue, StatusCode.Good, timestamp, timestamp);
        ValueRank = initialValue.IsArray ? 1 : -1;
    }

    public override NodeClass NodeClass => NodeClass.Variable;

    public NodeId DataType { get; }

    public int ValueRank { get; init; }

    public bool Writable { get; init; }

    /// <summary>The engineering range (low, high) that a percent deadband refers to (OPC 10000-8 EURange).</summary>
    public (double Low, double High)? EURange { get; init; }

    public double MinimumSamplingInterval { get; init; }

    /// <summary>The latest value with its status and timestamps.</summary>
    public DataValue Value
    {
        get
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }

    /// <summary>Sets a new value; the timestamps are the given instant.</summary>
    public void SetValue(Variant value, DateTime timestamp, StatusCode statusCode = default)
    {
        lock (_gate)
        {
            _value = new DataValue(value, statusCode, timestamp, timestamp);
        }
    }

    internal StatusCode Write(DataValue value, DateTime now)
    {
        if (!Writable)
        {
            return StatusCode.BadNotWritable;
        }

        var current = Value.Value;
        if (!value.Value.IsNull && !current.IsNull && (value.Value.Type != current.Type || value.Value.IsArray != current.IsArray))
        {
            return StatusCode.BadTypeMismatch;
        }

        lock (_gate)
        {
            _value = new DataValue(value.Value, value.StatusCode, value.SourceTimestamp ?? now, now);
        }

        return StatusCode.Good;
    }
}

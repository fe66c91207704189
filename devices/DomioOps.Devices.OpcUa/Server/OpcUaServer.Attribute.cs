using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>Attribute service set (OPC 10000-4 §5.10): Read and Write, and the sampling of monitored items.</summary>
public sealed partial class OpcUaServer
{
    /// <summary>Read (OPC 10000-4 §5.10.2).</summary>
    private ReadResponse Read(ReadRequest read, DateTime now)
    {
        CheckCount(read.NodesToRead.Count, Options.MaxNodesPerRead);
        if (read.TimestampsToReturn is < TimestampsToReturn.Source or > TimestampsToReturn.Neither)
        {
            throw new OpcUaException(StatusCode.BadTimestampsToReturnInvalid, "Invalid TimestampsToReturn.");
        }

        return new ReadResponse(ResponseHeader.For(read.RequestHeader, now), [.. read.NodesToRead.Select(n => AddressSpace.ReadAttribute(n, read.TimestampsToReturn, now))]);
    }

    /// <summary>Write (OPC 10000-4 §5.10.4).</summary>
    private WriteResponse Write(WriteRequest write, DateTime now)
    {
        CheckCount(write.NodesToWrite.Count, Options.MaxNodesPerWrite);
        return new WriteResponse(ResponseHeader.For(write.RequestHeader, now), [.. write.NodesToWrite.Select(w => WriteAttribute(w, now))]);
    }

    private StatusCode WriteAttribute(WriteValue write, DateTime now)
    {
        var node = AddressSpace.Find(write.NodeId);
        if (node is null)
        {
            return StatusCode.BadNodeIdUnknown;
        }

        if (write.AttributeId != AttributeId.Value)
        {
            return StatusCode.BadNotWritable;
        }

        if (node is not VariableNode { Writable: true } variable)
        {
            return StatusCode.BadNotWritable;
        }

        if (write.IndexRange is null)
        {
            return variable.Write(write.Value, now);
        }

        if (!NumericRange.TryParse(write.IndexRange, out var range))
        {
            return StatusCode.BadIndexRangeInvalid;
        }

        var patched = range.TryPatch(variable.Value.Value, write.Value.Value, out var whole);
        return patched.IsGood ? variable.Write(write.Value with { Value = whole }, now) : patched;
    }

    internal DataValue Sample(ReadValueId item, TimestampsToReturn timestamps) => AddressSpace.ReadAttribute(item, timestamps, Time.GetUtcNow().UtcDateTime);
}

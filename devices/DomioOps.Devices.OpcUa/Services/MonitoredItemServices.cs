using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>MonitoringMode (OPC 10000-4 §7.23).</summary>
public enum MonitoringMode
{
    Disabled = 0,
    Sampling = 1,
    Reporting = 2,
}

/// <summary>DataChangeTrigger (OPC 10000-4 §7.22.2).</summary>
public enum DataChangeTrigger
{
    Status = 0,
    StatusValue = 1,
    StatusValueTimestamp = 2,
}

/// <summary>DeadbandType (OPC 10000-4 §7.22.2).</summary>
public enum DeadbandType
{
    None = 0,
    Absolute = 1,
    Percent = 2,
}

/// <summary>OPC 10000-4 §7.22.2 DataChangeFilter: Trigger Int32, DeadbandType UInt32, DeadbandValue Double.</summary>
public sealed record DataChangeFilter(DataChangeTrigger Trigger = DataChangeTrigger.StatusValue, DeadbandType DeadbandType = DeadbandType.None, double DeadbandValue = 0) : IEncodeable
{
    uint IEncodeable.BinaryEncodingId => BinaryEncodingIds.DataChangeFilter_Encoding_DefaultBinary;

    void IEncodeable.Encode(UaBinaryWriter w)
    {
        w.WriteInt32((int)Trigger);
        w.WriteUInt32((uint)DeadbandType);
        w.WriteDouble(DeadbandValue);
    }

    internal static DataChangeFilter Decode(ref UaBinaryReader r) => new((DataChangeTrigger)r.ReadInt32(), (DeadbandType)r.ReadUInt32(), r.ReadDouble());
}

/// <summary>
/// OPC 10000-4 §7.21 MonitoringParameters: ClientHandle UInt32, SamplingInterval Double, Filter ExtensionObject,
/// QueueSize UInt32, DiscardOldest Boolean.
/// </summary>
internal sealed record MonitoringParameters(uint ClientHandle, double SamplingInterval, ExtensionObject Filter, uint QueueSize, bool DiscardOldest)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteUInt32(ClientHandle);
        w.WriteDouble(SamplingInterval);
        w.WriteExtensionObject(Filter);
        w.WriteUInt32(QueueSize);
        w.WriteBoolean(DiscardOldest);
    }

    internal static MonitoringParameters Decode(ref UaBinaryReader r) => new(r.ReadUInt32(), r.ReadDouble(), r.ReadExtensionObject(), r.ReadUInt32(), r.ReadBoolean());
}

/// <summary>OPC 10000-4 §5.12.2 MonitoredItemCreateRequest: ItemToMonitor ReadValueId, MonitoringMode Int32, RequestedParameters.</summary>
internal sealed record MonitoredItemCreateRequest(ReadValueId ItemToMonitor, MonitoringMode MonitoringMode, MonitoringParameters RequestedParameters)
{
    internal void Encode(UaBinaryWriter w)
    {
        ItemToMonitor.Encode(w);
        w.WriteInt32((int)MonitoringMode);
        RequestedParameters.Encode(w);
    }

    internal static MonitoredItemCreateRequest Decode(ref UaBinaryReader r) => new(ReadValueId.Decode(ref r), (MonitoringMode)r.ReadInt32(), MonitoringParameters.Decode(ref r));
}

/// <summary>OPC 10000-4 §5.12.2 MonitoredItemCreateResult: StatusCode, MonitoredItemId UInt32, RevisedSamplingInterval Double, RevisedQueueSize UInt32, FilterResult ExtensionObject.</summary>
internal sealed record MonitoredItemCreateResult(StatusCode StatusCode, uint MonitoredItemId, double RevisedSamplingInterval, uint RevisedQueueSize, ExtensionObject? FilterResult = null)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteStatusCode(StatusCode);
        w.WriteUInt32(MonitoredItemId);
        w.WriteDouble(RevisedSamplingInterval);
        w.WriteUInt32(RevisedQueueSize);
        w.WriteExtensionObject(FilterResult);
    }

    internal static MonitoredItemCreateResult Decode(ref UaBinaryReader r) =>
        new(r.ReadStatusCode(), r.ReadUInt32(), r.ReadDouble(), r.ReadUInt32(), r.ReadExtensionObject());
}

/// <summary>OPC 10000-4 §5.12.2 CreateMonitoredItems request: RequestHeader, SubscriptionId, TimestampsToReturn, ItemsToCreate[].</summary>
internal sealed record CreateMonitoredItemsRequest(RequestHeader RequestHeader, uint SubscriptionId, TimestampsToReturn TimestampsToReturn, IReadOnlyList<MonitoredItemCreateRequest> ItemsToCreate) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.CreateMonitoredItemsRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        w.WriteInt32((int)TimestampsToReturn);
        w.WriteArray(ItemsToCreate, static (w, i) => i.Encode(w));
    }

    internal static CreateMonitoredItemsRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadUInt32(), (TimestampsToReturn)r.ReadInt32(), r.ReadArray(MonitoredItemCreateRequest.Decode));
}

/// <summary>OPC 10000-4 §5.12.2 CreateMonitoredItems response: ResponseHeader, Results MonitoredItemCreateResult[], DiagnosticInfos[].</summary>
internal sealed record CreateMonitoredItemsResponse(ResponseHeader ResponseHeader, IReadOnlyList<MonitoredItemCreateResult> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.CreateMonitoredItemsResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, i) => i.Encode(w));
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static CreateMonitoredItemsResponse Decode(ref UaBinaryReader r)
    {
        CreateMonitoredItemsResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(MonitoredItemCreateResult.Decode));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §5.12.3 MonitoredItemModifyRequest: MonitoredItemId UInt32, RequestedParameters.</summary>
internal sealed record MonitoredItemModifyRequest(uint MonitoredItemId, MonitoringParameters RequestedParameters)
{
    internal void Encode(UaBinaryWriter w)
    {
        w.WriteUInt32(MonitoredItemId);
        RequestedParameters.Encode(w);
    }

    internal static MonitoredItemModifyRequest Decode(ref UaBinaryReader r) => new(r.ReadUInt32(), MonitoringParameters.Decode(ref r));
}

/// <summary>OPC 10000-4 §5.12.3 ModifyMonitoredItems request: RequestHeader, SubscriptionId, TimestampsToReturn, ItemsToModify[].</summary>
internal sealed record ModifyMonitoredItemsRequest(RequestHeader RequestHeader, uint SubscriptionId, TimestampsToReturn TimestampsToReturn, IReadOnlyList<MonitoredItemModifyRequest> ItemsToModify) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.ModifyMonitoredItemsRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        w.WriteInt32((int)TimestampsToReturn);
        w.WriteArray(ItemsToModify, static (w, i) => i.Encode(w));
    }

    internal static ModifyMonitoredItemsRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadUInt32(), (TimestampsToReturn)r.ReadInt32(), r.ReadArray(MonitoredItemModifyRequest.Decode));
}

/// <summary>OPC 10000-4 §5.12.3 ModifyMonitoredItems response: Results of StatusCode, RevisedSamplingInterval, RevisedQueueSize, FilterResult.</summary>
internal sealed record ModifyMonitoredItemsResponse(ResponseHeader ResponseHeader, IReadOnlyList<MonitoredItemCreateResult> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.ModifyMonitoredItemsResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteArray(Results, static (w, i) =>
        {
            w.WriteStatusCode(i.StatusCode);
            w.WriteDouble(i.RevisedSamplingInterval);
            w.WriteUInt32(i.RevisedQueueSize);
            w.WriteExtensionObject(null);
        });
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static ModifyMonitoredItemsResponse Decode(ref UaBinaryReader r)
    {
        ModifyMonitoredItemsResponse result = new(ResponseHeader.Decode(ref r), r.ReadArray(static (ref UaBinaryReader r) =>
        {
            MonitoredItemCreateResult item = new(r.ReadStatusCode(), 0, r.ReadDouble(), r.ReadUInt32());
            _ = r.ReadExtensionObject();
            return item;
        }));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §5.12.6 DeleteMonitoredItems request: RequestHeader, SubscriptionId, MonitoredItemIds UInt32[].</summary>
internal sealed record DeleteMonitoredItemsRequest(RequestHeader RequestHeader, uint SubscriptionId, IReadOnlyList<uint> MonitoredItemIds) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.DeleteMonitoredItemsRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        DiagnosticInfos.WriteUInt32s(w, MonitoredItemIds);
    }

    internal static DeleteMonitoredItemsRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadUInt32(), DiagnosticInfos.ReadUInt32s(ref r));
}

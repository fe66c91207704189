using DomioOps.Devices.OpcUa.Encoding;

namespace DomioOps.Devices.OpcUa.Services;

/// <summary>
/// OPC 10000-4 §5.13.2 CreateSubscription request: RequestHeader, RequestedPublishingInterval Double,
/// RequestedLifetimeCount UInt32, RequestedMaxKeepAliveCount UInt32, MaxNotificationsPerPublish UInt32,
/// PublishingEnabled Boolean, Priority Byte.
/// </summary>
internal sealed record CreateSubscriptionRequest(
    RequestHeader RequestHeader,
    double RequestedPublishingInterval,
    uint RequestedLifetimeCount,
    uint RequestedMaxKeepAliveCount,
    uint MaxNotificationsPerPublish,
    bool PublishingEnabled,
    byte Priority) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.CreateSubscriptionRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteDouble(RequestedPublishingInterval);
        w.WriteUInt32(RequestedLifetimeCount);
        w.WriteUInt32(RequestedMaxKeepAliveCount);
        w.WriteUInt32(MaxNotificationsPerPublish);
        w.WriteBoolean(PublishingEnabled);
        w.WriteByte(Priority);
    }

    internal static CreateSubscriptionRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadDouble(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadBoolean(), r.ReadByte());
}

/// <summary>OPC 10000-4 §5.13.2 CreateSubscription response: ResponseHeader, SubscriptionId, RevisedPublishingInterval, RevisedLifetimeCount, RevisedMaxKeepAliveCount.</summary>
internal sealed record CreateSubscriptionResponse(
    ResponseHeader ResponseHeader,
    uint SubscriptionId,
    double RevisedPublishingInterval,
    uint RevisedLifetimeCount,
    uint RevisedMaxKeepAliveCount) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.CreateSubscriptionResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        w.WriteDouble(RevisedPublishingInterval);
        w.WriteUInt32(RevisedLifetimeCount);
        w.WriteUInt32(RevisedMaxKeepAliveCount);
    }

    internal static CreateSubscriptionResponse Decode(ref UaBinaryReader r) =>
        new(ResponseHeader.Decode(ref r), r.ReadUInt32(), r.ReadDouble(), r.ReadUInt32(), r.ReadUInt32());
}

/// <summary>
/// OPC 10000-4 §5.13.3 ModifySubscription request: RequestHeader, SubscriptionId, RequestedPublishingInterval,
/// RequestedLifetimeCount, RequestedMaxKeepAliveCount, MaxNotificationsPerPublish, Priority.
/// </summary>
internal sealed record ModifySubscriptionRequest(
    RequestHeader RequestHeader,
    uint SubscriptionId,
    double RequestedPublishingInterval,
    uint RequestedLifetimeCount,
    uint RequestedMaxKeepAliveCount,
    uint MaxNotificationsPerPublish,
    byte Priority) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.ModifySubscriptionRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        w.WriteDouble(RequestedPublishingInterval);
        w.WriteUInt32(RequestedLifetimeCount);
        w.WriteUInt32(RequestedMaxKeepAliveCount);
        w.WriteUInt32(MaxNotificationsPerPublish);
        w.WriteByte(Priority);
    }

    internal static ModifySubscriptionRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadUInt32(), r.ReadDouble(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadByte());
}

/// <summary>OPC 10000-4 §5.13.3 ModifySubscription response: ResponseHeader, RevisedPublishingInterval, RevisedLifetimeCount, RevisedMaxKeepAliveCount.</summary>
internal sealed record ModifySubscriptionResponse(ResponseHeader ResponseHeader, double RevisedPublishingInterval, uint RevisedLifetimeCount, uint RevisedMaxKeepAliveCount) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.ModifySubscriptionResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteDouble(RevisedPublishingInterval);
        w.WriteUInt32(RevisedLifetimeCount);
        w.WriteUInt32(RevisedMaxKeepAliveCount);
    }

    internal static ModifySubscriptionResponse Decode(ref UaBinaryReader r) => new(ResponseHeader.Decode(ref r), r.ReadDouble(), r.ReadUInt32(), r.ReadUInt32());
}

/// <summary>OPC 10000-4 §5.13.8 DeleteSubscriptions request: RequestHeader, SubscriptionIds UInt32[].</summary>
internal sealed record DeleteSubscriptionsRequest(RequestHeader RequestHeader, IReadOnlyList<uint> SubscriptionIds) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.DeleteSubscriptionsRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        DiagnosticInfos.WriteUInt32s(w, SubscriptionIds);
    }

    internal static DeleteSubscriptionsRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), DiagnosticInfos.ReadUInt32s(ref r));
}

/// <summary>A response of ResponseHeader, Results StatusCode[], DiagnosticInfos[] (DeleteSubscriptions 850, DeleteMonitoredItems 784, SetMonitoringMode 772).</summary>
internal sealed record StatusCodesResponse(uint BinaryEncodingId, ResponseHeader ResponseHeader, IReadOnlyList<StatusCode> Results) : IServiceResponse
{
    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        DiagnosticInfos.WriteStatusCodes(w, Results);
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static StatusCodesResponse Decode(uint encodingId, ref UaBinaryReader r)
    {
        StatusCodesResponse result = new(encodingId, ResponseHeader.Decode(ref r), DiagnosticInfos.ReadStatusCodes(ref r));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §5.13.5 SubscriptionAcknowledgement: SubscriptionId UInt32, SequenceNumber UInt32.</summary>
internal readonly record struct SubscriptionAcknowledgement(uint SubscriptionId, uint SequenceNumber);

/// <summary>OPC 10000-4 §5.13.5 Publish request: RequestHeader, SubscriptionAcknowledgements[].</summary>
internal sealed record PublishRequest(RequestHeader RequestHeader, IReadOnlyList<SubscriptionAcknowledgement> SubscriptionAcknowledgements) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.PublishRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteArray(SubscriptionAcknowledgements, static (w, a) =>
        {
            w.WriteUInt32(a.SubscriptionId);
            w.WriteUInt32(a.SequenceNumber);
        });
    }

    internal static PublishRequest Decode(ref UaBinaryReader r) =>
        new(RequestHeader.Decode(ref r), r.ReadArray(static (ref UaBinaryReader r) => new SubscriptionAcknowledgement(r.ReadUInt32(), r.ReadUInt32())));
}

/// <summary>OPC 10000-4 §7.25 NotificationMessage: SequenceNumber UInt32, PublishTime DateTime, NotificationData ExtensionObject[].</summary>
internal sealed record NotificationMessage(uint SequenceNumber, DateTime PublishTime, IReadOnlyList<ExtensionObject> NotificationData)
{
    /// <summary>OPC 10000-4 §5.13.1.1: sequence numbers roll over from UInt32.MaxValue to 1; 0 is never used.</summary>
    internal static uint Following(uint sequenceNumber) => sequenceNumber == uint.MaxValue ? 1 : sequenceNumber + 1;

    internal void Encode(UaBinaryWriter w)
    {
        w.WriteUInt32(SequenceNumber);
        w.WriteDateTime(PublishTime);
        w.WriteArray(NotificationData, static (w, e) => w.WriteExtensionObject(e));
    }

    internal static NotificationMessage Decode(ref UaBinaryReader r) =>
        new(r.ReadUInt32(), r.ReadDateTime(), r.ReadArray(static (ref UaBinaryReader r) => r.ReadExtensionObject()));
}

/// <summary>OPC 10000-4 §7.25.2 MonitoredItemNotification: ClientHandle UInt32, Value DataValue.</summary>
public readonly record struct MonitoredItemNotification(uint ClientHandle, DataValue Value);

/// <summary>OPC 10000-4 §7.25.2 DataChangeNotification: MonitoredItems MonitoredItemNotification[], DiagnosticInfos[].</summary>
internal sealed record DataChangeNotification(IReadOnlyList<MonitoredItemNotification> MonitoredItems) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.DataChangeNotification_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        w.WriteArray(MonitoredItems, static (w, n) =>
        {
            w.WriteUInt32(n.ClientHandle);
            w.WriteDataValue(n.Value);
        });
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static DataChangeNotification Decode(ref UaBinaryReader r)
    {
        DataChangeNotification result = new(r.ReadArray(static (ref UaBinaryReader r) => new MonitoredItemNotification(r.ReadUInt32(), r.ReadDataValue())));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>OPC 10000-4 §7.25.4 StatusChangeNotification: Status StatusCode, DiagnosticInfo.</summary>
internal sealed record StatusChangeNotification(StatusCode Status) : IEncodeable
{
    public uint BinaryEncodingId => BinaryEncodingIds.StatusChangeNotification_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        w.WriteStatusCode(Status);
        w.WriteDiagnosticInfo(null);
    }

    internal static StatusChangeNotification Decode(ref UaBinaryReader r)
    {
        StatusChangeNotification result = new(r.ReadStatusCode());
        _ = r.ReadDiagnosticInfo();
        return result;
    }
}

/// <summary>
/// OPC 10000-4 §5.13.5 Publish response: ResponseHeader, SubscriptionId UInt32, AvailableSequenceNumbers UInt32[],
/// MoreNotifications Boolean, NotificationMessage, Results StatusCode[], DiagnosticInfos[].
/// </summary>
internal sealed record PublishResponse(
    ResponseHeader ResponseHeader,
    uint SubscriptionId,
    IReadOnlyList<uint> AvailableSequenceNumbers,
    bool MoreNotifications,
    NotificationMessage NotificationMessage,
    IReadOnlyList<StatusCode> Results) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.PublishResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        DiagnosticInfos.WriteUInt32s(w, AvailableSequenceNumbers);
        w.WriteBoolean(MoreNotifications);
        NotificationMessage.Encode(w);
        DiagnosticInfos.WriteStatusCodes(w, Results);
        DiagnosticInfos.WriteEmpty(w);
    }

    internal static PublishResponse Decode(ref UaBinaryReader r)
    {
        PublishResponse result = new(ResponseHeader.Decode(ref r), r.ReadUInt32(), DiagnosticInfos.ReadUInt32s(ref r), r.ReadBoolean(), NotificationMessage.Decode(ref r), DiagnosticInfos.ReadStatusCodes(ref r));
        DiagnosticInfos.Skip(ref r);
        return result;
    }
}

/// <summary>
/// What the client keeps of a Publish response whose NotificationMessage it delivered while reading it from the receive
/// buffer: enough to acknowledge the message (OPC 10000-4 §5.13.5). It is never encoded.
/// </summary>
internal sealed record DeliveredPublishResponse(ResponseHeader ResponseHeader, uint SubscriptionId, uint SequenceNumber, bool HasNotifications) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.PublishResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w) => throw new NotSupportedException("A delivered Publish response is not sent again.");
}

/// <summary>OPC 10000-4 §5.13.6 Republish request: RequestHeader, SubscriptionId UInt32, RetransmitSequenceNumber UInt32.</summary>
internal sealed record RepublishRequest(RequestHeader RequestHeader, uint SubscriptionId, uint RetransmitSequenceNumber) : IServiceRequest
{
    public uint BinaryEncodingId => BinaryEncodingIds.RepublishRequest_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        RequestHeader.Encode(w);
        w.WriteUInt32(SubscriptionId);
        w.WriteUInt32(RetransmitSequenceNumber);
    }

    internal static RepublishRequest Decode(ref UaBinaryReader r) => new(RequestHeader.Decode(ref r), r.ReadUInt32(), r.ReadUInt32());
}

/// <summary>OPC 10000-4 §5.13.6 Republish response: ResponseHeader, NotificationMessage.</summary>
internal sealed record RepublishResponse(ResponseHeader ResponseHeader, NotificationMessage NotificationMessage) : IServiceResponse
{
    public uint BinaryEncodingId => BinaryEncodingIds.RepublishResponse_Encoding_DefaultBinary;

    public void Encode(UaBinaryWriter w)
    {
        ResponseHeader.Encode(w);
        NotificationMessage.Encode(w);
    }

    internal static RepublishResponse Decode(ref UaBinaryReader r) => new(ResponseHeader.Decode(ref r), NotificationMessage.Decode(ref r));
}

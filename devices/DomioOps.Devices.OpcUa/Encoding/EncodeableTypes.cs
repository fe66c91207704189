using System.Diagnostics.CodeAnalysis;

using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>The structures this stack decodes, keyed by the numeric id of their DefaultBinary encoding node (namespace 0).</summary>
internal static class EncodeableTypes
{
    private static readonly Dictionary<uint, EncodeableDecoder> Decoders = new()
    {
        [BinaryEncodingIds.ServiceFault_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ServiceFault.Decode(ref r),
        [BinaryEncodingIds.OpenSecureChannelRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => OpenSecureChannelRequest.Decode(ref r),
        [BinaryEncodingIds.OpenSecureChannelResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => OpenSecureChannelResponse.Decode(ref r),
        [BinaryEncodingIds.CloseSecureChannelRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CloseSecureChannelRequest.Decode(ref r),
        [BinaryEncodingIds.GetEndpointsRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => GetEndpointsRequest.Decode(ref r),
        [BinaryEncodingIds.GetEndpointsResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => GetEndpointsResponse.Decode(ref r),
        [BinaryEncodingIds.CreateSessionRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CreateSessionRequest.Decode(ref r),
        [BinaryEncodingIds.CreateSessionResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CreateSessionResponse.Decode(ref r),
        [BinaryEncodingIds.ActivateSessionRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ActivateSessionRequest.Decode(ref r),
        [BinaryEncodingIds.ActivateSessionResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ActivateSessionResponse.Decode(ref r),
        [BinaryEncodingIds.CloseSessionRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CloseSessionRequest.Decode(ref r),
        [BinaryEncodingIds.CloseSessionResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CloseSessionResponse.Decode(ref r),
        [BinaryEncodingIds.AnonymousIdentityToken_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => AnonymousIdentityToken.Decode(ref r),
        [BinaryEncodingIds.UserNameIdentityToken_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => UserNameIdentityToken.Decode(ref r),
        [BinaryEncodingIds.BrowseRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => BrowseRequest.Decode(ref r),
        [BinaryEncodingIds.BrowseResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => BrowseResponse.Decode(ref r),
        [BinaryEncodingIds.BrowseNextRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => BrowseNextRequest.Decode(ref r),
        [BinaryEncodingIds.BrowseNextResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => BrowseNextResponse.Decode(ref r),
        [BinaryEncodingIds.TranslateBrowsePathsToNodeIdsRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => TranslateBrowsePathsRequest.Decode(ref r),
        [BinaryEncodingIds.TranslateBrowsePathsToNodeIdsResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => TranslateBrowsePathsResponse.Decode(ref r),
        [BinaryEncodingIds.ReadRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ReadRequest.Decode(ref r),
        [BinaryEncodingIds.ReadResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ReadResponse.Decode(ref r),
        [BinaryEncodingIds.WriteRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => WriteRequest.Decode(ref r),
        [BinaryEncodingIds.WriteResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => WriteResponse.Decode(ref r),
        [BinaryEncodingIds.CreateSubscriptionRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CreateSubscriptionRequest.Decode(ref r),
        [BinaryEncodingIds.CreateSubscriptionResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CreateSubscriptionResponse.Decode(ref r),
        [BinaryEncodingIds.ModifySubscriptionRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ModifySubscriptionRequest.Decode(ref r),
        [BinaryEncodingIds.ModifySubscriptionResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ModifySubscriptionResponse.Decode(ref r),
        [BinaryEncodingIds.DeleteSubscriptionsRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => DeleteSubscriptionsRequest.Decode(ref r),
        [BinaryEncodingIds.DeleteSubscriptionsResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => StatusCodesResponse.Decode(BinaryEncodingIds.DeleteSubscriptionsResponse_Encoding_DefaultBinary, ref r),
        [BinaryEncodingIds.CreateMonitoredItemsRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CreateMonitoredItemsRequest.Decode(ref r),
        [BinaryEncodingIds.CreateMonitoredItemsResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CreateMonitoredItemsResponse.Decode(ref r),
        [BinaryEncodingIds.ModifyMonitoredItemsRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ModifyMonitoredItemsRequest.Decode(ref r),
        [BinaryEncodingIds.ModifyMonitoredItemsResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ModifyMonitoredItemsResponse.Decode(ref r),
        [BinaryEncodingIds.DeleteMonitoredItemsRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => DeleteMonitoredItemsRequest.Decode(ref r),
        [BinaryEncodingIds.DeleteMonitoredItemsResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => StatusCodesResponse.Decode(BinaryEncodingIds.DeleteMonitoredItemsResponse_Encoding_DefaultBinary, ref r),
        [BinaryEncodingIds.PublishRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => PublishRequest.Decode(ref r),
        [BinaryEncodingIds.PublishResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => PublishResponse.Decode(ref r),
        [BinaryEncodingIds.RepublishRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => RepublishRequest.Decode(ref r),
        [BinaryEncodingIds.RepublishResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => RepublishResponse.Decode(ref r),
        [BinaryEncodingIds.DataChangeNotification_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => DataChangeNotification.Decode(ref r),
        [BinaryEncodingIds.StatusChangeNotification_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => StatusChangeNotification.Decode(ref r),
        [BinaryEncodingIds.DataChangeFilter_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => DataChangeFilter.Decode(ref r),
        [BinaryEncodingIds.TransferSubscriptionsRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => TransferSubscriptionsRequest.Decode(ref r),
        [BinaryEncodingIds.TransferSubscriptionsResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => TransferSubscriptionsResponse.Decode(ref r),
        [BinaryEncodingIds.SetMonitoringModeRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => SetMonitoringModeRequest.Decode(ref r),
        [BinaryEncodingIds.SetMonitoringModeResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => StatusCodesResponse.Decode(BinaryEncodingIds.SetMonitoringModeResponse_Encoding_DefaultBinary, ref r),
        [BinaryEncodingIds.SetTriggeringRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => SetTriggeringRequest.Decode(ref r),
        [BinaryEncodingIds.SetTriggeringResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => SetTriggeringResponse.Decode(ref r),
        [BinaryEncodingIds.RegisterNodesRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => RegisterNodesRequest.Decode(ref r),
        [BinaryEncodingIds.RegisterNodesResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => RegisterNodesResponse.Decode(ref r),
        [BinaryEncodingIds.UnregisterNodesRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => UnregisterNodesRequest.Decode(ref r),
        [BinaryEncodingIds.UnregisterNodesResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => UnregisterNodesResponse.Decode(ref r),
        [BinaryEncodingIds.Argument_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => Argument.Decode(ref r),
        [BinaryEncodingIds.EnumValueType_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => EnumValueType.Decode(ref r),
        [BinaryEncodingIds.EUInformation_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => EUInformation.Decode(ref r),
        [BinaryEncodingIds.Range_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => Range.Decode(ref r),
        [BinaryEncodingIds.SimpleAttributeOperand_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => SimpleAttributeOperand.Decode(ref r),
        [BinaryEncodingIds.LiteralOperand_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => LiteralOperand.Decode(ref r),
        [BinaryEncodingIds.ElementOperand_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => ElementOperand.Decode(ref r),
        [BinaryEncodingIds.AttributeOperand_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => AttributeOperand.Decode(ref r),
        [BinaryEncodingIds.EventFilter_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => EventFilter.Decode(ref r),
        [BinaryEncodingIds.EventFilterResult_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => EventFilterResult.Decode(ref r),
        [BinaryEncodingIds.EventNotificationList_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => EventNotificationList.Decode(ref r),
        [BinaryEncodingIds.CallRequest_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CallRequest.Decode(ref r),
        [BinaryEncodingIds.CallResponse_Encoding_DefaultBinary] = static (ref UaBinaryReader r) => CallResponse.Decode(ref r),
    };

    public static bool TryGetDecoder(uint encodingId, [NotNullWhen(true)] out EncodeableDecoder? decoder) => Decoders.TryGetValue(encodingId, out decoder);

    /// <summary>Decodes a service message body: the encoding NodeId then the structure (OPC 10000-6 §6.7.2 MessageBody).</summary>
    public static IEncodeable DecodeMessage(ReadOnlySpan<byte> body, EncodingLimits limits)
    {
        UaBinaryReader reader = new(body, limits);
        var typeId = reader.ReadNodeId();
        if (typeId.NamespaceIndex != 0 || typeId.IdType != NodeIdType.Numeric || !Decoders.TryGetValue(typeId.NumericIdentifier, out var decoder))
        {
            throw new OpcUaProtocolException(StatusCode.BadServiceUnsupported, $"Unknown message type {typeId}.");
        }

        return decoder(ref reader);
    }

    /// <summary>The encoding id of a message body, or null when the body is too short.</summary>
    public static NodeId? PeekTypeId(ReadOnlySpan<byte> body)
    {
        try
        {
            UaBinaryReader reader = new(body);
            return reader.ReadNodeId();
        }
        catch (OpcUaProtocolException)
        {
            return null;
        }
    }

    public static void EncodeMessage(UaBinaryWriter writer, IEncodeable message)
    {
        writer.WriteNodeId(new NodeId(0, message.BinaryEncodingId));
        message.Encode(writer);
    }
}

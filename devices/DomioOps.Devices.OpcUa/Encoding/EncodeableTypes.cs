using System.Diagnostics.CodeAnalysis;

using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>The structures this stack decodes, keyed by the numeric id of their DefaultBinary encoding node (namespace 0).</summary>
internal static class EncodeableTypes
{
    private static readonly Dictionary<uint, EncodeableDecoder> s_decoders = new()
    {
        [397] = static (ref UaBinaryReader r) => ServiceFault.Decode(ref r),
        [446] = static (ref UaBinaryReader r) => OpenSecureChannelRequest.Decode(ref r),
        [449] = static (ref UaBinaryReader r) => OpenSecureChannelResponse.Decode(ref r),
        [452] = static (ref UaBinaryReader r) => CloseSecureChannelRequest.Decode(ref r),
        [428] = static (ref UaBinaryReader r) => GetEndpointsRequest.Decode(ref r),
        [431] = static (ref UaBinaryReader r) => GetEndpointsResponse.Decode(ref r),
        [461] = static (ref UaBinaryReader r) => CreateSessionRequest.Decode(ref r),
        [464] = static (ref UaBinaryReader r) => CreateSessionResponse.Decode(ref r),
        [467] = static (ref UaBinaryReader r) => ActivateSessionRequest.Decode(ref r),
        [470] = static (ref UaBinaryReader r) => ActivateSessionResponse.Decode(ref r),
        [473] = static (ref UaBinaryReader r) => CloseSessionRequest.Decode(ref r),
        [476] = static (ref UaBinaryReader r) => CloseSessionResponse.Decode(ref r),
        [321] = static (ref UaBinaryReader r) => AnonymousIdentityToken.Decode(ref r),
        [324] = static (ref UaBinaryReader r) => UserNameIdentityToken.Decode(ref r),
        [527] = static (ref UaBinaryReader r) => BrowseRequest.Decode(ref r),
        [530] = static (ref UaBinaryReader r) => BrowseResponse.Decode(ref r),
        [533] = static (ref UaBinaryReader r) => BrowseNextRequest.Decode(ref r),
        [536] = static (ref UaBinaryReader r) => BrowseNextResponse.Decode(ref r),
        [554] = static (ref UaBinaryReader r) => TranslateBrowsePathsRequest.Decode(ref r),
        [557] = static (ref UaBinaryReader r) => TranslateBrowsePathsResponse.Decode(ref r),
        [631] = static (ref UaBinaryReader r) => ReadRequest.Decode(ref r),
        [634] = static (ref UaBinaryReader r) => ReadResponse.Decode(ref r),
        [673] = static (ref UaBinaryReader r) => WriteRequest.Decode(ref r),
        [676] = static (ref UaBinaryReader r) => WriteResponse.Decode(ref r),
        [787] = static (ref UaBinaryReader r) => CreateSubscriptionRequest.Decode(ref r),
        [790] = static (ref UaBinaryReader r) => CreateSubscriptionResponse.Decode(ref r),
        [793] = static (ref UaBinaryReader r) => ModifySubscriptionRequest.Decode(ref r),
        [796] = static (ref UaBinaryReader r) => ModifySubscriptionResponse.Decode(ref r),
        [847] = static (ref UaBinaryReader r) => DeleteSubscriptionsRequest.Decode(ref r),
        [850] = static (ref UaBinaryReader r) => StatusCodesResponse.Decode(850, ref r),
        [751] = static (ref UaBinaryReader r) => CreateMonitoredItemsRequest.Decode(ref r),
        [754] = static (ref UaBinaryReader r) => CreateMonitoredItemsResponse.Decode(ref r),
        [763] = static (ref UaBinaryReader r) => ModifyMonitoredItemsRequest.Decode(ref r),
        [766] = static (ref UaBinaryReader r) => ModifyMonitoredItemsResponse.Decode(ref r),
        [781] = static (ref UaBinaryReader r) => DeleteMonitoredItemsRequest.Decode(ref r),
        [784] = static (ref UaBinaryReader r) => StatusCodesResponse.Decode(784, ref r),
        [826] = static (ref UaBinaryReader r) => PublishRequest.Decode(ref r),
        [829] = static (ref UaBinaryReader r) => PublishResponse.Decode(ref r),
        [832] = static (ref UaBinaryReader r) => RepublishRequest.Decode(ref r),
        [835] = static (ref UaBinaryReader r) => RepublishResponse.Decode(ref r),
        [811] = static (ref UaBinaryReader r) => DataChangeNotification.Decode(ref r),
        [820] = static (ref UaBinaryReader r) => StatusChangeNotification.Decode(ref r),
        [724] = static (ref UaBinaryReader r) => DataChangeFilter.Decode(ref r),
        [841] = static (ref UaBinaryReader r) => TransferSubscriptionsRequest.Decode(ref r),
        [844] = static (ref UaBinaryReader r) => TransferSubscriptionsResponse.Decode(ref r),
        [769] = static (ref UaBinaryReader r) => SetMonitoringModeRequest.Decode(ref r),
        [772] = static (ref UaBinaryReader r) => StatusCodesResponse.Decode(772, ref r),
        [775] = static (ref UaBinaryReader r) => SetTriggeringRequest.Decode(ref r),
        [778] = static (ref UaBinaryReader r) => SetTriggeringResponse.Decode(ref r),
        [560] = static (ref UaBinaryReader r) => RegisterNodesRequest.Decode(ref r),
        [563] = static (ref UaBinaryReader r) => RegisterNodesResponse.Decode(ref r),
        [566] = static (ref UaBinaryReader r) => UnregisterNodesRequest.Decode(ref r),
        [569] = static (ref UaBinaryReader r) => UnregisterNodesResponse.Decode(ref r),
        [298] = static (ref UaBinaryReader r) => Argument.Decode(ref r),
        [8251] = static (ref UaBinaryReader r) => EnumValueType.Decode(ref r),
        [889] = static (ref UaBinaryReader r) => EUInformation.Decode(ref r),
        [886] = static (ref UaBinaryReader r) => Range.Decode(ref r),
        [603] = static (ref UaBinaryReader r) => SimpleAttributeOperand.Decode(ref r),
        [597] = static (ref UaBinaryReader r) => LiteralOperand.Decode(ref r),
        [594] = static (ref UaBinaryReader r) => ElementOperand.Decode(ref r),
        [600] = static (ref UaBinaryReader r) => AttributeOperand.Decode(ref r),
        [727] = static (ref UaBinaryReader r) => EventFilter.Decode(ref r),
        [736] = static (ref UaBinaryReader r) => EventFilterResult.Decode(ref r),
        [916] = static (ref UaBinaryReader r) => EventNotificationList.Decode(ref r),
        [712] = static (ref UaBinaryReader r) => CallRequest.Decode(ref r),
        [715] = static (ref UaBinaryReader r) => CallResponse.Decode(ref r),
    };

    public static bool TryGetDecoder(uint encodingId, [NotNullWhen(true)] out EncodeableDecoder? decoder) => s_decoders.TryGetValue(encodingId, out decoder);

    /// <summary>Decodes a service message body: the encoding NodeId then the structure (OPC 10000-6 §6.7.2 MessageBody).</summary>
    public static IEncodeable DecodeMessage(ReadOnlySpan<byte> body, EncodingLimits limits)
    {
        UaBinaryReader reader = new(body, limits);
        NodeId typeId = reader.ReadNodeId();
        if (typeId.NamespaceIndex != 0 || typeId.IdType != NodeIdType.Numeric || !s_decoders.TryGetValue(typeId.NumericIdentifier, out EncodeableDecoder? decoder))
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

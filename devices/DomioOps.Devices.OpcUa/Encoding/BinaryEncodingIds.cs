namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>
/// Numeric ids (namespace 0) of the DefaultBinary encoding nodes of the messages and structures this stack encodes and
/// decodes, named as in OPC 10000-6 Annex A (NodeIds.csv): the TypeId that precedes each encoded body (OPC 10000-6 §5.2.2.15, §6.7.2).
/// </summary>
internal static class BinaryEncodingIds
{
    // Structures (OPC 10000-3 §8, 10000-4 §7, 10000-8 §5.6) and the ServiceFault
    public const uint ServiceFault_Encoding_DefaultBinary = 397;
    public const uint AnonymousIdentityToken_Encoding_DefaultBinary = 321;
    public const uint UserNameIdentityToken_Encoding_DefaultBinary = 324;
    public const uint Argument_Encoding_DefaultBinary = 298;
    public const uint EnumValueType_Encoding_DefaultBinary = 8251;
    public const uint EUInformation_Encoding_DefaultBinary = 889;
    public const uint Range_Encoding_DefaultBinary = 886;
    public const uint DataChangeFilter_Encoding_DefaultBinary = 724;
    public const uint SimpleAttributeOperand_Encoding_DefaultBinary = 603;
    public const uint LiteralOperand_Encoding_DefaultBinary = 597;
    public const uint ElementOperand_Encoding_DefaultBinary = 594;
    public const uint AttributeOperand_Encoding_DefaultBinary = 600;
    public const uint EventFilter_Encoding_DefaultBinary = 727;
    public const uint EventFilterResult_Encoding_DefaultBinary = 736;
    public const uint DataChangeNotification_Encoding_DefaultBinary = 811;
    public const uint StatusChangeNotification_Encoding_DefaultBinary = 820;
    public const uint EventNotificationList_Encoding_DefaultBinary = 916;

    // Discovery service set (OPC 10000-4 §5.4)
    public const uint GetEndpointsRequest_Encoding_DefaultBinary = 428;
    public const uint GetEndpointsResponse_Encoding_DefaultBinary = 431;

    // SecureChannel service set (§5.5)
    public const uint OpenSecureChannelRequest_Encoding_DefaultBinary = 446;
    public const uint OpenSecureChannelResponse_Encoding_DefaultBinary = 449;
    public const uint CloseSecureChannelRequest_Encoding_DefaultBinary = 452;

    // Session service set (§5.6)
    public const uint CreateSessionRequest_Encoding_DefaultBinary = 461;
    public const uint CreateSessionResponse_Encoding_DefaultBinary = 464;
    public const uint ActivateSessionRequest_Encoding_DefaultBinary = 467;
    public const uint ActivateSessionResponse_Encoding_DefaultBinary = 470;
    public const uint CloseSessionRequest_Encoding_DefaultBinary = 473;
    public const uint CloseSessionResponse_Encoding_DefaultBinary = 476;

    // View service set (§5.9)
    public const uint BrowseRequest_Encoding_DefaultBinary = 527;
    public const uint BrowseResponse_Encoding_DefaultBinary = 530;
    public const uint BrowseNextRequest_Encoding_DefaultBinary = 533;
    public const uint BrowseNextResponse_Encoding_DefaultBinary = 536;
    public const uint TranslateBrowsePathsToNodeIdsRequest_Encoding_DefaultBinary = 554;
    public const uint TranslateBrowsePathsToNodeIdsResponse_Encoding_DefaultBinary = 557;
    public const uint RegisterNodesRequest_Encoding_DefaultBinary = 560;
    public const uint RegisterNodesResponse_Encoding_DefaultBinary = 563;
    public const uint UnregisterNodesRequest_Encoding_DefaultBinary = 566;
    public const uint UnregisterNodesResponse_Encoding_DefaultBinary = 569;

    // Attribute service set (§5.10)
    public const uint ReadRequest_Encoding_DefaultBinary = 631;
    public const uint ReadResponse_Encoding_DefaultBinary = 634;
    public const uint WriteRequest_Encoding_DefaultBinary = 673;
    public const uint WriteResponse_Encoding_DefaultBinary = 676;

    // Method service set (§5.11)
    public const uint CallRequest_Encoding_DefaultBinary = 712;
    public const uint CallResponse_Encoding_DefaultBinary = 715;

    // MonitoredItem service set (§5.12)
    public const uint CreateMonitoredItemsRequest_Encoding_DefaultBinary = 751;
    public const uint CreateMonitoredItemsResponse_Encoding_DefaultBinary = 754;
    public const uint ModifyMonitoredItemsRequest_Encoding_DefaultBinary = 763;
    public const uint ModifyMonitoredItemsResponse_Encoding_DefaultBinary = 766;
    public const uint SetMonitoringModeRequest_Encoding_DefaultBinary = 769;
    public const uint SetMonitoringModeResponse_Encoding_DefaultBinary = 772;
    public const uint SetTriggeringRequest_Encoding_DefaultBinary = 775;
    public const uint SetTriggeringResponse_Encoding_DefaultBinary = 778;
    public const uint DeleteMonitoredItemsRequest_Encoding_DefaultBinary = 781;
    public const uint DeleteMonitoredItemsResponse_Encoding_DefaultBinary = 784;

    // Subscription service set (§5.13)
    public const uint CreateSubscriptionRequest_Encoding_DefaultBinary = 787;
    public const uint CreateSubscriptionResponse_Encoding_DefaultBinary = 790;
    public const uint ModifySubscriptionRequest_Encoding_DefaultBinary = 793;
    public const uint ModifySubscriptionResponse_Encoding_DefaultBinary = 796;
    public const uint PublishRequest_Encoding_DefaultBinary = 826;
    public const uint PublishResponse_Encoding_DefaultBinary = 829;
    public const uint RepublishRequest_Encoding_DefaultBinary = 832;
    public const uint RepublishResponse_Encoding_DefaultBinary = 835;
    public const uint TransferSubscriptionsRequest_Encoding_DefaultBinary = 841;
    public const uint TransferSubscriptionsResponse_Encoding_DefaultBinary = 844;
    public const uint DeleteSubscriptionsRequest_Encoding_DefaultBinary = 847;
    public const uint DeleteSubscriptionsResponse_Encoding_DefaultBinary = 850;
}

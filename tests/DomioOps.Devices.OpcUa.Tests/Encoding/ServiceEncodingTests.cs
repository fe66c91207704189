using System.Buffers;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.Encoding;

public sealed class ServiceEncodingTests
{
    private static readonly DateTime T = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    internal static IEnumerable<IEncodeable> SampleMessages()
    {
        RequestHeader rq = new(new NodeId(1, Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63")), T, 7, TimeoutHint: 5000);
        ResponseHeader rs = new(T, 7, StatusCode.Good, StringTable: ["x"]);
        ApplicationDescription app = new("urn:domio", "urn:domio:product", new LocalizedText("en", "Domio"), ApplicationType.Client, DiscoveryUrls: ["opc.tcp://127.0.0.1:4840"]);
        EndpointDescription endpoint = new("opc.tcp://127.0.0.1:4840", app, new byte[] { 1, 2 }, MessageSecurityMode.None, "http://opcfoundation.org/UA/SecurityPolicy#None", [new UserTokenPolicy("anon", UserTokenType.Anonymous)], "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary", 0);
        yield return new OpenSecureChannelRequest(rq, 0, SecurityTokenRequestType.Issue, MessageSecurityMode.None, [], 3_600_000);
        yield return new OpenSecureChannelResponse(rs, 0, new ChannelSecurityToken(5, 1, T, 600_000), []);
        yield return new GetEndpointsRequest(rq, "opc.tcp://127.0.0.1:4840", [], []);
        yield return new GetEndpointsResponse(rs, [endpoint]);
        yield return new CreateSessionRequest(rq, app, null, "opc.tcp://127.0.0.1:4840", "s", new byte[32], null, 60000, 0);
        yield return new CreateSessionResponse(rs, new NodeId(1, 5u), new NodeId(1, "tok"), 60000, new byte[32], null, [endpoint], SignatureData.Empty, 0);
        yield return new ActivateSessionRequest(rq, SignatureData.Empty, ["en"], new ExtensionObject(new NodeId(0, BinaryEncodingIds.UserNameIdentityToken_Encoding_DefaultBinary), new UserNameIdentityToken("u", "user", [1, 2, 3], null)), SignatureData.Empty);
        yield return new ActivateSessionResponse(rs, new byte[32], [StatusCode.Good]);
        yield return new CloseSessionRequest(rq, true);
        yield return new BrowseRequest(rq, 100, [new BrowseDescription(new NodeId(0, 85u), BrowseDirection.Both, new NodeId(0, 33u))]);
        yield return new BrowseResponse(rs, [new BrowseResult(StatusCode.Good, [1], [new ReferenceDescription(new NodeId(0, 35u), true, new ExpandedNodeId(new NodeId(2, "M")), new QualifiedName(2, "M"), new LocalizedText("M"), NodeClass.Object, new ExpandedNodeId(new NodeId(0, 58u)))])]);
        yield return new BrowseNextRequest(rq, false, [[1, 2]]);
        yield return new TranslateBrowsePathsRequest(rq, [new BrowsePath(new NodeId(0, 85u), [new RelativePathElement(new NodeId(0, 33u), false, true, new QualifiedName(2, "M"))])]);
        yield return new TranslateBrowsePathsResponse(rs, [new BrowsePathResult(StatusCode.Good, [new BrowsePathTarget(new ExpandedNodeId(new NodeId(2, "M")), uint.MaxValue)])]);
        yield return new ReadRequest(rq, 0, TimestampsToReturn.Both, [new ReadValueId(new NodeId(2, "M"))]);
        yield return new ReadResponse(rs, [new DataValue(new Variant(1.5), StatusCode.Good, T, T)]);
        yield return new WriteRequest(rq, [new WriteValue(new NodeId(2, "M"), new Variant(3))]);
        yield return new WriteResponse(rs, [StatusCode.BadNotWritable]);
        yield return new CreateSubscriptionRequest(rq, 100, 300, 10, 0, true, 0);
        yield return new CreateSubscriptionResponse(rs, 1, 100, 300, 10);
        yield return new CreateMonitoredItemsRequest(rq, 1, TimestampsToReturn.Both, [new MonitoredItemCreateRequest(new ReadValueId(new NodeId(2, "M")), MonitoringMode.Reporting, new MonitoringParameters(1, 100, new ExtensionObject(new NodeId(0, BinaryEncodingIds.DataChangeFilter_Encoding_DefaultBinary), new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Absolute, 0.5)), 10, true))]);
        yield return new CreateMonitoredItemsResponse(rs, [new MonitoredItemCreateResult(StatusCode.Good, 3, 100, 10)]);
        yield return new PublishRequest(rq, [new SubscriptionAcknowledgement(1, 2)]);
        yield return new PublishResponse(rs, 1, [2, 3], false, new NotificationMessage(3, T, [new ExtensionObject(new NodeId(0, BinaryEncodingIds.DataChangeNotification_Encoding_DefaultBinary), new DataChangeNotification([new MonitoredItemNotification(1, new DataValue(new Variant(2)))]))]), [StatusCode.Good]);
        yield return new RepublishRequest(rq, 1, 2);
        yield return new DeleteSubscriptionsRequest(rq, [1]);
        yield return new StatusCodesResponse(BinaryEncodingIds.DeleteSubscriptionsResponse_Encoding_DefaultBinary, rs, [StatusCode.Good]);
        yield return new ServiceFault(new ResponseHeader(T, 7, StatusCode.BadSessionIdInvalid));
    }

    public static TheoryData<int> MessageIndexes()
    {
        TheoryData<int> data = [];
        for (var i = 0; i < SampleMessages().Count(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    internal static byte[] EncodeMessage(IEncodeable message)
    {
        ArrayBufferWriter<byte> buffer = new();
        EncodeableTypes.EncodeMessage(new UaBinaryWriter(buffer), message);
        return buffer.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void DecodeMessage_EncodedServiceMessage_RoundTripsToSameBytes(int index)
    {
        var message = SampleMessages().ElementAt(index);
        var bytes = EncodeMessage(message);
        var decoded = EncodeableTypes.DecodeMessage(bytes, EncodingLimits.Default);
        Assert.Equal(message.GetType(), decoded.GetType());
        Assert.Equal(bytes, EncodeMessage(decoded));
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Throws<OpcUaProtocolException>(() => EncodeableTypes.DecodeMessage(prefix, EncodingLimits.Default));
        }
    }

    // OPC 10000-4 §7.32 RequestHeader, hand-encoded: two-byte null token, DateTime, handle 7, diagnostics 0, null audit id, timeout 5000, null ExtensionObject.
    [Fact]
    public void ReadRequest_HandEncoded_MatchesBytes()
    {
        RequestHeader header = new(NodeId.Null, T, 7, 0, null, 5000);
        ReadRequest request = new(header, 0, TimestampsToReturn.Both, [new ReadValueId(new NodeId(0, 2258u))]);
        var ticks = BitConverter.GetBytes(133485408000000000L);
        byte[] expected =
        [
            0x01, 0x00, 0x77, 0x02, // ReadRequest_Encoding_DefaultBinary i=631, four-byte form
            0x00, 0x00, .. ticks, 0x07, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x88, 0x13, 0, 0, 0x00, 0x00, 0x00,
            0, 0, 0, 0, 0, 0, 0, 0, // MaxAge 0.0
            0x02, 0, 0, 0, // TimestampsToReturn.Both
            0x01, 0, 0, 0, // one ReadValueId
            0x01, 0x00, 0xD2, 0x08, 0x0D, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, // i=2258, Value, null range, null encoding
        ];
        Assert.Equal(expected, EncodeMessage(request));
        Assert.Equal(request.NodesToRead[0], ((ReadRequest)EncodeableTypes.DecodeMessage(expected, EncodingLimits.Default)).NodesToRead[0]);
    }

    [Fact]
    public void DecodeMessage_UnknownTypeId_ThrowsServiceUnsupported()
    {
        var ex = Assert.Throws<OpcUaProtocolException>(() => EncodeableTypes.DecodeMessage(Codec.Hex("01 00 FF 7F"), EncodingLimits.Default));
        Assert.Equal(StatusCode.BadServiceUnsupported, ex.StatusCode);
    }
}

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Tests.Encoding;

namespace DomioOps.Devices.OpcUa.Tests.Transport;

/// <summary>
/// Golden vectors for events and Call, captured from node-opcua 2.186.4 talking to itself (client ↔ events-server.js,
/// SecurityPolicy None) through a recording proxy: Peers/node-opcua/capture-events.js wrote Captures/node-opcua-events.txt.
/// The client monitors Saw1's events with select clauses EventType, SourceName, Message, Severity and OfType(SystemEventType),
/// calls RaiseEvent("Blade worn", 700, true) and receives the event.
/// </summary>
public sealed class NodeOpcUaEventCaptureTests
{
    private static readonly (string Direction, byte[] Chunk)[] Chunks = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Captures", "node-opcua-events.txt"))
        .Where(l => l.Length > 4)
        .Select(l => (l[..3], Convert.FromHexString(l[4..])))
        .ToArray();

    private static IEnumerable<IEncodeable> Messages() => Chunks.Skip(2).Select(c => NodeOpcUaCaptureTests.DecodeChunk(c.Chunk).Message);

    [Fact]
    public void Capture_EventFilter_DecodesAndEncodesToTheSameBytes()
    {
        var create = Messages().OfType<CreateMonitoredItemsRequest>().Single();
        var item = Assert.Single(create.ItemsToCreate);
        var filter = Assert.IsType<EventFilter>(item.RequestedParameters.Filter.Body);
        var expected = EventFilter.Select("EventType", "SourceName", "Message", "Severity") with { WhereClause = ContentFilter.OfType(new NodeId(0, 2130u)) };

        Assert.Equal(AttributeId.EventNotifier, item.ItemToMonitor.AttributeId);
        Assert.Equal(expected.SelectClauses, filter.SelectClauses, (a, b) => a.TypeDefinitionId == b.TypeDefinitionId && a.Path == b.Path && a.AttributeId == b.AttributeId && a.IndexRange == b.IndexRange);
        var where = Assert.Single(filter.WhereClause!.Elements);
        Assert.Equal(FilterOperator.OfType, where.FilterOperator);
        Assert.Equal(new Variant(new NodeId(0, 2130u)), Assert.IsType<LiteralOperand>(Assert.Single(where.FilterOperands)).Value);

        // Ours, built from the API, encodes to node-opcua's bytes.
        Assert.Equal(Codec.Encode(w => w.WriteEncodeableAsExtensionObject(filter)), Codec.Encode(w => w.WriteEncodeableAsExtensionObject(expected)));
    }

    [Fact]
    public void Capture_CallAndEventNotification_CarryTheRaisedEvent()
    {
        var call = Assert.Single(Messages().OfType<CallRequest>().Single().MethodsToCall);
        var result = Assert.Single(Messages().OfType<CallResponse>().Single().Results);
        var events = Messages().OfType<PublishResponse>()
            .SelectMany(p => p.NotificationMessage.NotificationData).Select(d => d.Body).OfType<EventNotificationList>().Single();

        Assert.Equal([new Variant("Blade worn"), new Variant((ushort)700), new Variant(true)], call.InputArguments);
        Assert.Equal("s=Saw1.RaiseEvent", call.MethodId.ToString()[(call.MethodId.ToString().IndexOf(';', StringComparison.Ordinal) + 1)..]);
        Assert.Equal(StatusCode.Good, result.StatusCode);
        Assert.Equal([new Variant(1u)], result.OutputArguments);
        var fields = Assert.Single(events.Events);
        Assert.Equal(new Variant(new NodeId(0, 2130u)), fields.EventFields[0]);
        Assert.Equal(new Variant("Saw1"), fields.EventFields[1]);
        Assert.Equal(new Variant(new LocalizedText("Blade worn")), fields.EventFields[2]);
        Assert.Equal(new Variant((ushort)700), fields.EventFields[3]);
    }

    [Fact]
    public void Capture_EveryChunk_ReencodesByteExact()
    {
        List<string> differing = [];
        foreach ((_, var chunk) in Chunks.Skip(2))
        {
            (var message, var body) = NodeOpcUaCaptureTests.DecodeChunk(chunk);
            if (!Encoding.ServiceEncodingTests.EncodeMessage(message).AsSpan().SequenceEqual(body))
            {
                differing.Add(message.GetType().Name);
            }
        }

        Assert.Equal([], differing);
    }
}

using System.Buffers;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Tests.Transport;

/// <summary>
/// Golden vectors captured from node-opcua 2.186.4 talking to itself (client ↔ server.js, SecurityPolicy None) through a
/// recording proxy: Peers/node-opcua/capture.js wrote Captures/node-opcua-session.txt, one UA TCP chunk per line.
/// </summary>
public sealed class NodeOpcUaCaptureTests
{
    private static readonly (string Direction, byte[] Chunk)[] Chunks = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Captures", "node-opcua-session.txt"))
        .Where(l => l.Length > 4)
        .Select(l => (l[..3], Convert.FromHexString(l[4..])))
        .ToArray();

    internal static (IEncodeable Message, byte[] Body) DecodeChunk(byte[] chunk)
    {
        ReadOnlySequence<byte> sequence = new(chunk);
        Assert.True(UaTcpFrameReader.TryReadFrame(ref sequence, 1 << 20, out var header, out _));
        Assert.Equal(0, sequence.Length);
        UaBinaryReader r = new(chunk.AsSpan(UaTcpHeader.Size));
        _ = r.ReadUInt32();
        if (header.MessageType == MessageTypes.Open)
        {
            Assert.Equal(UaSecureChannel.SecurityPolicyNone, r.ReadString());
            _ = r.ReadByteString();
            _ = r.ReadByteString();
        }
        else
        {
            _ = r.ReadUInt32();
        }

        _ = r.ReadUInt32();
        _ = r.ReadUInt32();
        var body = chunk[(UaTcpHeader.Size + r.Position)..];
        return (EncodeableTypes.DecodeMessage(body, EncodingLimits.Default), body);
    }

    [Fact]
    public void Capture_HelloAndAcknowledge_DecodeAndReencodeExactly()
    {
        var hello = Chunks[0].Chunk;
        var decodedHello = HelloMessage.Decode(hello.AsSpan(UaTcpHeader.Size));
        Assert.StartsWith("opc.tcp://127.0.0.1:", decodedHello.EndpointUrl, StringComparison.Ordinal);
        Assert.Equal(hello, UaTcpMessageWriter.Build(MessageTypes.Hello, decodedHello.Encode));

        var ack = Chunks[1].Chunk;
        var decodedAck = AcknowledgeMessage.Decode(ack.AsSpan(UaTcpHeader.Size));
        Assert.True(decodedAck.ReceiveBufferSize >= TransportLimits.MinBufferSize);
        Assert.Equal(ack, UaTcpMessageWriter.Build(MessageTypes.Acknowledge, decodedAck.Encode));
    }

    [Fact]
    public void Capture_EveryServiceChunk_DecodesToAKnownMessage()
    {
        List<string> types = [];
        foreach ((var direction, var chunk) in Chunks.Skip(2))
        {
            (var message, _) = DecodeChunk(chunk);
            Assert.Equal(direction == "C>S", message is IServiceRequest);
            types.Add(message.GetType().Name);
        }

        Assert.Contains(nameof(OpenSecureChannelResponse), types);
        Assert.Contains(nameof(CreateSessionRequest), types);
        Assert.Contains(nameof(ActivateSessionResponse), types);
        Assert.Contains(nameof(BrowseResponse), types);
        Assert.Contains(nameof(ReadResponse), types);
        Assert.Contains(nameof(WriteResponse), types);
        Assert.Contains(nameof(CreateMonitoredItemsResponse), types);
        Assert.Contains(nameof(PublishResponse), types);
        Assert.Contains(nameof(CloseSecureChannelRequest), types);
    }

    [Fact]
    public void Capture_PublishResponse_CarriesTheWrittenValue()
    {
        var publish = Chunks.Skip(2).Select(c => DecodeChunk(c.Chunk).Message).OfType<PublishResponse>()
            .First(p => p.NotificationMessage.NotificationData.Count > 0);
        var change = Assert.IsType<DataChangeNotification>(publish.NotificationMessage.NotificationData[0].Body);
        Assert.Equal(7.25, Assert.Single(change.MonitoredItems).Value.Value.Value);
    }

    [Fact]
    public void Capture_ReencodeOfDecodedMessages_IsByteExactWhereTheEncodingIsCanonical()
    {
        var exact = 0;
        List<string> differing = [];
        foreach ((_, var chunk) in Chunks.Skip(2))
        {
            (var message, var body) = DecodeChunk(chunk);
            var again = Encoding.ServiceEncodingTests.EncodeMessage(message);
            if (again.AsSpan().SequenceEqual(body))
            {
                exact++;
            }
            else
            {
                differing.Add(message.GetType().Name);
            }
        }

        Assert.Equal([], differing);
        Assert.Equal(Chunks.Length - 2, exact);
    }
}

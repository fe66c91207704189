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
    private static readonly (string Direction, byte[] Chunk)[] s_chunks = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Captures", "node-opcua-session.txt"))
        .Where(l => l.Length > 4)
        .Select(l => (l[..3], Convert.FromHexString(l[4..])))
        .ToArray();

    internal static (IEncodeable Message, byte[] Body) DecodeChunk(byte[] chunk)
    {
        ReadOnlySequence<byte> sequence = new(chunk);
        Assert.True(UaTcpFrameReader.TryReadFrame(ref sequence, 1 << 20, out UaTcpHeader header, out _));
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
        byte[] body = chunk[(UaTcpHeader.Size + r.Position)..];
        return (EncodeableTypes.DecodeMessage(body, EncodingLimits.Default), body);
    }

    [Fact]
    public void Capture_HelloAndAcknowledge_DecodeAndReencodeExactly()
    {
        byte[] hello = s_chunks[0].Chunk;
        HelloMessage decodedHello = HelloMessage.Decode(hello.AsSpan(UaTcpHeader.Size));
        Assert.StartsWith("opc.tcp://127.0.0.1:", decodedHello.EndpointUrl, StringComparison.Ordinal);
        Assert.Equal(hello, UaTcpMessageWriter.Build(MessageTypes.Hello, decodedHello.Encode));

        byte[] ack = s_chunks[1].Chunk;
        AcknowledgeMessage decodedAck = AcknowledgeMessage.Decode(ack.AsSpan(UaTcpHeader.Size));
        Assert.True(decodedAck.ReceiveBufferSize >= TransportLimits.MinBufferSize);
        Assert.Equal(ack, UaTcpMessageWriter.Build(MessageTypes.Acknowledge, decodedAck.Encode));
    }

    [Fact]
    public void Capture_EveryServiceChunk_DecodesToAKnownMessage()
    {
        List<string> types = [];
        foreach ((string direction, byte[] chunk) in s_chunks.Skip(2))
        {
            (IEncodeable message, _) = DecodeChunk(chunk);
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
        PublishResponse publish = s_chunks.Skip(2).Select(c => DecodeChunk(c.Chunk).Message).OfType<PublishResponse>()
            .First(p => p.NotificationMessage.NotificationData.Count > 0);
        DataChangeNotification change = Assert.IsType<DataChangeNotification>(publish.NotificationMessage.NotificationData[0].Body);
        Assert.Equal(7.25, Assert.Single(change.MonitoredItems).Value.Value.Value);
    }

    [Fact]
    public void Capture_ReencodeOfDecodedMessages_IsByteExactWhereTheEncodingIsCanonical()
    {
        int exact = 0;
        List<string> differing = [];
        foreach ((_, byte[] chunk) in s_chunks.Skip(2))
        {
            (IEncodeable message, byte[] body) = DecodeChunk(chunk);
            byte[] again = Encoding.ServiceEncodingTests.EncodeMessage(message);
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
        Assert.Equal(s_chunks.Length - 2, exact);
    }
}

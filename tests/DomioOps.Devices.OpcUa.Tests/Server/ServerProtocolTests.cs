using System.Buffers.Binary;
using System.Net.Sockets;

using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Tests.Encoding;
using DomioOps.Devices.OpcUa.Transport;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Devices.OpcUa.Tests.Server;

/// <summary>Bad input on the wire: the server answers with an Error message and closes; nothing crashes.</summary>
public sealed class ServerProtocolTests : IAsyncLifetime
{
    private OpcUaServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0, TransportLimits = new TransportLimits(8192, 8192, 32768, 4) });
        _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, new NodeId(2, "Big"), new QualifiedName(2, "Big"), new Variant(new double[5000]), DateTime.UtcNow);
        await _server.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static readonly byte[] Hello = UaTcpMessageWriter.Build(MessageTypes.Hello, new HelloMessage(0, 65535, 65535, 0, 0, "opc.tcp://127.0.0.1").Encode);

    private async Task<(StatusCode Error, bool ClosedAfter)> SendAndExpectErrorAsync(params byte[][] messages)
    {
        using TcpClient tcp = new();
        await tcp.ConnectAsync("127.0.0.1", _server.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        foreach (var message in messages)
        {
            await stream.WriteAsync(message, TestContext.Current.CancellationToken);
        }

        var buffer = new byte[65536];
        var total = 0;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), TestContext.Current.CancellationToken);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        // Skip an Acknowledge if one came first; the last message must be the Error.
        var offset = 0;
        while (offset + 8 <= total)
        {
            var type = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset)) & 0xFFFFFF;
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 4));
            if (type == MessageTypes.Error)
            {
                return (ErrorMessage.Decode(buffer.AsSpan(offset + 8, size - 8)).Error, offset + size == total);
            }

            offset += size;
        }

        return (StatusCode.Good, true);
    }

    [Fact]
    public async Task Server_UnknownMessageType_SendsErrorAndCloses()
    {
        (var error, var closed) = await SendAndExpectErrorAsync(Codec.Hex("58 59 5A 46 08 00 00 00"));
        Assert.Equal(StatusCode.BadTcpMessageTypeInvalid, error);
        Assert.True(closed);
    }

    [Fact]
    public async Task Server_FirstMessageNotHello_SendsErrorAndCloses()
    {
        (var error, _) = await SendAndExpectErrorAsync(Codec.Hex("4D 53 47 46 0C 00 00 00 00 00 00 00"));
        Assert.Equal(StatusCode.BadTcpMessageTypeInvalid, error);
    }

    [Fact]
    public async Task Server_HelloWithTinyBuffers_SendsNotEnoughResources()
    {
        var hello = UaTcpMessageWriter.Build(MessageTypes.Hello, new HelloMessage(0, 1024, 1024, 0, 0, "opc.tcp://x").Encode);
        (var error, _) = await SendAndExpectErrorAsync(hello);
        Assert.Equal(StatusCode.BadTcpNotEnoughResources, error);
    }

    [Fact]
    public async Task Server_ChunkLargerThanNegotiatedBuffer_SendsMessageTooLarge()
    {
        (var error, _) = await SendAndExpectErrorAsync(Hello, Codec.Hex("4F 50 4E 46 00 00 01 00"));
        Assert.Equal(StatusCode.BadTcpMessageTooLarge, error);
    }

    [Fact]
    public async Task Server_MessageBeforeOpenSecureChannel_SendsSecureChannelUnknown()
    {
        var body = ServiceEncodingTests.EncodeMessage(ServiceEncodingTests.SampleMessages().OfType<ReadRequest>().First());
        var chunk = new byte[24 + body.Length];
        UaTcpHeader.Write(chunk, MessageTypes.Message, MessageTypes.Final, (uint)chunk.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(16), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(20), 1);
        body.CopyTo(chunk, 24);
        (var error, _) = await SendAndExpectErrorAsync(Hello, chunk);
        Assert.Equal(StatusCode.BadTcpSecureChannelUnknown, error);
    }

    [Fact]
    public async Task Server_MoreChunksThanMaxChunkCount_SendsMessageTooLarge()
    {
        List<byte[]> messages = [Hello];
        for (var i = 0; i < 6; i++)
        {
            var chunk = new byte[8 + 4 + 4 + 51 + 4 + 4 + 8 + 100];
            UaTcpHeader.Write(chunk, MessageTypes.Open, MessageTypes.Intermediate, (uint)chunk.Length);
            BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(12), 47);
            "http://opcfoundation.org/UA/SecurityPolicy#None"u8.CopyTo(chunk.AsSpan(16));
            BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(63), -1);
            BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(67), -1);
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(71), (uint)(i + 1));
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(75), 1);
            messages.Add(chunk);
        }

        (var error, _) = await SendAndExpectErrorAsync([.. messages]);
        Assert.Equal(StatusCode.BadTcpMessageTooLarge, error);
    }

    [Fact]
    public async Task Server_TruncatedOpenBody_SendsDecodingError()
    {
        var chunk = new byte[8 + 4 + 4 + 47 + 4 + 4 + 8 + 3];
        UaTcpHeader.Write(chunk, MessageTypes.Open, MessageTypes.Final, (uint)chunk.Length);
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(12), 47);
        "http://opcfoundation.org/UA/SecurityPolicy#None"u8.CopyTo(chunk.AsSpan(16));
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(63), -1);
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(67), -1);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(71), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(75), 1);
        chunk[79] = 0x01;
        chunk[80] = 0x00;
        chunk[81] = 0xBE;
        (var error, _) = await SendAndExpectErrorAsync(Hello, chunk);
        Assert.Equal(StatusCode.BadDecodingError, error);
    }

    [Fact]
    public async Task Server_StillServesAfterBadPeers_ClientConnects()
    {
        await SendAndExpectErrorAsync(Codec.Hex("58 59 5A 46 08 00 00 00"));
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task Read_ResponseAboveClientMaxMessageSize_ServiceFaultResponseTooLarge()
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl, TransportLimits = new TransportLimits(8192, 8192, 16384, 8) });
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => client.ReadValueAsync(new NodeId(2, "Big"), TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.BadResponseTooLarge, ex.StatusCode);
    }

    [Fact]
    public async Task Write_RequestAboveServerMaxMessageSize_RefusedLocallyWithRequestTooLarge()
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => client.WriteValueAsync(new NodeId(2, "Big"), new Variant(new double[10_000]), TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.BadRequestTooLarge, ex.StatusCode);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task Client_TokenLifetimeElapses_RenewsTokenAndKeepsWorking()
    {
        FakeTimeProvider time = new(DateTimeOffset.UtcNow);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl, SecureChannelLifetime = 10_000 }, time);
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(8));
        await Eventually.TrueAsync(() => client.TokenRenewals > 0, "the token renewal at 75 % of its lifetime", TestContext.Current.CancellationToken);

        var value = await client.ReadValueAsync(WellKnownNodes.NamespaceArray, TestContext.Current.CancellationToken);
        Assert.Equal(StatusCode.Good, value.StatusCode);
        Assert.Equal(1, client.TokenRenewals);
    }

    /// <summary>An OpenSecureChannel request (SecurityPolicy None) as one chunk: header, channel id, asymmetric security header, sequence header, body.</summary>
    private static byte[] OpenChunk(uint channelId, uint sequence, SecurityTokenRequestType type, uint lifetime)
    {
        var body = ServiceEncodingTests.EncodeMessage(new OpenSecureChannelRequest(
            new RequestHeader(NodeId.Null, DateTime.UtcNow, sequence), 0, type, MessageSecurityMode.None, null, lifetime));
        var chunk = new byte[79 + body.Length];
        UaTcpHeader.Write(chunk, MessageTypes.Open, MessageTypes.Final, (uint)chunk.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(8), channelId);
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(12), 47);
        "http://opcfoundation.org/UA/SecurityPolicy#None"u8.CopyTo(chunk.AsSpan(16));
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(63), -1);
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(67), -1);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(71), sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(75), sequence);
        body.CopyTo(chunk, 79);
        return chunk;
    }

    /// <summary>Reads one whole message (header and body); null when the server closed the connection; 30 s at most.</summary>
    private static async Task<(uint Type, byte[] Message)?> ReadMessageAsync(NetworkStream stream)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        var header = new byte[8];
        if (await stream.ReadAtLeastAsync(header, 8, throwOnEndOfStream: false, bound.Token) < 8)
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4))];
        header.CopyTo(message, 0);
        await stream.ReadExactlyAsync(message.AsMemory(8), bound.Token);
        return (BinaryPrimitives.ReadUInt32LittleEndian(header) & 0xFFFFFF, message);
    }

    [Fact]
    public async Task Server_TokenNotRenewedWithinLifetimeAndSlack_ClosesTheChannel()
    {
        FakeTimeProvider time = new(DateTimeOffset.UtcNow);
        await using OpcUaServer server = new(new OpcUaServerOptions { Port = 0 }, time);
        await server.StartAsync(TestContext.Current.CancellationToken);
        using TcpClient tcp = new();
        await tcp.ConnectAsync("127.0.0.1", server.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Hello, TestContext.Current.CancellationToken);
        Assert.Equal(MessageTypes.Acknowledge, (await ReadMessageAsync(stream))!.Value.Type);

        // Issue with a 1 s lifetime (the server's minimum), then renew once inside lifetime + 25 %: the channel stays.
        await stream.WriteAsync(OpenChunk(0, 1, SecurityTokenRequestType.Issue, 1_000), TestContext.Current.CancellationToken);
        (var type, var issued) = (await ReadMessageAsync(stream))!.Value;
        Assert.Equal(MessageTypes.Open, type);
        var channelId = BinaryPrimitives.ReadUInt32LittleEndian(issued.AsSpan(8));
        time.Advance(TimeSpan.FromMilliseconds(1_200));
        await stream.WriteAsync(OpenChunk(channelId, 2, SecurityTokenRequestType.Renew, 1_000), TestContext.Current.CancellationToken);
        Assert.Equal(MessageTypes.Open, (await ReadMessageAsync(stream))!.Value.Type);

        // No renewal of the second token: 1 s + 25 % after it, the server says why and closes.
        time.Advance(TimeSpan.FromMilliseconds(1_251));
        var error = await ReadMessageAsync(stream);

        Assert.Equal(MessageTypes.Error, error!.Value.Type);
        Assert.Equal(StatusCode.BadSecureChannelClosed, ErrorMessage.Decode(error.Value.Message.AsSpan(8)).Error);
        Assert.Null(await ReadMessageAsync(stream));
    }
}

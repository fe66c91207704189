using System.Collections.Concurrent;
using System.Net.Sockets;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Transport;

/// <summary>
/// The client end of a secure channel: Hello/Acknowledge (OPC 10000-6 §7.1.3), OpenSecureChannel Issue, a receive loop
/// that matches responses to requests by RequestId, and token renewal at 75 % of the revised lifetime (§6.7.4).
/// </summary>
internal sealed class ClientSecureChannel : IAsyncDisposable
{
    private readonly UaSecureChannel _channel;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<IEncodeable>> _pending = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly uint _requestedLifetime;
    private readonly InboundMessageHandler _onMessage;
    private ITimer? _renewTimer;
    private Task? _receiveLoop;
    private int _requestId;
    private int _disposed;

    private ClientSecureChannel(UaSecureChannel channel, string endpointUrl, uint requestedLifetime, TimeProvider time)
    {
        _channel = channel;
        EndpointUrl = endpointUrl;
        _requestedLifetime = requestedLifetime;
        _time = time;
        _onMessage = OnMessage;
    }

    /// <summary>
    /// Reads a Publish response on the receive loop, straight from the receive buffer, and returns what stands for it;
    /// null leaves it to the ordinary decoder. Set by the session's owner before Publish requests are sent.
    /// </summary>
    public Func<ReadOnlySpan<byte>, EncodingLimits, IServiceResponse?>? PublishResponseReader { get; set; }

    public string EndpointUrl { get; }

    /// <summary>Completes when the channel has ended; the result is the fault, or null for a requested close.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public uint ChannelId => _channel.ChannelId;

    public uint TokenId => _channel.TokenId;

    public int TokenRenewals { get; private set; }

    public uint SendChunkSize => _channel.SendChunkSize;

    public uint PeerMaxMessageSize => _channel.PeerMaxMessageSize;

    public static (string Host, int Port) ParseEndpoint(string endpointUrl)
    {
        if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) || uri.Scheme != "opc.tcp")
        {
            throw new OpcUaException(StatusCode.BadTcpEndpointUrlInvalid, $"'{endpointUrl}' is not an opc.tcp URL.");
        }

        return (uri.Host, uri.Port < 0 ? 4840 : uri.Port);
    }

    /// <summary>
    /// Connects to <paramref name="endpointUrl"/> — or, with <paramref name="reverse"/>, takes the next server that dialled
    /// in with ReverseHello (OPC 10000-6 §7.1.3) — then says Hello and opens the secure channel.
    /// </summary>
    public static async Task<ClientSecureChannel> OpenAsync(string endpointUrl, TransportLimits limits, uint requestedLifetimeMs, TimeProvider time, CancellationToken cancellationToken, ChannelSecurity? security = null, ReverseConnectListener? reverse = null)
    {
        (var host, var port) = ParseEndpoint(endpointUrl);
        Socket socket;
        if (reverse is not null)
        {
            (socket, _) = await reverse.AcceptAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            socket = new(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        UaSecureChannel channel = new(socket, limits) { Security = security };
        ClientSecureChannel client = new(channel, endpointUrl, requestedLifetimeMs, time);
        try
        {
            await client.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var limits = _channel.LocalLimits;
        HelloMessage hello = new(0, limits.ReceiveBufferSize, limits.SendBufferSize, limits.MaxMessageSize, limits.MaxChunkCount, EndpointUrl);
        await _channel.SendRawAsync(UaTcpMessageWriter.Build(MessageTypes.Hello, hello.Encode), cancellationToken).ConfigureAwait(false);
        (UaTcpHeader Header, byte[] Chunk)? reply = await _channel.ReadChunkAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new OpcUaException(StatusCode.BadConnectionClosed, "Server closed the connection after Hello.");
        if (reply.Value.Header.MessageType == MessageTypes.Error)
        {
            var error = ErrorMessage.Decode(reply.Value.Chunk.AsSpan(UaTcpHeader.Size));
            throw new OpcUaException(error.Error, $"Server refused Hello: {error.Reason}");
        }

        if (reply.Value.Header.MessageType != MessageTypes.Acknowledge)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, "Expected Acknowledge.");
        }

        var ack = AcknowledgeMessage.Decode(reply.Value.Chunk.AsSpan(UaTcpHeader.Size));
        if (ack.ReceiveBufferSize < TransportLimits.MinBufferSize || ack.SendBufferSize < TransportLimits.MinBufferSize)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpNotEnoughResources, "Server offered buffers below 8192 bytes.");
        }

        // §7.1.2.4: the server's ReceiveBufferSize bounds our chunks; its SendBufferSize bounds what it sends us.
        _channel.SendChunkSize = Math.Min(ack.ReceiveBufferSize, limits.SendBufferSize);
        _channel.ReceiveChunkSize = Math.Min(limits.ReceiveBufferSize, Math.Max(ack.SendBufferSize, TransportLimits.MinBufferSize));
        _channel.PeerMaxMessageSize = ack.MaxMessageSize;
        _channel.PeerMaxChunkCount = ack.MaxChunkCount;

        var requestId = NextRequestId();
        _clientNonce = _channel.Security?.NewNonce() ?? [];
        OpenSecureChannelRequest open = new(new RequestHeader(NodeId.Null, _time.GetUtcNow().UtcDateTime, requestId, TimeoutHint: 10000), 0, SecurityTokenRequestType.Issue, Mode, _clientNonce, _requestedLifetime);
        await _channel.SendMessageAsync(MessageTypes.Open, requestId, open, false, cancellationToken).ConfigureAwait(false);
        var message = await _channel.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new OpcUaException(StatusCode.BadConnectionClosed, "Server closed the connection after OpenSecureChannel.");
        var response = EncodeableTypes.DecodeMessage(message.Body, _channel.EncodingLimits);
        if (response is not OpenSecureChannelResponse opened)
        {
            throw new OpcUaException(UaSecureChannel.ServiceResultOf(response), "OpenSecureChannel failed.");
        }

        ApplyToken(opened.SecurityToken, opened.ServerNonce);
        _receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    private MessageSecurityMode Mode => _channel.Security?.Mode ?? MessageSecurityMode.None;

    public ChannelSecurity? Security => _channel.Security;

    private byte[] _clientNonce = [];

    private void ApplyToken(ChannelSecurityToken token, byte[]? serverNonce)
    {
        if (_channel.Security is { } security)
        {
            if (serverNonce is null || serverNonce.Length != security.Policy.NonceLength)
            {
                throw new OpcUaProtocolException(StatusCode.BadNonceInvalid, "Server nonce has the wrong length.");
            }

            security.InstallToken(token.TokenId, _clientNonce, serverNonce);
        }

        _channel.ChannelId = token.ChannelId;
        _channel.PreviousTokenId = _channel.TokenId;
        _channel.TokenId = token.TokenId;
        _channel.SendTokenId = token.TokenId;
        var lifetime = Math.Max(token.RevisedLifetime, 1000);
        _renewTimer?.Dispose();
        _renewTimer = _time.CreateTimer(static state => _ = ((ClientSecureChannel)state!).RenewAsync(), this, TimeSpan.FromMilliseconds(lifetime * 0.75), Timeout.InfiniteTimeSpan);
    }

    private async Task RenewAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            var requestId = NextRequestId();
            TaskCompletionSource<IEncodeable> pending = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[requestId] = pending;
            _clientNonce = _channel.Security?.NewNonce() ?? [];
            OpenSecureChannelRequest renew = new(new RequestHeader(NodeId.Null, _time.GetUtcNow().UtcDateTime, requestId, TimeoutHint: 10000), 0, SecurityTokenRequestType.Renew, Mode, _clientNonce, _requestedLifetime);
            await _channel.SendMessageAsync(MessageTypes.Open, requestId, renew, false, _stopping.Token).ConfigureAwait(false);
            await pending.Task.WaitAsync(TimeSpan.FromSeconds(10), _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpcUaException or IOException or SocketException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            Fail(ex);
        }
    }

    private uint NextRequestId() => (uint)Interlocked.Increment(ref _requestId);

    /// <summary>Sends a request and waits for its response; a ServiceFault or a bad ServiceResult throws <see cref="OpcUaException"/>.</summary>
    public async Task<TResponse> RequestAsync<TResponse>(IServiceRequest request, TimeSpan timeout, CancellationToken cancellationToken)
        where TResponse : IServiceResponse
    {
        if (_closed.Task.IsCompleted)
        {
            throw new OpcUaException(StatusCode.BadSecureChannelClosed, "The secure channel is closed.");
        }

        var requestId = NextRequestId();
        TaskCompletionSource<IEncodeable> pending = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = pending;
        try
        {
            await _channel.SendMessageAsync(MessageTypes.Message, requestId, request, false, cancellationToken).ConfigureAwait(false);
            var response = await pending.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            if (response is ServiceFault fault)
            {
                throw new OpcUaException(fault.ResponseHeader.ServiceResult, $"{request.GetType().Name} failed.");
            }

            if (response is not TResponse typed)
            {
                throw new OpcUaException(StatusCode.BadUnknownResponse, $"Unexpected response {response.GetType().Name} to {request.GetType().Name}.");
            }

            if (typed.ResponseHeader.ServiceResult.IsBad)
            {
                throw new OpcUaException(typed.ResponseHeader.ServiceResult, $"{request.GetType().Name} failed.");
            }

            return typed;
        }
        catch (TimeoutException ex)
        {
            throw new OpcUaException(StatusCode.BadTimeout, $"{request.GetType().Name} timed out.", ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            throw new OpcUaException(StatusCode.BadConnectionClosed, "The connection was lost.", ex);
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? fault = null;
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (!await _channel.ReceiveMessageAsync(_onMessage, _stopping.Token).ConfigureAwait(false))
                {
                    fault = new OpcUaException(StatusCode.BadConnectionClosed, "The server closed the connection.");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (OpcUaProtocolException ex)
        {
            fault = ex;
            await _channel.SendErrorAndCloseAsync(ex.StatusCode, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpcUaException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            fault = ex;
        }

        Fail(fault);
    }

    /// <summary>The PublishResponse type id in the four-byte NodeId form that servers send (OPC 10000-6 §5.2.2.9): 0x01, namespace 0, UInt16 id.</summary>
    private static ReadOnlySpan<byte> PublishResponseTypeId =>
        [0x01, 0x00, (byte)(BinaryEncodingIds.PublishResponse_Encoding_DefaultBinary & 0xFF), (byte)(BinaryEncodingIds.PublishResponse_Encoding_DefaultBinary >> 8)];

    /// <summary>A message on the receive loop, its body still in the receive buffer.</summary>
    private void OnMessage(uint messageType, uint requestId, uint tokenId, ReadOnlySpan<byte> body)
    {
        IServiceResponse? read = null;
        if (PublishResponseReader is { } reader && body.StartsWith(PublishResponseTypeId))
        {
            read = reader(body, _channel.EncodingLimits);
        }

        var response = read ?? EncodeableTypes.DecodeMessage(body, _channel.EncodingLimits);
        if (response is OpenSecureChannelResponse renewed)
        {
            ApplyToken(renewed.SecurityToken, renewed.ServerNonce);
            TokenRenewals++;
        }

        if (_pending.TryRemove(requestId, out var pending))
        {
            pending.TrySetResult(response);
        }
    }

    /// <summary>Ends the channel as failed (the owner found its session lost); <see cref="Closed"/> completes with the fault.</summary>
    public void Abort(Exception fault) => Fail(fault);

    private void Fail(Exception? fault)
    {
        if (!_closed.TrySetResult(fault))
        {
            return;
        }

        _renewTimer?.Dispose();
        var reason = fault ?? new OpcUaException(StatusCode.BadSecureChannelClosed, "The secure channel was closed.");
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(reason is OpcUaException ? reason : new OpcUaException(StatusCode.BadConnectionClosed, "The connection was lost.", reason));
        }

        _ = _channel.DisposeAsync().AsTask();
    }

    /// <summary>Sends CloseSecureChannel (§6.7.5) and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_closed.Task.IsCompleted)
        {
            try
            {
                using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(2));
                await _channel.SendMessageAsync(MessageTypes.Close, NextRequestId(), new CloseSecureChannelRequest(new RequestHeader(NodeId.Null, _time.GetUtcNow().UtcDateTime, 0)), false, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OpcUaException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Fail(null);
        await _channel.DisposeAsync().ConfigureAwait(false);
        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}

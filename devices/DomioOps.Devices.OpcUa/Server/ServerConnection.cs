using System.Net.Sockets;

using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// The server end of one connection: Hello → Acknowledge (OPC 10000-6 §7.1.3), OpenSecureChannel Issue/Renew (§6.7.4),
/// then service requests dispatched to <see cref="OpcUaServer"/>. Any protocol violation answers with an Error message
/// and closes the connection.
/// </summary>
internal sealed class ServerConnection : IAsyncDisposable
{
    private readonly UaSecureChannel _channel;
    private readonly OpcUaServer _server;
    private readonly Lock _expiryGate = new();
    private ITimer? _expiry;
    private bool _opened;

    public ServerConnection(Socket socket, OpcUaServer server)
    {
        _server = server;
        _channel = new UaSecureChannel(socket, server.Options.TransportLimits)
        {
            IsServer = true,
            AllowNone = server.Options.Endpoints.Any(e => e.Mode == MessageSecurityMode.None),
            AcceptAsymmetric = (policy, certificate, _) => server.AcceptChannel(policy, certificate),
        };
    }

    public ChannelSecurity? Security => _channel.Security;

    public bool IsClosed => _channel.IsDisposed;

    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    public uint ChannelId => _channel.ChannelId;

    /// <summary>Serves the connection; with <paramref name="reverseHello"/> (a connection we dialled) that is sent first.</summary>
    public async Task RunAsync(CancellationToken cancellationToken, ReverseHelloMessage? reverseHello = null)
    {
        try
        {
            if (reverseHello is not null)
            {
                await _channel.SendRawAsync(UaTcpMessageWriter.Build(MessageTypes.ReverseHello, reverseHello.Encode), cancellationToken).ConfigureAwait(false);
            }

            await AcceptHelloAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                var message = await _channel.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
                if (message is null)
                {
                    break;
                }

                if (message.Value.MessageType == MessageTypes.Close)
                {
                    break;
                }

                var decoded = EncodeableTypes.DecodeMessage(message.Value.Body, _channel.EncodingLimits);
                if (message.Value.MessageType == MessageTypes.Open)
                {
                    await OpenAsync(message.Value.RequestId, decoded, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!_opened)
                {
                    throw new OpcUaProtocolException(StatusCode.BadTcpSecureChannelUnknown, "Message before OpenSecureChannel.");
                }

                if (decoded is not IServiceRequest request)
                {
                    throw new OpcUaProtocolException(StatusCode.BadServiceUnsupported, $"{decoded.GetType().Name} is not a request.");
                }

                var requestId = message.Value.RequestId;
                _ = Task.Run(() => ProcessAsync(requestId, request), CancellationToken.None);
            }
        }
        catch (OpcUaProtocolException ex)
        {
            await _channel.SendErrorAndCloseAsync(ex.StatusCode, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _channel.SendErrorAndCloseAsync(StatusCode.BadShutdown, "Server is shutting down.").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpcUaException or IOException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }
        catch (InvalidOperationException) when (_channel.IsDisposed)
        {
            // The channel was closed under the receive loop (an expired token): its pipe refuses further reads.
        }
        finally
        {
            lock (_expiryGate)
            {
                _expiry?.Dispose();
                _expiry = null;
            }

            await _channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// OPC 10000-6 §6.7.4: a token stays valid for its revised lifetime; a client that has not renewed it by then (plus 25 %
    /// slack for a renewal on its way) loses the channel. Its sessions stay until their own timeout, for another channel.
    /// </summary>
    private void ArmExpiry(uint lifetime)
    {
        lock (_expiryGate)
        {
            _expiry?.Dispose();
            _expiry = _server.Time.CreateTimer(_ => Expire(), null, TimeSpan.FromMilliseconds(lifetime * 1.25), Timeout.InfiniteTimeSpan);
        }
    }

    private void Expire() =>
        _ = _channel.SendErrorAndCloseAsync(StatusCode.BadSecureChannelClosed, "The security token expired without renewal.").AsTask();

    private async Task AcceptHelloAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_server.Options.HelloTimeout);
        (UaTcpHeader Header, byte[] Chunk)? first;
        try
        {
            first = await _channel.ReadChunkAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpcUaProtocolException(StatusCode.BadTimeout, "No Hello received in time.");
        }

        if (first is null)
        {
            throw new OpcUaException(StatusCode.BadConnectionClosed, "Closed before Hello.");
        }

        if (first.Value.Header.MessageType != MessageTypes.Hello)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, "The first message must be Hello.");
        }

        var hello = HelloMessage.Decode(first.Value.Chunk.AsSpan(UaTcpHeader.Size));
        if (hello.ReceiveBufferSize < TransportLimits.MinBufferSize || hello.SendBufferSize < TransportLimits.MinBufferSize)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpNotEnoughResources, "Buffers below 8192 bytes.");
        }

        var ours = _server.Options.TransportLimits;
        var receive = Math.Min(ours.ReceiveBufferSize, hello.SendBufferSize);
        var send = Math.Min(ours.SendBufferSize, hello.ReceiveBufferSize);
        _channel.ReceiveChunkSize = receive;
        _channel.SendChunkSize = send;
        _channel.PeerMaxMessageSize = hello.MaxMessageSize;
        _channel.PeerMaxChunkCount = hello.MaxChunkCount;
        AcknowledgeMessage ack = new(0, receive, send, ours.MaxMessageSize, ours.MaxChunkCount);
        await _channel.SendRawAsync(UaTcpMessageWriter.Build(MessageTypes.Acknowledge, ack.Encode), cancellationToken).ConfigureAwait(false);
    }

    private async Task OpenAsync(uint requestId, IEncodeable decoded, CancellationToken cancellationToken)
    {
        if (decoded is not OpenSecureChannelRequest open)
        {
            throw new OpcUaProtocolException(StatusCode.BadTcpMessageTypeInvalid, "OPN must carry OpenSecureChannelRequest.");
        }

        var security = _channel.Security;
        var policyUri = security?.Policy.Uri ?? UaSecureChannel.SecurityPolicyNone;
        if (!_server.Options.Endpoints.Any(e => e.PolicyUri == policyUri && e.Mode == open.SecurityMode) || (security is not null && _opened && security.Mode != open.SecurityMode))
        {
            throw new OpcUaProtocolException(StatusCode.BadSecurityModeRejected, $"SecurityMode {open.SecurityMode} with {policyUri} is not offered.");
        }

        if (security is not null && (open.ClientNonce is null || open.ClientNonce.Length != security.Policy.NonceLength))
        {
            throw new OpcUaProtocolException(StatusCode.BadNonceInvalid, "Client nonce has the wrong length.");
        }

        if (security is not null && !_opened)
        {
            _channel.Security = security = new ChannelSecurity(security.Policy, open.SecurityMode, security.LocalCertificate, security.RemoteCertificate);
        }

        if (open.RequestType == SecurityTokenRequestType.Issue)
        {
            if (_opened)
            {
                throw new OpcUaProtocolException(StatusCode.BadTcpSecureChannelUnknown, "Issue on an open channel.");
            }

            _channel.ChannelId = _server.NextChannelId();
            _channel.TokenId = 1;
            _channel.SendTokenId = 1;
            _opened = true;
        }
        else
        {
            if (!_opened)
            {
                throw new OpcUaProtocolException(StatusCode.BadTcpSecureChannelUnknown, "Renew before Issue.");
            }

            _channel.PreviousTokenId = _channel.TokenId;
            _channel.TokenId++;
        }

        var now = _server.Time.GetUtcNow().UtcDateTime;
        // One second at least: short enough to test renewal in real time, long enough that renewal is not a load.
        var lifetime = Math.Clamp(open.RequestedLifetime, 1_000u, 3_600_000u);
        var serverNonce = security?.NewNonce() ?? [];
        security?.InstallToken(_channel.TokenId, serverNonce, open.ClientNonce!);
        OpenSecureChannelResponse response = new(ResponseHeader.For(open.RequestHeader, now), 0, new ChannelSecurityToken(_channel.ChannelId, _channel.TokenId, now, lifetime), serverNonce);
        // The lifetime runs from the token's creation, so the expiry is armed before the client can see the token.
        ArmExpiry(lifetime);
        await _channel.SendMessageAsync(MessageTypes.Open, requestId, response, true, cancellationToken).ConfigureAwait(false);
    }

    private async Task ProcessAsync(uint requestId, IServiceRequest request)
    {
        IServiceResponse? response;
        try
        {
            response = _server.Handle(this, requestId, request);
        }
        catch (OpcUaException ex)
        {
            response = new ServiceFault(ResponseHeader.For(request.RequestHeader, _server.Time.GetUtcNow().UtcDateTime, ex.StatusCode));
        }

        if (response is not null)
        {
            await SendResponseAsync(requestId, response).ConfigureAwait(false);
        }
    }

    public void SendResponseInBackground(uint requestId, IServiceResponse response) => _ = SendResponseAsync(requestId, response);

    private async Task SendResponseAsync(uint requestId, IServiceResponse response)
    {
        try
        {
            var fault = _server.Fault?.Invoke() ?? default;
            if (fault.Delay > TimeSpan.Zero)
            {
                await Task.Delay(fault.Delay).ConfigureAwait(false);
            }

            switch (fault.Kind)
            {
                case OpcUaServerFaultKind.NoAnswer:
                    return;
                case OpcUaServerFaultKind.Disconnect:
                    await _channel.DisposeAsync().ConfigureAwait(false);
                    return;
                case OpcUaServerFaultKind.Garbage:
                    var garbage = new byte[64];
                    Random.Shared.NextBytes(garbage);
                    await _channel.SendRawAsync(garbage, CancellationToken.None).ConfigureAwait(false);
                    return;
                case OpcUaServerFaultKind.ServiceFault:
                    response = new ServiceFault(new ResponseHeader(_server.Time.GetUtcNow().UtcDateTime, response.ResponseHeader.RequestHandle, fault.Status));
                    break;
                default:
                    break;
            }

            await _channel.SendMessageAsync(MessageTypes.Message, requestId, response, true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadResponseTooLarge)
        {
            ServiceFault fault = new(new ResponseHeader(_server.Time.GetUtcNow().UtcDateTime, response.ResponseHeader.RequestHandle, StatusCode.BadResponseTooLarge));
            await SendResponseAsync(requestId, fault).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}

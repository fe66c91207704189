using System.Security.Cryptography.X509Certificates;

using DomioOps.Devices.OpcUa.Security;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

using Microsoft.Extensions.Logging;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>
/// Connecting and healing: discovery of a secured endpoint, the secure channel and the session it carries, and after a lost
/// connection the reconnect loop that reopens the channel, reactivates the session or creates a new one, and brings the
/// subscriptions back.
/// </summary>
public sealed partial class OpcUaClient
{
    private X509Certificate2? _ownCertificate;
    private byte[]? _serverNonce;
    private byte[]? _serverCertificate;

    /// <summary>Opens the channel, creates and activates the session and reads the server's operation limits.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (Options.ReverseConnectUrl is not null)
        {
            _reverse ??= new ReverseConnectListener(Options.ReverseConnectUrl, Options.ReverseConnectServerUri);
        }

        await EstablishAsync(reuseSession: false, cancellationToken).ConfigureAwait(false);
        SetState(ConnectionState.Connected);
    }

    private void SetState(ConnectionState state)
    {
        State = state;
        StateChanged?.Invoke(this, state);
    }

    /// <summary>GetEndpoints (OPC 10000-4 §5.4.4): the endpoints the server offers.</summary>
    public async Task<IReadOnlyList<EndpointDescription>> GetEndpointsAsync(CancellationToken cancellationToken)
    {
        var response = await RequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(Header(NodeId.Null), Options.EndpointUrl, [], []), cancellationToken).ConfigureAwait(false);
        return response.Endpoints;
    }

    /// <summary>For a secured policy: the endpoint (with the server certificate) comes from GetEndpoints on a None channel.</summary>
    private async Task<(EndpointDescription Endpoint, ChannelSecurity? Security)> DiscoverAsync(CancellationToken cancellationToken)
    {
        var policy = SecurityPolicy.FromUri(Options.SecurityPolicyUri)!;
        if (policy.IsNone)
        {
            return (null!, null);
        }

        _ownCertificate ??= Options.Certificates!.LoadOrCreateApplicationCertificate(Options.ApplicationUri, Options.ApplicationName);
        await using var discovery = await ClientSecureChannel.OpenAsync(Options.EndpointUrl, Options.TransportLimits, Options.SecureChannelLifetime, _time, cancellationToken, reverse: _reverse).ConfigureAwait(false);
        var endpoints = await discovery.RequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(Header(NodeId.Null), Options.EndpointUrl, [], []), Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        var endpoint = endpoints.Endpoints.FirstOrDefault(e => e.SecurityMode == Options.SecurityMode && e.SecurityPolicyUri == policy.Uri)
            ?? throw new OpcUaException(StatusCode.BadSecurityPolicyRejected, $"The server offers no endpoint with {policy.Uri} and {Options.SecurityMode}.");
        var serverCertificate = X509CertificateLoader.LoadCertificate(endpoint.ServerCertificate.Span);
        try
        {
            Options.Certificates!.Validate(serverCertificate);
        }
        catch (OpcUaException ex)
        {
            LogServerCertificateRejected(_logger, Options.EndpointUrl, serverCertificate.Subject, ex.StatusCode, ex.Message);
            throw;
        }

        return (endpoint, new ChannelSecurity(policy, Options.SecurityMode, _ownCertificate, serverCertificate));
    }

    private async Task EstablishAsync(bool reuseSession, CancellationToken cancellationToken)
    {
        (var securedEndpoint, var security) = await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        var channel = await ClientSecureChannel.OpenAsync(Options.EndpointUrl, Options.TransportLimits, Options.SecureChannelLifetime, _time, cancellationToken, security, _reverse).ConfigureAwait(false);
        channel.PublishResponseReader = _publishResponseReader;
        try
        {
            _channel = channel;
            var endpoint = securedEndpoint ?? (await Channel.RequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(Header(NodeId.Null), Options.EndpointUrl, [], []), Options.RequestTimeout, cancellationToken).ConfigureAwait(false))
                .Endpoints.FirstOrDefault(e => e.SecurityMode == MessageSecurityMode.None && e.SecurityPolicyUri == SecurityPolicy.NoneUri)
                ?? throw new OpcUaException(StatusCode.BadSecurityPolicyRejected, "The server offers no endpoint with SecurityPolicy None.");

            var reactivated = false;
            var hadSession = !_authenticationToken.IsNull;
            if (reuseSession && hadSession)
            {
                try
                {
                    await ActivateAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    reactivated = true;
                }
                catch (OpcUaException ex) when (ex.StatusCode != StatusCode.BadConnectionClosed && ex.StatusCode != StatusCode.BadTimeout)
                {
                    _authenticationToken = NodeId.Null;
                }
            }

            if (!reactivated)
            {
                ApplicationDescription client = new(Options.ApplicationUri, "urn:domioops:opcua", new LocalizedText(Options.ApplicationName), ApplicationType.Client);
                var clientNonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
                CreateSessionRequest create = new(Header(NodeId.Null), client, null, Options.EndpointUrl, Options.SessionName, clientNonce, security?.LocalCertificate.RawData, Options.SessionTimeout, Options.TransportLimits.MaxMessageSize);
                var created = await Channel.RequestAsync<CreateSessionResponse>(create, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                if (security is not null && !security.VerifyProof(created.ServerSignature, security.LocalCertificate.RawData, clientNonce))
                {
                    throw new OpcUaException(StatusCode.BadSecurityChecksFailed, "The server signature in CreateSession is invalid.");
                }

                _authenticationToken = created.AuthenticationToken;
                _serverNonce = created.ServerNonce;
                _serverCertificate = created.ServerCertificate;
                SessionId = created.SessionId;
                await ActivateAsync(endpoint, cancellationToken).ConfigureAwait(false);
                if (hadSession)
                {
                    SessionRecreations++;
                    OpcUaMetrics.SessionRecreations.Add(1);
                    LogSessionRecreated(_logger, Options.EndpointUrl, SessionId);
                }
            }

            await ReadServerFactsAsync(cancellationToken).ConfigureAwait(false);
            if (!reactivated)
            {
                await TransferSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var subscription in Subscriptions)
            {
                if (subscription.Id == 0)
                {
                    try
                    {
                        await RecreateSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadTooManySubscriptions)
                    {
                        // Beyond the server's MaxSubscriptionsPerSession: the others still come back; this one waits for the next session.
                    }
                }
            }

            _ = channel.Closed.ContinueWith(t => OnChannelClosed(channel, t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            RestartPublishing();
        }
        catch
        {
            if (_channel == channel)
            {
                _channel = null;
            }

            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void OnChannelClosed(ClientSecureChannel channel, Exception? fault)
    {
        if (_disposing.IsCancellationRequested || channel != _channel || fault is null)
        {
            return;
        }

        if (!Options.AutoReconnect)
        {
            SetState(ConnectionState.Disconnected);
            return;
        }

        lock (_gate)
        {
            if (_reconnectTask is { IsCompleted: false })
            {
                return;
            }

            _reconnectTask = Task.Run(ReconnectLoopAsync);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        SetState(ConnectionState.Reconnecting);
        _publishing.Stop();
        var delay = Options.ReconnectDelay;
        while (!_disposing.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _time, _disposing.Token).ConfigureAwait(false);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
                attempt.CancelAfter(Options.RequestTimeout * 2);
                await EstablishAsync(reuseSession: true, attempt.Token).ConfigureAwait(false);
                Reconnects++;
                OpcUaMetrics.Reconnects.Add(1);
                LogReconnected(_logger, Options.EndpointUrl, Reconnects);
                SetState(ConnectionState.Connected);
                return;
            }
            catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is OpcUaException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException)
            {
                LogReconnectFailed(_logger, Options.EndpointUrl, ex.Message);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.MaxReconnectDelay.Ticks));
            }
        }
    }

    private static bool IsConnectionLost(StatusCode status) =>
        status == StatusCode.BadConnectionClosed || status == StatusCode.BadSecureChannelClosed || status == StatusCode.BadTimeout;

    internal static bool IsSessionLost(StatusCode status) =>
        status == StatusCode.BadSessionIdInvalid || status == StatusCode.BadSessionClosed || status == StatusCode.BadSessionNotActivated;

    [LoggerMessage(Level = LogLevel.Warning, Message = "OPC UA server {Endpoint}: certificate {Subject} rejected ({Status}): {Reason}")]
    private static partial void LogServerCertificateRejected(ILogger logger, string endpoint, string subject, StatusCode status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "OPC UA server {Endpoint}: reconnected (reconnect {Count})")]
    private static partial void LogReconnected(ILogger logger, string endpoint, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "OPC UA server {Endpoint}: reconnect attempt failed: {Reason}")]
    private static partial void LogReconnectFailed(ILogger logger, string endpoint, string reason);
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

using Microsoft.Extensions.Logging;

using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The embedded broker's TCP listener, in place of MQTTnet's own so that limits hold before anyone is authenticated:
/// at most <see cref="BrokerOptions.MaxConnections"/> connections, a TLS handshake within
/// <see cref="BrokerOptions.ConnectTimeout"/>, and packets bounded by <see cref="MqttPacketLimit"/>. With TLS configured
/// it listens only with TLS (<see cref="BrokerOptions.TlsPort"/>); otherwise in clear on <see cref="BrokerOptions.Port"/>.
/// </summary>
internal sealed partial class BrokerListener(BrokerOptions options, X509Certificate2? certificate, ILogger logger) : IMqttServerAdapter
{
    /// <summary>CONNECT carries a client id, a user name, a password, a will and properties: a few hundred bytes.</summary>
    public const int MaxConnectBytes = 4096;

    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _connections;
    private int _disposed;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>Connections open now, authenticated or not.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The largest packet after CONNECT: the largest telemetry payload plus room for the topic and properties.</summary>
    public int MaxPacketBytes => options.MaxPayloadBytes + 64 * 1024;

    public Task StartAsync(MqttServerOptions serverOptions, IMqttNetLogger rootLogger)
    {
        var address = IPAddress.Parse(options.Address);
        var port = options.TlsPort ?? options.Port;
        // The address given, and its IPv6 twin when it is loopback or any: never wider than what was asked for.
        IPAddress[] addresses = address.Equals(IPAddress.Loopback) ? [address, IPAddress.IPv6Loopback]
            : address.Equals(IPAddress.Any) ? [address, IPAddress.IPv6Any]
            : [address];
        foreach (var local in addresses)
        {
            var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (local.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = false;
                }

                socket.Bind(new IPEndPoint(local, port));
                socket.Listen(512);
            }
            catch (SocketException e) when (local.AddressFamily == AddressFamily.InterNetworkV6 && !ReferenceEquals(local, address))
            {
                // A host without IPv6: the IPv4 listener is enough.
                socket.Dispose();
                LogNoIPv6(local, e.Message);
                continue;
            }

            _listeners.Add(socket);
            _ = AcceptAsync(socket, serverOptions, rootLogger);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        foreach (var socket in _listeners)
        {
            socket.Dispose();
        }

        _listeners.Clear();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        foreach (var socket in _listeners)
        {
            socket.Dispose();
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync(Socket listener, MqttServerOptions serverOptions, IMqttNetLogger rootLogger)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(e.Message);
                continue;
            }

            if (Interlocked.Increment(ref _connections) > options.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                LogTooManyConnections(client.RemoteEndPoint, options.MaxConnections);
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => HandleAsync(client, serverOptions, rootLogger));
        }
    }

    private async Task HandleAsync(Socket client, MqttServerOptions serverOptions, IMqttNetLogger rootLogger)
    {
        var remote = client.RemoteEndPoint;
        Stream stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            client.NoDelay = true;
            if (certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                handshake.CancelAfter(options.ConnectTimeout);
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificate = certificate,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                    },
                    handshake.Token);
            }

            if (ClientHandler is { } handler)
            {
                var channel = new MqttPacketLimit(new MqttTcpChannel(stream, client.LocalEndPoint, remote, null), MaxConnectBytes, MaxPacketBytes);
                using var adapter = new MqttChannelAdapter(channel, new MqttPacketFormatterAdapter(new MQTTnet.Formatter.MqttBufferWriter(serverOptions.WriterBufferSize, serverOptions.WriterBufferSizeMax)), rootLogger);
                await handler(adapter);
            }
        }
        catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            LogConnectionFailed(remote, e.Message);
        }
        finally
        {
            await stream.DisposeAsync();
            Interlocked.Decrement(ref _connections);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an MQTT connection from {Remote}: {Limit} connections are open (Broker:MaxConnections)")]
    private partial void LogTooManyConnections(EndPoint? remote, int limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT connection from {Remote} ended: {Reason}")]
    private partial void LogConnectionFailed(EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting an MQTT connection failed: {Reason}")]
    private partial void LogAcceptFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No MQTT listener on {Address}: {Reason}")]
    private partial void LogNoIPv6(IPAddress address, string reason);
}

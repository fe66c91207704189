using System.Net;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using MQTTnet.Server;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The single-node MQTT 5 broker (MQTTnet) inside the cloud host. Telemetry is committed inside the publish
/// interceptor, so the PUBACK an edge receives means "durable in the cloud" (MQTT 5 §3.4: the reason code of
/// the PUBACK carries our verdict).
/// </summary>
internal sealed partial class EmbeddedBroker(
    IOptions<BrokerOptions> options,
    TelemetryIngestion ingestion,
    ILogger<EmbeddedBroker> logger) : IHostedService, IAsyncDisposable
{
    private MqttServer? server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.Address);
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.IsLoopback(address) ? IPAddress.IPv6Loopback : IPAddress.IPv6Any)
            .WithDefaultEndpointPort(o.Port)
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(10_000)
            .Build();
        server = new MqttServerFactory().CreateMqttServer(serverOptions);
        server.InterceptingPublishAsync += async e =>
        {
            e.Response.ReasonCode = await ingestion.AcceptAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, e.CancellationToken);
            e.ProcessPublish = e.Response.ReasonCode == MQTTnet.Protocol.MqttPubAckReasonCode.Success;
        };
        await server.StartAsync();
        LogStarted(o.Address, o.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (server is { IsStarted: true })
        {
            await server.StopAsync(new MqttServerStopOptions());
        }
    }

    public ValueTask DisposeAsync()
    {
        server?.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker listening on {Address}:{Port}")]
    private partial void LogStarted(string address, int port);
}

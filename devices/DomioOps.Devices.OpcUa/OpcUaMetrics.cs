using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DomioOps.Devices.OpcUa;

/// <summary>
/// The library's instruments on the Meter <c>DomioOps.Devices.OpcUa</c> (System.Diagnostics.Metrics). Transport counters
/// carry the tag <c>opcua.role</c> = <c>client</c> or <c>server</c>:
/// <list type="table">
/// <item><term>opcua.messages.sent / opcua.messages.received</term><description>secure conversation messages (MSG, OPN, CLO)</description></item>
/// <item><term>opcua.bytes.sent / opcua.bytes.received</term><description>bytes on the wire, all chunks and connection messages</description></item>
/// <item><term>opcua.client.notifications.received</term><description>monitored item values delivered to subscriptions</description></item>
/// <item><term>opcua.client.notification_messages.lost</term><description>NotificationMessages whose sequence numbers were skipped: not received within the gap timeout and not available for Republish</description></item>
/// <item><term>opcua.client.reconnects</term><description>connections re-established after a loss</description></item>
/// <item><term>opcua.client.session.recreations</term><description>new sessions because the server no longer knew the old one</description></item>
/// <item><term>opcua.client.subscription.transfers</term><description>subscriptions taken over with TransferSubscriptions (tag <c>opcua.result</c> = transferred or recreated)</description></item>
/// <item><term>opcua.client.publish.duration</term><description>histogram of Publish round trips in ms (request sent to response received, including the server's wait for data)</description></item>
/// </list>
/// </summary>
public static class OpcUaMetrics
{
    /// <summary>The Meter name to subscribe to (e.g. OpenTelemetry <c>AddMeter("DomioOps.Devices.OpcUa")</c>).</summary>
    public const string MeterName = "DomioOps.Devices.OpcUa";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("opcua.messages.sent", "{message}");
    internal static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>("opcua.messages.received", "{message}");
    internal static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("opcua.bytes.sent", "By");
    internal static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("opcua.bytes.received", "By");
    internal static readonly Counter<long> NotificationsReceived = Meter.CreateCounter<long>("opcua.client.notifications.received", "{notification}");
    internal static readonly Counter<long> NotificationMessagesLost = Meter.CreateCounter<long>("opcua.client.notification_messages.lost", "{message}");
    internal static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("opcua.client.reconnects", "{reconnect}");
    internal static readonly Counter<long> SessionRecreations = Meter.CreateCounter<long>("opcua.client.session.recreations", "{session}");
    internal static readonly Counter<long> SubscriptionTransfers = Meter.CreateCounter<long>("opcua.client.subscription.transfers", "{subscription}");
    internal static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>("opcua.client.publish.duration", "ms");

    internal static KeyValuePair<string, object?> Role(bool server) => new("opcua.role", server ? "server" : "client");

    internal static KeyValuePair<string, object?> Result(bool transferred) => new("opcua.result", transferred ? "transferred" : "recreated");

    internal static double ElapsedMs(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}

using Google.Protobuf;

using MQTTnet;
using MQTTnet.Protocol;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>What an MQTT client receives on one topic, parsed into a channel: the commands an edge gets.</summary>
internal static class CommandSubscription
{
    /// <summary>Subscribes <paramref name="client"/> to <paramref name="topic"/> at QoS 1 (which must be granted) and listens on it.</summary>
    public static async Task<System.Threading.Channels.Channel<T>> SubscribeAsync<T>(IMqttClient client, string topic, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var received = Listen(client, topic, parser);
        var result = await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
        return received;
    }

    /// <summary>What arrives on <paramref name="topic"/> (by a subscription made now or kept by the session), parsed into the channel.</summary>
    public static System.Threading.Channels.Channel<T> Listen<T>(IMqttClient client, string topic, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var received = System.Threading.Channels.Channel.CreateUnbounded<T>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == topic)
            {
                received.Writer.TryWrite(parser.ParseFrom(e.ApplicationMessage.Payload));
            }

            return Task.CompletedTask;
        };
        return received;
    }
}

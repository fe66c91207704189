namespace DomioOps.Edge.Publishing;

/// <summary>Whose word removes a published sample from the durable queue (<c>Edge:Publishing:Acknowledgement</c>).</summary>
public enum Acknowledgement
{
    /// <summary>
    /// The cloud's acknowledgement on <c>cmd/ack</c>: its committed, contiguous high-water mark. A sample leaves the
    /// queue only once it is durable in the cloud, whatever broker is in between (Mosquitto's PUBACK only says the
    /// broker has it). Samples published but unacknowledged are published again after a reconnect or
    /// <see cref="PublishingOptions.AcknowledgementTimeout"/>; the cloud drops the duplicates by sequence.
    /// </summary>
    Cloud,

    /// <summary>
    /// The broker's PUBACK, for a plain MQTT consumer that sends no acknowledgement. A sample leaves the queue once the
    /// broker has it: it is then as safe as the broker's persistence and the consumer's session (a persistent session
    /// subscribed at QoS 1), no safer; a broker that has no subscriber for the topic discards it.
    /// </summary>
    Broker,
}

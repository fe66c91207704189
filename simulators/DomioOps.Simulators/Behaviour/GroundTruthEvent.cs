using System.Text.Json.Serialization;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// One labelled line of the ground-truth log: a degradation's onset, the failure it leads to, or the repair
/// that ends it (sudden faults have no onset), at factory time.
/// </summary>
public sealed record GroundTruthEvent(
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("alarm")] int Alarm);

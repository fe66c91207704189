namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// The part of the hub's machine snapshot the harnesses read: <see cref="UpdatedAt"/> is the newest sample timestamp
/// the machine's state reflects (<c>MachineGrainState.Apply</c>).
/// </summary>
internal sealed record MachineChange(string Id, DateTimeOffset? UpdatedAt);

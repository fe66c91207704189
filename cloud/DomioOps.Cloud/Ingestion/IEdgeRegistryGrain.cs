namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// The edges allowed to publish, with their password hashes. One instance, key <see cref="Key"/>. Hashes
/// are checked by the caller (the broker), not in the grain, so a slow hash never blocks the registry.
/// </summary>
public interface IEdgeRegistryGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>Adds the edge, or replaces its credential, with <paramref name="passwordHash"/> (see <c>EdgeCredentials.Hash</c>).</summary>
    Task Register(string site, string edge, string passwordHash);

    Task<bool> Disable(string site, string edge);

    Task<EdgeRegistration?> Find(string site, string edge);

    Task<IReadOnlyList<EdgeRegistration>> List();

    /// <summary>Increases with every change, so a generated Mosquitto configuration knows when to rewrite.</summary>
    Task<long> GetVersion();
}

/// <summary>An edge's broker identity: MQTT user name <c>{site}/{edge}</c>.</summary>
[GenerateSerializer, Immutable]
public sealed record EdgeRegistration(
    [property: Id(0)] string Site,
    [property: Id(1)] string Edge,
    [property: Id(2)] string PasswordHash,
    [property: Id(3)] bool Disabled)
{
    public string UserName => $"{Site}/{Edge}";
}

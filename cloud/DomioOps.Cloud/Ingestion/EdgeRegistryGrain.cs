namespace DomioOps.Cloud.Ingestion;

internal sealed class EdgeRegistryGrain([PersistentState("edges")] IPersistentState<EdgeRegistryState> registry) : Grain, IEdgeRegistryGrain
{
    public async Task Register(string site, string edge, string passwordHash)
    {
        if (!EdgeCredentials.IsHash(passwordHash))
        {
            throw new ArgumentException("not a $7$ PBKDF2-SHA512 password hash", nameof(passwordHash));
        }

        registry.State.Edges[EdgeGrain.Key(site, edge)] = new EdgeRegistration(site, edge, passwordHash, Disabled: false);
        registry.State.Version++;
        await registry.WriteStateAsync();
    }

    public async Task<bool> Disable(string site, string edge)
    {
        if (!registry.State.Edges.TryGetValue(EdgeGrain.Key(site, edge), out var known))
        {
            return false;
        }

        registry.State.Edges[EdgeGrain.Key(site, edge)] = known with { Disabled = true };
        registry.State.Version++;
        await registry.WriteStateAsync();
        return true;
    }

    public Task<EdgeRegistration?> Find(string site, string edge) =>
        Task.FromResult(registry.State.Edges.GetValueOrDefault(EdgeGrain.Key(site, edge)));

    public Task<IReadOnlyList<EdgeRegistration>> List() =>
        Task.FromResult<IReadOnlyList<EdgeRegistration>>([.. registry.State.Edges.Values.OrderBy(e => e.UserName, StringComparer.Ordinal)]);

    public Task<long> GetVersion() => Task.FromResult(registry.State.Version);
}

[GenerateSerializer]
internal sealed class EdgeRegistryState
{
    [Id(0)] public Dictionary<string, EdgeRegistration> Edges { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public long Version { get; set; }
}

using DomioOps.Cloud.History;
using DomioOps.Cloud.Machines;

using Microsoft.Extensions.Logging;

namespace DomioOps.Cloud.Ingestion;

internal sealed partial class EdgeGrain(
    [PersistentState("edge")] IPersistentState<EdgeState> edge,
    IGrainFactory grains,
    TelemetryHistory history,
    ILogger<EdgeGrain> logger) : Grain, IEdgeGrain
{
    public async Task<IngestResult> Ingest(IReadOnlyList<EdgeSample> samples)
    {
        var state = edge.State;
        var fresh = samples.Where(s => s.Sample.Sequence > state.HighestSequence).ToList();
        var duplicates = samples.Count - fresh.Count;
        state.DuplicatesDropped += duplicates;
        if (fresh.Count == 0)
        {
            if (duplicates > 0)
            {
                await edge.WriteStateAsync();
            }

            return new IngestResult(0, duplicates, 0);
        }

        // A gap means the edge dropped samples (its overflow policy) or a batch was lost on the way:
        // reported, never hidden.
        var missing = state.HighestSequence == 0 ? 0 : fresh[0].Sample.Sequence - state.HighestSequence - 1;
        if (missing > 0)
        {
            state.MissingSamples += missing;
            LogGap(this.GetPrimaryKeyString(), state.HighestSequence, fresh[0].Sample.Sequence, missing);
        }

        // History and machines first, then the edge's high-water mark: a crash in between means redelivery,
        // and the history (its own mark, in the same transaction as the rows) and each machine ignore what
        // they already hold.
        await history.AppendAsync(this.GetPrimaryKeyString(), fresh, CancellationToken.None);
        var (site, edgeId) = SplitKey(this.GetPrimaryKeyString());
        await Task.WhenAll(fresh
            .GroupBy(s => s.Machine, StringComparer.Ordinal)
            .Select(machine => grains.GetGrain<IMachineGrain>(machine.Key)
                .Apply(site, edgeId, [.. machine.Select(s => s.Sample)])));

        state.HighestSequence = fresh[^1].Sample.Sequence;
        state.SamplesAccepted += fresh.Count;
        state.LastSeen = fresh[^1].Sample.Timestamp;
        await edge.WriteStateAsync();
        return new IngestResult(fresh.Count, duplicates, missing);
    }

    public async Task SetOnline(bool online, DateTimeOffset at)
    {
        edge.State.Online = online;
        edge.State.LastSeen = at;
        await edge.WriteStateAsync();
    }

    public Task<EdgeSnapshot> GetSnapshot()
    {
        var s = edge.State;
        return Task.FromResult(new EdgeSnapshot(this.GetPrimaryKeyString(), s.Online, s.HighestSequence, s.SamplesAccepted, s.DuplicatesDropped, s.MissingSamples, s.LastSeen));
    }

    public static string Key(string site, string edge) => $"{site}/{edge}";

    private static (string Site, string Edge) SplitKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge {Edge}: sequence gap after {Highest}, next is {Next}; {Missing} samples missing")]
    private partial void LogGap(string edge, ulong highest, ulong next, ulong missing);
}

[GenerateSerializer]
internal sealed class EdgeState
{
    [Id(0)] public ulong HighestSequence { get; set; }
    [Id(1)] public long SamplesAccepted { get; set; }
    [Id(2)] public long DuplicatesDropped { get; set; }
    [Id(3)] public ulong MissingSamples { get; set; }
    [Id(4)] public bool Online { get; set; }
    [Id(5)] public DateTimeOffset? LastSeen { get; set; }
}

using DomioOps.Cloud.Ingestion;
using DomioOps.Models.Wire;

using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// Owns the live state of one machine: its woodworking state, piece count and the last value of every
/// signal. Persisted after every applied batch, so a restarted cloud continues where it was.
/// Activated on the silo of its first caller, usually its edge's grain committing samples: a machine's samples then
/// stay on that silo instead of crossing to another one in a cluster. When the cluster changes, it follows its edge to the
/// silo that owns it (<see cref="EdgeOwners"/>).
/// </summary>
[PreferLocalPlacement]
internal sealed class MachineGrain(
    [PersistentState("machine")] IPersistentState<MachineGrainState> machine,
    IGrainFactory grains,
    EdgeOwners owners) : Grain, IMachineGrain
{
    /// <summary>The cluster membership the grain last checked its place against.</summary>
    private MembershipVersion _placeChecked;

    public async Task Apply(string site, string edge, IReadOnlyList<MachineSample> samples)
    {
        try
        {
            await ApplyAsync(site, edge, samples);
        }
        catch
        {
            // The state in memory may be ahead of what was stored: start again from storage.
            DeactivateOnIdle();
            throw;
        }

        FollowEdge(site, edge);
    }

    /// <summary>After a silo joined or left, a machine that is not on its edge's owner moves there once idle.</summary>
    private void FollowEdge(string site, string edge)
    {
        if (owners.OwnerElsewhereSince(EdgeGrain.Key(site, edge), ref _placeChecked) is { } owner)
        {
            GrainContext.Migrate(new() { [IPlacementDirector.PlacementHintKey] = owner });
        }
    }

    private async Task ApplyAsync(string site, string edge, IReadOnlyList<MachineSample> samples)
    {
        var state = machine.State;
        var lastApplied = state.LastSequenceByEdge.GetValueOrDefault(edge);
        var applied = false;
        foreach (var sample in samples)
        {
            if (sample.Sequence <= lastApplied)
            {
                continue;
            }

            lastApplied = sample.Sequence;
            applied = true;
            state.Apply(sample);
        }

        if (!applied)
        {
            return;
        }

        var firstReport = state.Site is null;
        (state.Site, state.Edge) = (site, edge);
        state.LastSequenceByEdge[edge] = lastApplied;
        await machine.WriteStateAsync();
        if (firstReport)
        {
            await grains.GetGrain<IMachineDirectoryGrain>(IMachineDirectoryGrain.Key).Register(this.GetPrimaryKeyString());
        }

        await grains.GetGrain<IMachineFeedGrain>(IMachineFeedGrain.Key).Publish(state.ToSnapshot(this.GetPrimaryKeyString()));
    }

    public Task<MachineSnapshot?> GetSnapshot() =>
        Task.FromResult(machine.State.Site is null ? null : machine.State.ToSnapshot(this.GetPrimaryKeyString()));
}

/// <summary>
/// What <see cref="MachineGrain"/> stores, under the type name its stored rows carry,
/// <c>DomioOps.Cloud.Machines.MachineState</c> (see <see cref="Storage.StoredTypeNames"/>).
/// </summary>
[GenerateSerializer]
internal sealed class MachineGrainState
{
    [Id(0)] public string? Site { get; set; }
    [Id(1)] public string? Edge { get; set; }
    [Id(2)] public MachineState State { get; set; } = MachineState.Offline;
    [Id(3)] public DateTimeOffset? StateSince { get; set; }
    [Id(5)] public Dictionary<Signal, double> Signals { get; set; } = [];
    [Id(6)] public DateTimeOffset? UpdatedAt { get; set; }
    [Id(7)] public Dictionary<string, ulong> LastSequenceByEdge { get; set; } = new(StringComparer.Ordinal);
    [Id(9)] public Dictionary<Signal, MachineCounter> Counters { get; set; } = [];
    [Id(10)] public Dictionary<MachineState, TimeSpan> TimeInState { get; set; } = [];
    [Id(11)] public int ActiveAlarm { get; set; }

    public void Apply(MachineSample sample)
    {
        UpdatedAt = UpdatedAt is { } updated && updated > sample.Timestamp ? updated : sample.Timestamp;
        if (sample.Number is not { } value)
        {
            return;
        }

        Signals[sample.Signal] = value;
        switch (sample.Signal)
        {
            case Signal.MachineState:
                var next = Enum.IsDefined(typeof(MachineState), (int)value) ? (MachineState)(int)value : MachineState.Error;
                if (next != State || StateSince is null)
                {
                    if (StateSince is { } since && sample.Timestamp > since)
                    {
                        TimeInState[State] = TimeInState.GetValueOrDefault(State) + (sample.Timestamp - since);
                    }

                    (State, StateSince) = (next, sample.Timestamp);
                }

                break;
            case Signal.PieceCounter or Signal.CycleCounter:
                Counters[sample.Signal] = Counters.GetValueOrDefault(sample.Signal).Advance((long)value);
                break;
            case Signal.Alarm:
                ActiveAlarm = (int)value;
                break;
            default:
                break;
        }
    }

    public MachineSnapshot ToSnapshot(string id) => new(
        id,
        Site ?? "",
        Edge ?? "",
        State.ToString(),
        StateSince,
        Counters.GetValueOrDefault(Signal.PieceCounter).Total,
        Signals.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value, StringComparer.Ordinal),
        UpdatedAt)
    {
        CycleCount = Counters.GetValueOrDefault(Signal.CycleCounter).Total,
        ActiveAlarm = ActiveAlarm,
        SecondsInState = TimeInState.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value.TotalSeconds, StringComparer.Ordinal),
    };
}

/// <summary>
/// A production counter as the cloud keeps it. The machine's counter is absolute; the cloud adds its
/// increments, so a counter that resets (power cycle, rollover) keeps the total rising instead of jumping
/// back. The first value seen counts whole: what the machine had produced before it was connected.
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct MachineCounter([property: Id(0)] long Total, [property: Id(1)] long? LastRaw)
{
    public MachineCounter Advance(long raw) =>
        new(Total + (LastRaw is { } last ? (raw >= last ? raw - last : raw) : raw), raw);
}

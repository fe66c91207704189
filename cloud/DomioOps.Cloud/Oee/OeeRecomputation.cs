using DomioOps.Cloud.History;
using DomioOps.Cloud.Machines;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Oee;

/// <summary>
/// Keeps <c>oee_shift</c> exact as samples arrive: every <see cref="OeeOptions.RecomputeInterval"/> it stores the shifts
/// that ended, and recomputes the ended shifts of the hours marked dirty (<see cref="OeeDirty"/>) from that machine's
/// samples of those shifts alone. A late state sample changes the states up to the machine's next state sample, and a
/// late counter sample the increment of the next one: the range recomputed reaches them. One silo works at a time.
/// </summary>
internal sealed partial class OeeRecomputation(
    OeeShifts shifts, HistoryDatabase history, IOptionsMonitor<OeeOptions> options, TimeProvider time, ILogger<OeeRecomputation> logger) : BackgroundService
{
    /// <summary>Held while a silo recomputes; any bigint works as long as nothing else in the database uses it.</summary>
    private const long LockKey = 0x446F_6D69_6F4F_4545; // "DomioOEE"

    private const string NextSample = """
        SELECT min(ts) FROM telemetry_sample WHERE machine = @machine AND signal = @signal AND ts >= @from
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.RecomputeInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // PostgreSQL away: the marks stay, the next tick does them.
                LogFailed(error);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Stores the shifts that ended and recomputes the dirty ones; returns how many shifts it computed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var connection = await history.DataSource.OpenConnectionAsync(ct);
        await using (var take = connection.CreateCommand())
        {
            take.CommandText = $"SELECT pg_try_advisory_lock({LockKey})";
            if (!(bool)(await take.ExecuteScalarAsync(ct))!)
            {
                return 0;
            }
        }

        try
        {
            var plans = (await shifts.PlansAsync(ct)).ToDictionary(p => p.MachineId, StringComparer.Ordinal);
            return await CloseEndedAsync(plans, ct) + await RecomputeDirtyAsync(plans, ct);
        }
        finally
        {
            await using var release = connection.CreateCommand();
            release.CommandText = $"SELECT pg_advisory_unlock({LockKey})";
            await release.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    /// <summary>The shifts that ended within <see cref="OeeOptions.Backfill"/> and have no row yet.</summary>
    private async Task<int> CloseEndedAsync(Dictionary<string, MachinePlan> plans, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = now - options.CurrentValue.Backfill;
        var stored = new HashSet<(string, DateTimeOffset)>();
        await using (var command = history.DataSource.CreateCommand("SELECT machine, shift_start FROM oee_shift WHERE order_id = 0 AND shift_start >= @since"))
        {
            command.Parameters.AddWithValue("since", since.UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                stored.Add((reader.GetString(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero)));
            }
        }

        var computed = 0;
        foreach (var plan in plans.Values)
        {
            var ended = shifts.Occurrences(plan, since, now).Where(s => s.Span.From >= since && s.Span.To <= now && !stored.Contains((plan.MachineId, s.Span.From))).ToList();
            computed += (await shifts.StoreAsync(plan, ended, ct)).Count;
        }

        if (computed > 0)
        {
            LogClosed(computed);
        }

        return computed;
    }

    private async Task<int> RecomputeDirtyAsync(Dictionary<string, MachinePlan> plans, CancellationToken ct)
    {
        var marks = new List<(string Machine, DateTimeOffset Hour, long Marks)>();
        await using (var command = history.DataSource.CreateCommand("SELECT machine, hour, marks FROM oee_dirty ORDER BY hour, machine LIMIT 1000"))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                marks.Add((reader.GetString(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), reader.GetInt64(2)));
            }
        }

        var now = time.GetUtcNow();
        // A shift that ended is recomputed once per tick, however many of its hours were marked.
        var affected = new Dictionary<string, Dictionary<DateTimeOffset, ShiftOccurrence>>(StringComparer.Ordinal);
        foreach (var (machine, hour, _) in marks)
        {
            if (plans.TryGetValue(machine, out var plan))
            {
                var to = await AffectedUntilAsync(machine, hour, now, ct);
                var machineShifts = affected.TryGetValue(machine, out var known) ? known : affected[machine] = [];
                foreach (var shift in shifts.Occurrences(plan, hour, to).Where(s => s.Span.To <= now))
                {
                    machineShifts.TryAdd(shift.Span.From, shift);
                }
            }
        }

        var computed = 0;
        foreach (var (machine, machineShifts) in affected)
        {
            computed += (await shifts.StoreAsync(plans[machine], [.. machineShifts.Values], ct)).Count;
        }

        foreach (var (machine, hour, count) in marks)
        {
            // Unless marked again meanwhile: then the next tick reads the newer samples.
            await using var delete = history.DataSource.CreateCommand("DELETE FROM oee_dirty WHERE machine = @machine AND hour = @hour AND marks = @marks");
            delete.Parameters.AddWithValue("machine", machine);
            delete.Parameters.AddWithValue("hour", hour.UtcDateTime);
            delete.Parameters.AddWithValue("marks", count);
            await delete.ExecuteNonQueryAsync(ct);
        }

        if (computed > 0)
        {
            LogRecomputed(computed, marks.Count);
        }

        return computed;
    }

    /// <summary>
    /// Where a change in the hour from <paramref name="hour"/> stops mattering: past the machine's next state sample after
    /// the hour (the state holds until then; now if there is none) and past its next counter sample (whose increment is
    /// counted from the last sample before it).
    /// </summary>
    private async Task<DateTimeOffset> AffectedUntilAsync(string machine, DateTimeOffset hour, DateTimeOffset now, CancellationToken ct)
    {
        var end = hour.AddHours(1);
        var state = await NextAsync(machine, Signal.MachineState, end, ct);
        var counter = await NextAsync(machine, Signal.PieceCounter, end, ct);
        var until = state ?? now;
        if (counter is { } next && next.AddTicks(1) > until)
        {
            until = next.AddTicks(1);
        }

        return until > end ? until : end;
    }

    private async Task<DateTimeOffset?> NextAsync(string machine, Signal signal, DateTimeOffset from, CancellationToken ct)
    {
        await using var command = history.DataSource.CreateCommand(NextSample);
        command.Parameters.AddWithValue("machine", machine);
        command.Parameters.AddWithValue("signal", (short)signal);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        return await command.ExecuteScalarAsync(ct) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc), TimeSpan.Zero) : null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "OEE: stored {Count} shift(s) that ended")]
    private partial void LogClosed(int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "OEE: recomputed {Count} shift(s) for {Marks} dirty hour(s)")]
    private partial void LogRecomputed(int count, int marks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OEE recomputation failed; the marks stay for the next run")]
    private partial void LogFailed(Exception error);
}

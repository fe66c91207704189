using System.Diagnostics;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Planning;

/// <summary>Why a sequence change was refused: <see cref="Status"/> 404 for an unknown operation, 409 or 422 otherwise (an <see cref="InvalidOperationException"/>, as the board expects).</summary>
internal sealed class SequenceChangeRefused(int status, string message) : InvalidOperationException(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// The live schedule of this silo. It reschedules by itself — debounced by <see cref="PlanningOptions.Debounce"/> —
/// when a machine stops or comes back (<see cref="MachineChanges"/>), an operation starts, pauses or finishes
/// (<see cref="ShopFloor.OperationChanged"/>), maintenance is planned, and every <see cref="PlanningOptions.Refresh"/>;
/// a planner's sequence change applies at once. Each reschedule reuses the previous one (<see cref="Scheduler.Replan"/>),
/// forecasts every order (<see cref="DueDateForecast"/>) and publishes a new <see cref="Schedule"/> whose
/// <see cref="Schedule.Moves"/> are the operations whose planned end moved.
/// </summary>
internal sealed partial class Planner(
    PlanningStore store,
    IServiceScopeFactory scopes,
    MachineChanges machines,
    ShopFloor shopFloor,
    AuditTrail audit,
    IOptionsMonitor<PlanningOptions> options,
    TimeProvider time,
    ILogger<Planner> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _pendingLock = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly Dictionary<string, bool> _machineDown = new(StringComparer.Ordinal);
    private readonly List<string> _pending = [];
    private SchedulePlan? _plan;
    private volatile Schedule _current = Schedule.Empty;

    public Schedule Current => _current;

    /// <summary>A new schedule was published; handlers run on the planner's thread (a page hands it to its renderer).</summary>
    public event Action<Schedule>? Changed;

    /// <summary>Asks for a reschedule after the debounce; <paramref name="reason"/> is said in the schedule.</summary>
    public void Request(string reason)
    {
        lock (_pendingLock)
        {
            if (_pending.Count < 10 && !_pending.Contains(reason))
            {
                _pending.Add(reason);
            }
        }

        _wake.Release();
    }

    /// <summary>Reschedules now and publishes the result.</summary>
    public async Task<Schedule> RescheduleAsync(string reason, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var data = await store.LoadAsync(ct);
            return Publish(Compute(data, data.Input, reason, out var next), next);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The schedule as it would be after <paramref name="change"/>; nothing is applied or published.</summary>
    public async Task<Schedule> PreviewAsync(SequenceChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _gate.WaitAsync(ct);
        try
        {
            var data = await store.LoadAsync(ct);
            var added = Override(data.Input, change);
            return Compute(data, data.Input with { Overrides = [.. data.Input.Overrides, added] }, "preview", out _);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Applies <paramref name="change"/> (kept in <c>planning_sequence_overrides</c>, audited) and publishes the schedule after it.</summary>
    public async Task<Schedule> ApplyAsync(SequenceChange change, AuditActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(actor);
        await _gate.WaitAsync(ct);
        try
        {
            var data = await store.LoadAsync(ct);
            var added = Override(data.Input, change);
            var was = _current.Operations.FirstOrDefault(o => o.OperationId == change.OperationId);
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO planning_sequence_overrides ("OperationId", "BeforeOperationId", "MachineId", "MadeAt")
                    VALUES ({added.OperationId}, {added.BeforeOperationId}, {added.MachineId}, {time.GetUtcNow()})
                    """, ct);
            }

            var schedule = Publish(Compute(data, data.Input with { Overrides = [.. data.Input.Overrides, added] }, $"sequence changed: operation {change.OperationId}", out var next), next);
            var now = schedule.Operations.First(o => o.OperationId == change.OperationId);
            await audit.AppendAsync(actor, "planning.sequence.changed", "operation", change.OperationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                was is null ? null : new { was.MachineId, was.Start, was.End },
                new { change.Position, added.BeforeOperationId, added.MachineId, now.Start, now.End, Moves = schedule.Moves.Count }, ct);
            return schedule;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The override a change makes: before the operation now at <see cref="SequenceChange.Position"/> of its work centre's sequence (by planned start, itself left out).</summary>
    private SequenceOverride Override(PlanInput input, SequenceChange change)
    {
        var op = input.Operations.FirstOrDefault(o => o.Id == change.OperationId)
            ?? throw new SequenceChangeRefused(StatusCodes.Status404NotFound, $"Operation {change.OperationId} is not in the schedule (unknown or done).");
        if (op.State is OperationState.Running or OperationState.Paused)
        {
            throw new SequenceChangeRefused(StatusCodes.Status409Conflict, $"Operation {op.Id} is {op.State.ToString().ToLowerInvariant()} on {op.MachineId}: it stays there until it is finished.");
        }

        if (change.Position < 0)
        {
            throw new SequenceChangeRefused(StatusCodes.Status422UnprocessableEntity, "position must be 0 or more.");
        }

        var centre = input.Centres.Single(c => c.Id == op.WorkCentreId);
        if (change.MachineId is { } machine && !centre.Machines.Contains(machine, StringComparer.Ordinal))
        {
            throw new SequenceChangeRefused(StatusCodes.Status422UnprocessableEntity, $"machineId must name a machine of work centre {op.WorkCentreId}: {string.Join(", ", centre.Machines)}.");
        }

        var sequence = _current.Operations.Where(o => o.WorkCentreId == op.WorkCentreId && o.OperationId != op.Id)
            .OrderBy(o => o.Start).ThenBy(o => o.OperationId).Select(o => o.OperationId).ToList();
        long? before = change.Position < sequence.Count ? sequence[change.Position] : null;
        return new SequenceOverride(op.Id, before, change.MachineId);
    }

    private Schedule Compute(PlanningData data, PlanInput input, string reason, out SchedulePlan next)
    {
        var started = Stopwatch.GetTimestamp();
        next = Scheduler.Replan(_plan, input);
        var scheduled = Stopwatch.GetElapsedTime(started);
        var settings = options.CurrentValue;
        var completions = DueDateForecast.Run(next, data.History, settings.Trials, (ulong)settings.Seed);
        var orders = completions.Select(c => data.Orders[c.OrderId]).Zip(completions)
            .Select(p => new OrderForecast(p.First.Id, p.First.Number, p.First.Customer, p.First.DueDate, p.First.Priority,
                At(p.Second.Projected), At(p.Second.P50), At(p.Second.P90), DueDateForecast.AtRisk(p.First.DueDate, p.Second.P90, input.Zone)))
            .OrderBy(o => o.DueDate).ThenBy(o => o.Priority).ThenBy(o => o.Number, StringComparer.Ordinal).ToList();
        var operations = next.Operations();
        var was = _current.Operations.ToDictionary(o => o.OperationId, o => o);
        var moves = operations.Where(o => was.TryGetValue(o.OperationId, out var before) && before.End != o.End)
            .Select(o => new ScheduleMove(o.OperationId, o.OrderNumber, was[o.OperationId].End, o.End)).ToList();
        var total = Stopwatch.GetElapsedTime(started);
        LogComputed(reason, input.Operations.Count, next.Reused, scheduled.TotalMilliseconds, total.TotalMilliseconds, moves.Count);
        return new Schedule(_current.Version + 1, input.Now, reason, operations, next.Capacity(settings.HorizonDays), orders, moves);
    }

    private Schedule Publish(Schedule schedule, SchedulePlan next)
    {
        _plan = next;
        _current = schedule;
        try
        {
            Changed?.Invoke(schedule);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSubscriberFailed(e);
        }

        return schedule;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var machineSubscription = machines.Subscribe(OnMachineChanged);
        shopFloor.OperationChanged += OnOperationChanged;
        try
        {
            Request("start");
            while (!stoppingToken.IsCancellationRequested)
            {
                // Wait for a request or the refresh, then for the changes to settle.
                var settings = options.CurrentValue;
                var requested = true;
                using (var refresh = new CancellationTokenSource(settings.Refresh, time))
                using (var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, refresh.Token))
                {
                    try
                    {
                        await _wake.WaitAsync(either.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        requested = false;
                    }
                }

                if (requested && settings.Debounce > TimeSpan.Zero)
                {
                    await Task.Delay(settings.Debounce, time, stoppingToken);
                }

                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(stoppingToken);
                }

                string reason;
                lock (_pendingLock)
                {
                    reason = _pending.Count == 0 ? "refresh" : string.Join("; ", _pending);
                    _pending.Clear();
                }

                try
                {
                    await RescheduleAsync(reason, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            shopFloor.OperationChanged -= OnOperationChanged;
        }
    }

    private void OnMachineChanged(MachineSnapshot machine)
    {
        var down = machine.State is nameof(Models.Wire.MachineState.Error);
        bool changed;
        lock (_machineDown)
        {
            changed = _machineDown.TryGetValue(machine.Id, out var was) ? was != down : down;
            _machineDown[machine.Id] = down;
        }

        if (changed)
        {
            Request(down ? $"{machine.Id} stopped" : $"{machine.Id} came back");
        }
    }

    private void OnOperationChanged(long operationId, string action) => Request($"operation {operationId}: {action}");

    private static DateTimeOffset At(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    public override void Dispose()
    {
        _gate.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule computed ({Reason}): {Operations} operations, {Reused} placements kept, scheduled in {ScheduleMs:F1} ms, with the forecast {TotalMs:F1} ms; {Moves} moved")]
    private partial void LogComputed(string reason, int operations, int reused, double scheduleMs, double totalMs, int moves);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rescheduling failed; the previous schedule stays until the next change or refresh")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A schedule subscriber failed")]
    private partial void LogSubscriberFailed(Exception exception);
}

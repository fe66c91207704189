using System.Text.Json;

using DomioOps.Cloud.Machines;
using DomioOps.Models;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Production;

/// <summary>Who acts at the shop floor: a terminal (bound to a work centre, a machine or an edge) and the operator identified at it.</summary>
internal sealed record ShopFloorActor(string TerminalId, string Binding, string? OperatorId);

/// <summary>An operator's action as a terminal sends it; <see cref="Key"/> makes a replay change nothing.</summary>
internal sealed record ShopFloorAction(
    Guid Key, string? Kind, long? OperationId, string? MachineId, int? Good, int? Scrap, string? ScrapReason,
    string? StopReason, DateTimeOffset? StopSince, DateTimeOffset? At);

/// <summary>The outcome of an action: an HTTP status, the operation after it (when applied) or the problem, and whether it was a replay.</summary>
internal sealed record ShopFloorOutcome(int Status, OperationView? Operation, string? Problem, bool Replayed);

/// <summary>What a terminal shows: its work centres and machines, its queue, the stops awaiting a reason, and the lists to pick from.</summary>
internal sealed record TerminalWork(
    IReadOnlyList<WorkCentreView> WorkCentres,
    IReadOnlyList<TerminalMachine> Machines,
    IReadOnlyList<OperationView> Queue,
    IReadOnlyList<OpenStop> OpenStops,
    double StopReasonAfterSeconds);

internal sealed record WorkCentreView(string Id, string Name, WorkCentreKind Kind);

internal sealed record TerminalMachine(string Id, string State, DateTimeOffset? StateSince, long PieceCount, DateTimeOffset? UpdatedAt);

internal sealed record OpenStop(string MachineId, DateTimeOffset Since);

/// <summary>
/// The shop floor as terminals work it: each terminal's queue, and every operator action applied exactly once, in one
/// transaction with the record of its idempotency key (a replayed action gets its first answer again).
/// </summary>
internal sealed partial class ShopFloor(
    IServiceScopeFactory scopes, IGrainFactory grains, IOptionsMonitor<ProductionOptions> options, TimeProvider time, ILogger<ShopFloor> logger)
{
    public const int QueueLength = 50;
    public const int MaxQuantity = 100_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public async Task<TerminalWork> WorkAsync(ShopFloorActor actor, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var (centres, machineIds) = await ScopeAsync(db, actor.Binding, ct);
        var centreIds = centres.Select(c => c.Id).ToList();
        var now = time.GetUtcNow();
        var queue = await ShopFloorQuery.ViewsAsync(
            db.Operations.Where(o => centreIds.Contains(o.WorkCentreId) && o.State != OperationState.Done).InQueueOrder(db).Take(QueueLength),
            db, grains, now, ct);

        var snapshots = await Task.WhenAll(machineIds.Select(id => grains.GetGrain<IMachineGrain>(id).GetSnapshot()));
        var machines = machineIds.Zip(snapshots)
            .Select(pair => pair.Second is { } s
                ? new TerminalMachine(s.Id, s.State, s.StateSince, s.PieceCount, s.UpdatedAt)
                : new TerminalMachine(pair.First, nameof(Models.Wire.MachineState.Offline), null, 0, null))
            .ToList();
        var threshold = options.CurrentValue.StopReasonAfter;
        var stopped = machines
            .Where(m => m.State != nameof(Models.Wire.MachineState.Working) && m.StateSince is { } since && now - since >= threshold)
            .Select(m => new OpenStop(m.Id, AsStored(m.StateSince!.Value))).ToList();
        var stoppedIds = stopped.Select(s => s.MachineId).ToList();
        var oldest = stopped.Count == 0 ? now : stopped.Min(s => s.Since);
        var explained = await db.Stops.AsNoTracking().Where(s => stoppedIds.Contains(s.MachineId) && s.Since >= oldest)
            .Select(s => new OpenStop(s.MachineId, s.Since)).ToListAsync(ct);
        var open = stopped.Where(s => !explained.Any(e => e.MachineId == s.MachineId && e.Since == s.Since)).ToList();
        return new TerminalWork([.. centres.Select(c => new WorkCentreView(c.Id, c.Name, c.Kind))], machines, queue, open, threshold.TotalSeconds);
    }

    /// <summary>The part's first unfinished operation at the terminal's work centres (a scanned label jumps to it).</summary>
    public async Task<OperationView?> PartOperationAsync(ShopFloorActor actor, long partId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var centreIds = (await ScopeAsync(db, actor.Binding, ct)).Centres.Select(c => c.Id).ToList();
        var operations = db.Operations.Where(o => o.PartId == partId && centreIds.Contains(o.WorkCentreId))
            .OrderBy(o => o.State == OperationState.Done ? 1 : 0).ThenBy(o => o.Step).Take(1);
        return (await ShopFloorQuery.ViewsAsync(operations, db, grains, time.GetUtcNow(), ct)).SingleOrDefault();
    }

    /// <summary>An operation was started, paused or finished (after the commit): the planner reschedules.</summary>
    public event Action<long, string>? OperationChanged;

    public async Task<ShopFloorOutcome> ApplyAsync(ShopFloorActor actor, ShopFloorAction action, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        // Everything the grains tell is asked before the transaction takes a connection: a grain activating reads its
        // state through the same connection pool, and 200 terminals holding connections while waiting on it would starve it.
        var (centres, machineIds) = await ScopeAsync(db, actor.Binding, ct);
        var machines = new List<string>(machineIds);
        // The operation as it was, with its part and order: the answer is this with the action's changes.
        var before = action.OperationId is { } id
            ? (await ShopFloorQuery.ViewsAsync(db.Operations.Where(o => o.Id == id), db, grains, time.GetUtcNow(), ct)).SingleOrDefault()
            : null;
        if (before?.MachineId is { } current)
        {
            machines.Add(current);
        }

        if (action.MachineId is { } named && EdgeTopics.IsValidId(named))
        {
            machines.Add(named);
        }

        var counts = new PieceCounts(grains, await ShopFloorQuery.PieceCountsAsync(grains, machines));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The key is claimed first: a concurrent replay of the same key waits on this row and then finds it answered.
        var now = time.GetUtcNow();
        var kind = action.Kind is { Length: > 32 } tooLong ? tooLong[..32] : action.Kind ?? "";
        var claimed = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO production_terminal_actions ("TerminalId", "Key", "Kind", "AppliedAt", "Status", "Response")
            VALUES ({actor.TerminalId}, {action.Key}, {kind}, {now}, 0, 'null'::jsonb) ON CONFLICT DO NOTHING
            """, ct);
        if (claimed == 0)
        {
            await transaction.RollbackAsync(ct);
            var first = await db.TerminalActions.AsNoTracking().SingleAsync(a => a.TerminalId == actor.TerminalId && a.Key == action.Key, ct);
            LogReplayed(actor.TerminalId, action.Key);
            return JsonSerializer.Deserialize<ShopFloorOutcome>(first.Response, Json)! with { Replayed = true };
        }

        ShopFloorOutcome outcome;
        try
        {
            outcome = await ApplyOnceAsync(db, actor, action, (centres, machineIds), before, counts, now, ct);
        }
        catch (DbUpdateException error) when (error.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Two terminals started operations on one machine at the same moment: the unique index let one through.
            await transaction.RollbackAsync(ct);
            return new ShopFloorOutcome(StatusCodes.Status409Conflict, null, "The machine started another operation at the same moment: pause or finish it first.", false);
        }

        var response = JsonSerializer.Serialize(outcome, Json);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE production_terminal_actions SET "Status" = {outcome.Status}, "Response" = {response}::jsonb
            WHERE "TerminalId" = {actor.TerminalId} AND "Key" = {action.Key}
            """, ct);
        await transaction.CommitAsync(ct);
        if (outcome.Status == StatusCodes.Status200OK && action is { Kind: "start" or "pause" or "finish", OperationId: { } changed })
        {
            OperationChanged?.Invoke(changed, action.Kind);
        }

        return outcome;
    }

    private async Task<ShopFloorOutcome> ApplyOnceAsync(ProductionDbContext db, ShopFloorActor actor, ShopFloorAction action,
        (List<WorkCentre> Centres, List<string> Machines) reach, OperationView? before, PieceCounts counts, DateTimeOffset now, CancellationToken ct)
    {
        var (centres, machineIds) = reach;
        if (action.Kind == "stop-reason")
        {
            return await ExplainStopAsync(db, actor, action, machineIds, now, ct);
        }

        if (action.Kind is not ("start" or "pause" or "report" or "finish"))
        {
            return Refused(StatusCodes.Status400BadRequest, $"Unknown action '{action.Kind}': send start, pause, report, finish or stop-reason.");
        }

        if (action.OperationId is not { } operationId)
        {
            return Refused(StatusCodes.Status400BadRequest, "operationId is required.");
        }

        var operation = await db.Operations.FromSql($"""SELECT * FROM production_operations WHERE "Id" = {operationId} FOR UPDATE""").SingleOrDefaultAsync(ct);
        if (operation is null || before is null || !centres.Any(c => c.Id == operation.WorkCentreId))
        {
            return Refused(StatusCodes.Status404NotFound, $"Operation {operationId} is not in this terminal's work centres.");
        }

        var refusal = action.Kind switch
        {
            "start" => await StartAsync(db, operation, centres.Single(c => c.Id == operation.WorkCentreId), action.MachineId ?? (machineIds.Count == 1 ? machineIds[0] : null), counts, now, ct),
            "pause" => await PauseAsync(db, operation, counts, now, ct),
            "report" => await ReportAsync(db, actor, operation, action, counts, now),
            _ => await FinishAsync(db, actor, operation, action, counts, now, ct),
        };
        if (refusal is not null)
        {
            return refusal;
        }

        await db.SaveChangesAsync(ct);
        if (operation.MachineId is { } ran)
        {
            // Its runs, scrap and cycle change the machine's OEE of this hour (Oee/README.md).
            await Oee.OeeDirty.MarkAsync(db.Database, ran, now, ct);
        }

        LogApplied(action.Kind!, operation.Id, operation.State, actor.TerminalId);
        var pieceCount = operation.MachineId is { } machine ? await counts.OfAsync(machine) : 0;
        return new ShopFloorOutcome(StatusCodes.Status200OK, ShopFloorQuery.Now(before, operation, pieceCount, now), null, false);
    }

    private static async Task<ShopFloorOutcome?> StartAsync(ProductionDbContext db, Operation operation, WorkCentre centre, string? machineId, PieceCounts counts, DateTimeOffset now, CancellationToken ct)
    {
        switch (operation.State)
        {
            case OperationState.Running:
                return Refused(StatusCodes.Status409Conflict, $"The operation already runs on {operation.MachineId}.");
            case OperationState.Done:
                return Refused(StatusCodes.Status409Conflict, "The operation is finished.");
            case OperationState.Planned:
                return Refused(StatusCodes.Status409Conflict, "The step before it is not finished yet.");
            default:
                break;
        }

        if (machineId is null || !centre.Machines.Any(m => m.MachineId == machineId))
        {
            return Refused(StatusCodes.Status400BadRequest, $"machineId must name a machine of work centre {operation.WorkCentreId}.");
        }

        if (await db.Operations.AnyAsync(o => o.MachineId == machineId && o.State == OperationState.Running, ct))
        {
            return Refused(StatusCodes.Status409Conflict, $"{machineId} runs another operation: pause or finish it first.");
        }

        var pieceCount = await counts.OfAsync(machineId);
        operation.State = OperationState.Running;
        operation.MachineId = machineId;
        operation.CounterBaseline = pieceCount;
        operation.RunningSince = now;
        operation.StartedAt ??= now;
        db.OperationRuns.Add(new OperationRun { OperationId = operation.Id, OrderId = operation.OrderId, MachineId = machineId, From = now });
        return null;
    }

    private static async Task<ShopFloorOutcome?> PauseAsync(ProductionDbContext db, Operation operation, PieceCounts counts, DateTimeOffset now, CancellationToken ct)
    {
        if (operation.State != OperationState.Running)
        {
            return Refused(StatusCodes.Status409Conflict, "Only a running operation can be paused.");
        }

        await CloseRunAsync(db, operation, OperationState.Paused, counts, now, ct);
        return null;
    }

    /// <summary>Ends the current run segment: what the machine counted and the time run are added, nothing is reset.</summary>
    private static async Task CloseRunAsync(ProductionDbContext db, Operation operation, OperationState next, PieceCounts counts, DateTimeOffset now, CancellationToken ct)
    {
        if (operation.State == OperationState.Running && operation.MachineId is { } machine)
        {
            var pieceCount = await counts.OfAsync(machine);
            operation.CountedClosed = operation.Counted(pieceCount);
            operation.RunTime = operation.RunTimeAt(now);
            foreach (var run in await db.OperationRuns.Where(r => r.OperationId == operation.Id && r.To == null).ToListAsync(ct))
            {
                run.To = now;
            }
        }

        operation.CounterBaseline = null;
        operation.RunningSince = null;
        operation.State = next;
    }

    private static async Task<ShopFloorOutcome?> ReportAsync(ProductionDbContext db, ShopFloorActor actor, Operation operation, ShopFloorAction action, PieceCounts counts, DateTimeOffset now)
    {
        if (operation.State is OperationState.Planned or OperationState.Ready)
        {
            return Refused(StatusCodes.Status409Conflict, "Start the operation before reporting pieces.");
        }

        if (action.Good is null && action.Scrap is null)
        {
            return Refused(StatusCodes.Status400BadRequest, "A report needs good or scrap pieces.");
        }

        return await AddReportAsync(db, actor, operation, action, counts, now);
    }

    /// <summary>Adds good and scrap pieces (negative numbers correct an earlier report; totals never go below zero), with what the machine counted.</summary>
    private static async Task<ShopFloorOutcome?> AddReportAsync(ProductionDbContext db, ShopFloorActor actor, Operation operation, ShopFloorAction action, PieceCounts counts, DateTimeOffset now)
    {
        var good = action.Good ?? 0;
        var scrap = action.Scrap ?? 0;
        if (Math.Abs(good) > MaxQuantity || Math.Abs(scrap) > MaxQuantity)
        {
            return Refused(StatusCodes.Status400BadRequest, $"good and scrap are at most {MaxQuantity}.");
        }

        if (operation.Good + good < 0 || operation.Scrap + scrap < 0)
        {
            return Refused(StatusCodes.Status400BadRequest, $"A correction cannot take good below 0 (now {operation.Good}) or scrap below 0 (now {operation.Scrap}).");
        }

        ScrapReason? reason = null;
        if (scrap != 0)
        {
            if (!TryParseReason(action.ScrapReason, out ScrapReason parsed))
            {
                return Refused(StatusCodes.Status400BadRequest, $"scrapReason is required with scrap: one of {string.Join(", ", Enum.GetValues<ScrapReason>().Select(Wire))}.");
            }

            reason = parsed;
        }

        if (good == 0 && scrap == 0)
        {
            return null;
        }

        var pieceCount = operation.MachineId is { } machine ? await counts.OfAsync(machine) : 0;
        operation.Good += good;
        operation.Scrap += scrap;
        db.Reports.Add(new OperationReport
        {
            OperationId = operation.Id,
            Good = good,
            Scrap = scrap,
            ScrapReason = reason,
            Counted = operation.Counted(pieceCount),
            OperatorId = actor.OperatorId,
            TerminalId = actor.TerminalId,
            At = now,
        });
        return null;
    }

    private async Task<ShopFloorOutcome?> FinishAsync(ProductionDbContext db, ShopFloorActor actor, Operation operation, ShopFloorAction action, PieceCounts counts, DateTimeOffset now, CancellationToken ct)
    {
        if (operation.State is OperationState.Planned or OperationState.Done)
        {
            return Refused(StatusCodes.Status409Conflict, operation.State == OperationState.Done ? "The operation is finished." : "The step before it is not finished yet.");
        }

        if (await AddReportAsync(db, actor, operation, action, counts, now) is { } refusal)
        {
            return refusal;
        }

        await CloseRunAsync(db, operation, OperationState.Done, counts, now, ct);
        operation.FinishedAt = now;
        var next = await db.Operations.SingleOrDefaultAsync(o => o.PartId == operation.PartId && o.Step == operation.Step + 1, ct);
        if (next is { State: OperationState.Planned })
        {
            next.State = OperationState.Ready;
        }

        if (!await db.Operations.AnyAsync(o => o.OrderId == operation.OrderId && o.Id != operation.Id && o.State != OperationState.Done, ct))
        {
            var order = await db.Orders.SingleAsync(o => o.Id == operation.OrderId, ct);
            order.CompletedAt = now;
            LogOrderCompleted(order.Number);
        }

        return null;
    }

    private static async Task<ShopFloorOutcome> ExplainStopAsync(ProductionDbContext db, ShopFloorActor actor, ShopFloorAction action, IReadOnlyList<string> machineIds, DateTimeOffset now, CancellationToken ct)
    {
        if (action.MachineId is not { } machineId || !machineIds.Contains(machineId, StringComparer.Ordinal))
        {
            return Refused(StatusCodes.Status404NotFound, "machineId must name a machine of this terminal.");
        }

        if (action.StopSince is not { } stopSince)
        {
            return Refused(StatusCodes.Status400BadRequest, "stopSince (when the machine left Working) is required.");
        }

        if (!TryParseReason(action.StopReason, out StopReason reason))
        {
            return Refused(StatusCodes.Status400BadRequest, $"stopReason must be one of {string.Join(", ", Enum.GetValues<StopReason>().Select(Wire))}.");
        }

        var since = AsStored(stopSince);

        var stop = await db.Stops.SingleOrDefaultAsync(s => s.MachineId == machineId && s.Since == since, ct);
        if (stop is null)
        {
            db.Stops.Add(stop = new MachineStop { MachineId = machineId, Since = since });
        }

        (stop.Reason, stop.OperatorId, stop.TerminalId, stop.ReportedAt) = (reason, actor.OperatorId, actor.TerminalId, now);
        await db.SaveChangesAsync(ct);
        return new ShopFloorOutcome(StatusCodes.Status200OK, null, null, false);
    }

    /// <summary>The work centres and machines a terminal's binding names: a work centre, a machine (and its work centre), or an edge's machines.</summary>
    private async Task<(List<WorkCentre> Centres, List<string> Machines)> ScopeAsync(ProductionDbContext db, string binding, CancellationToken ct)
    {
        var centres = await db.WorkCentres.AsNoTracking().Include(c => c.Machines).Where(c => c.Id == binding || c.Machines.Any(m => m.MachineId == binding)).ToListAsync(ct);
        if (centres.Count > 0)
        {
            return centres.Single().Id == binding
                ? (centres, [.. centres.Single().Machines.Select(m => m.MachineId).Order(StringComparer.Ordinal)])
                : (centres, [binding]);
        }

        // A machine in no work centre, or an edge: the machines it reads (and their work centres).
        var ids = await grains.GetGrain<IMachineDirectoryGrain>(IMachineDirectoryGrain.Key).GetMachineIds();
        var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IMachineGrain>(id).GetSnapshot()));
        var machines = snapshots.OfType<MachineSnapshot>().Where(s => s.Id == binding || s.Edge == binding).Select(s => s.Id).Order(StringComparer.Ordinal).ToList();
        var theirs = await db.WorkCentres.AsNoTracking().Include(c => c.Machines).Where(c => c.Machines.Any(m => machines.Contains(m.MachineId))).ToListAsync(ct);
        return (theirs, machines);
    }

    /// <summary>The wire name of a reason: kebab case (material-missing).</summary>
    public static string Wire<TReason>(TReason reason) where TReason : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(reason.ToString());

    private static bool TryParseReason<TReason>(string? text, out TReason reason) where TReason : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TReason>())
        {
            if (Wire(candidate) == text)
            {
                reason = candidate;
                return true;
            }
        }

        reason = default;
        return false;
    }

    /// <summary>PostgreSQL keeps microseconds: a time compared with a stored one is cut to them first.</summary>
    private static DateTimeOffset AsStored(DateTimeOffset time) => new(time.Ticks - (time.Ticks % 10), time.Offset);

    private static ShopFloorOutcome Refused(int status, string problem) => new(status, null, problem, false);

    /// <summary>
    /// The machines' piece counts asked before the action's transaction; one not asked (another terminal moved the
    /// operation to another machine in between) is asked then.
    /// </summary>
    private sealed class PieceCounts(IGrainFactory grains, Dictionary<string, long> known)
    {
        public async Task<long> OfAsync(string machine)
        {
            if (!known.TryGetValue(machine, out var count))
            {
                count = known[machine] = (await ShopFloorQuery.PieceCountsAsync(grains, [machine]))[machine];
            }

            return count;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminal {Terminal}: {Action} applied to operation {Operation}, now {State}")]
    private partial void LogApplied(string action, long operation, OperationState state, string terminal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminal {Terminal} replayed action {Key}: answered as the first time, nothing applied again")]
    private partial void LogReplayed(string terminal, Guid key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Production order {Order} completed: every operation is done")]
    private partial void LogOrderCompleted(string order);
}

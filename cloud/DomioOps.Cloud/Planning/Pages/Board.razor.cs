using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;

namespace DomioOps.Cloud.Planning.Pages;

/// <summary>
/// The schedule board: the planner's schedule on a vis-timeline (Frontend/src/schedule-board.js), a lane per work centre
/// and a row per machine, with each machine's live state (<see cref="MachineChanges"/>). A drag (or the form, for the
/// keyboard) asks the planner what it would do (<see cref="Planner.PreviewAsync"/>), shows that in a dialog, and applies it
/// only when told (<see cref="Planner.ApplyAsync"/>, ProductionOffice). Every reschedule, whoever or whatever made it, is
/// heard from <see cref="Planner.Changed"/>: the board redraws and says what moved.
/// </summary>
public sealed partial class Board : IAsyncDisposable
{
    private const int MaxListed = 50;
    private static readonly TimeSpan Before = TimeSpan.FromHours(2);
    private static readonly TimeSpan After = TimeSpan.FromDays(3);
    private static readonly TimeSpan MinWindow = TimeSpan.FromHours(2);

    private readonly CancellationTokenSource closing = new();
    private ElementReference host;
    private ElementReference applyButton;
    private IJSObjectReference? module;
    private IJSObjectReference? board;
    private DotNetObjectReference<Board>? self;
    private IDisposable? machineSubscription;
    private Action<Schedule>? plannerHandler;
    private bool live;
    private bool canChange;
    private bool applying;
    private bool focusDialog;
    private bool disposed;

    private Schedule schedule = default!;
    private Schedule? preview;
    private SequenceChange? pending;
    private IReadOnlyList<ScheduleMove>? lastMoves;
    private string? movedBecause;
    private string? applyError;
    private List<Lane> lanes = [];
    private readonly Dictionary<string, string> states = new(StringComparer.Ordinal);

    private long formOperation;
    private string? formMachine;
    private int? formPosition;
    private string? formError;

    [CascadingParameter]
    private Task<AuthenticationState> State { get; set; } = default!;

    [Inject]
    private Planner Planner { get; set; } = default!;

    [Inject]
    private WorkCentres Centres { get; set; } = default!;

    [Inject]
    private MachineChanges Changes { get; set; } = default!;

    [Inject]
    private IGrainFactory Grains { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ILogger<Board> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        schedule = Planner.Current;
        var user = (await State).User;
        canChange = (await Authorization.AuthorizeAsync(user, SecurityPolicies.ProductionOffice)).Succeeded;
        var centres = await Centres.ListAsync(closing.Token);
        lanes = [.. centres.Select(c => new Lane(c.Id!, c.Name ?? c.Id!, [.. c.Machines ?? []]))];
        // Work centres or machines the schedule names that the list does not (yet) have: a lane of their own all the same.
        foreach (var op in schedule.Operations)
        {
            if (lanes.Find(l => l.Id == op.WorkCentreId) is not { } lane)
            {
                lanes.Add(lane = new Lane(op.WorkCentreId, op.WorkCentreId, []));
            }

            if (op.MachineId is { } machine && !lane.Machines.Contains(machine))
            {
                lane.Machines.Add(machine);
            }
        }

        if (RendererInfo.IsInteractive)
        {
            machineSubscription = Changes.Subscribe(machine => _ = InvokeAsync(() => HeardAsync(machine)));
        }

        var snapshots = await Task.WhenAll(lanes.SelectMany(l => l.Machines).Distinct().Select(m => Grains.GetGrain<IMachineGrain>(m).GetSnapshot()));
        foreach (var snapshot in snapshots.OfType<MachineSnapshot>())
        {
            states[snapshot.Id] = snapshot.State;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            try
            {
                module = await JS.InvokeAsync<IJSObjectReference>("import", "./" + Assets["dist/schedule-board.js"]);
                self = DotNetObjectReference.Create(this);
                var offset = Time.LocalTimeZone.GetUtcOffset(Time.GetUtcNow());
                board = await module.InvokeAsync<IJSObjectReference>("create", host, self, new
                {
                    locale = CultureInfo.CurrentCulture.Name,
                    offsetMinutes = (int)offset.TotalMinutes,
                });
                await ShowAsync(null);
            }
            catch (JSException e)
            {
                // The board says so itself (data-state="error"); the list, the form and the table still work.
                LogBoardFailed(Logger, e);
            }

            // The planner's thread (or another page's circuit) raises Changed: the page takes it in its own culture.
            var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            plannerHandler = next => _ = InvokeAsync(async () =>
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
                await RescheduledAsync(next);
            });
            Planner.Changed += plannerHandler;
            // A reschedule between the first read and the subscription is not lost.
            if (Planner.Current.Version != schedule.Version)
            {
                await RescheduledAsync(Planner.Current);
            }

            live = true;
            StateHasChanged();
        }

        if (focusDialog && preview is not null)
        {
            focusDialog = false;
            await applyButton.FocusAsync();
        }
    }

    /// <summary>A drop on the board: the operation to <paramref name="position"/> of its work centre's sequence, on <paramref name="machineId"/>.</summary>
    [JSInvokable]
    public Task PreviewMoveAsync(long operationId, int position, string? machineId) =>
        PreviewAsync(new SequenceChange(operationId, position, machineId));

    private async Task PreviewAsync(SequenceChange change)
    {
        applyError = null;
        try
        {
            preview = await Planner.PreviewAsync(change, closing.Token);
            pending = change;
            focusDialog = true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            formError = T["Planning.Board.CannotMove"];
        }

        StateHasChanged();
    }

    private Task PreviewFormAsync()
    {
        formError = null;
        var op = schedule.Operations.FirstOrDefault(o => o.OperationId == formOperation);
        if (op is null)
        {
            formError = T["Planning.Board.ChooseOperationFirst"];
            return Task.CompletedTask;
        }

        var inCentre = schedule.Operations.Count(o => o.WorkCentreId == op.WorkCentreId);
        if (formPosition is not { } position || position < 1 || position > inCentre)
        {
            formError = T["Planning.Board.PositionRange", inCentre];
            return Task.CompletedTask;
        }

        return PreviewAsync(new SequenceChange(op.OperationId, position - 1, string.IsNullOrEmpty(formMachine) ? null : formMachine));
    }

    private void OperationChosen()
    {
        formMachine = null;
        var op = schedule.Operations.FirstOrDefault(o => o.OperationId == formOperation);
        formPosition = op is null ? null : schedule.Operations.Where(o => o.WorkCentreId == op.WorkCentreId).OrderBy(o => o.Start).ToList().IndexOf(op) + 1;
    }

    private IEnumerable<string> FormMachines =>
        schedule.Operations.FirstOrDefault(o => o.OperationId == formOperation) is { } op
            ? lanes.Find(l => l.Id == op.WorkCentreId)?.Machines ?? []
            : [];

    private async Task ApplyAsync()
    {
        if (pending is not { } change || applying)
        {
            return;
        }

        var user = (await State).User;
        if (!(await Authorization.AuthorizeAsync(user, SecurityPolicies.ProductionOffice)).Succeeded)
        {
            canChange = false;
            return;
        }

        applying = true;
        try
        {
            // A live page's circuit has no request: the address is not known (as AdminPage's is not after a reconnect).
            var applied = await Planner.ApplyAsync(change, AuditActor.From(user, null), closing.Token);
            (preview, pending) = (null, null);
            await RescheduledAsync(applied);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            applyError = T["Planning.Board.CannotMove"];
        }
        finally
        {
            applying = false;
        }
    }

    private void Cancel() => (preview, pending, applyError) = (null, null, null);

    private void DialogKey(KeyboardEventArgs e)
    {
        if (e.Key == "Escape")
        {
            Cancel();
        }
    }

    private async Task RescheduledAsync(Schedule next)
    {
        if (disposed || next.Version < schedule.Version || (next.Version == schedule.Version && ReferenceEquals(next, schedule)))
        {
            return;
        }

        schedule = next;
        (lastMoves, movedBecause) = (next.Moves, next.Reason);
        await ShowAsync(next.Moves);
        StateHasChanged();
    }

    private Task HeardAsync(MachineSnapshot machine)
    {
        if (disposed || !lanes.Any(l => l.Machines.Contains(machine.Id)) || states.GetValueOrDefault(machine.Id) == machine.State)
        {
            return Task.CompletedTask;
        }

        states[machine.Id] = machine.State;
        StateHasChanged();
        return board is null ? Task.CompletedTask : CallAsync("states", new Dictionary<string, object>
        {
            [machine.Id] = new { state = machine.State, label = StateName(machine.State) },
        });
    }

    /// <summary>
    /// What the board shows first: the operations (from the earliest, at most <see cref="Before"/> back, to the last, at
    /// most <see cref="After"/> ahead), at least <see cref="MinWindow"/> wide, with a little room either side; so a short
    /// plan is wide enough to read and drag, and an empty one still shows the coming days.
    /// </summary>
    internal static (DateTimeOffset From, DateTimeOffset To) Window(IReadOnlyList<ScheduledOperation> operations, DateTimeOffset now)
    {
        if (operations.Count == 0)
        {
            return (now - Before, now + After);
        }

        var first = operations.Min(o => o.Start);
        first = first < now - Before ? now - Before : first > now ? now : first;
        var last = operations.Max(o => o.End);
        var span = last - first;
        span = span < MinWindow ? MinWindow : span > After ? After : span;
        var margin = span / 20;
        return (first - margin, first + span + margin);
    }

    private Task ShowAsync(IReadOnlyList<ScheduleMove>? moves)
    {
        var (from, to) = Window(schedule.Operations, Time.GetUtcNow());
        return CallAsync("show", new
        {
            version = schedule.Version,
            from = from.ToUnixTimeMilliseconds(),
            to = to.ToUnixTimeMilliseconds(),
            centres = lanes.Select(l => new
            {
                id = l.Id,
                name = l.Name,
                machines = l.Machines.Select(m => new { id = m, state = states.GetValueOrDefault(m) ?? "Unknown", label = StateName(states.GetValueOrDefault(m)) }),
            }),
            operations = schedule.Operations.Select(o => new
            {
                id = o.OperationId,
                centre = o.WorkCentreId,
                machine = o.MachineId,
                start = o.Start.ToUnixTimeMilliseconds(),
                end = o.End.ToUnixTimeMilliseconds(),
                state = o.State.ToString().ToLowerInvariant(),
                label = T["Planning.Board.Item", o.OrderNumber, o.PartName, o.Step].Value,
                title = $"{OperationText(o)}: {When(o.Start)} – {When(o.End)}",
            }),
            moved = (moves ?? []).Select(m => m.OperationId),
        });
    }

    private async Task CallAsync(string action, object argument)
    {
        if (board is null)
        {
            return;
        }

        try
        {
            await board.InvokeVoidAsync(action, argument);
        }
        catch (JSException e)
        {
            LogBoardFailed(Logger, e);
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it.
        }
    }

    /// <summary>Orders whose projected completion or risk the previewed change alters: before and after.</summary>
    private List<(OrderForecast Was, OrderForecast Now)> OrderChanges() =>
        preview is null ? [] : [.. preview.Orders
            .Join(schedule.Orders, p => p.OrderId, c => c.OrderId, (p, c) => (Was: c, Now: p))
            .Where(x => x.Was.Projected != x.Now.Projected || x.Was.AtRisk != x.Now.AtRisk)
            .OrderByDescending(x => x.Now.AtRisk).ThenBy(x => x.Now.Number, StringComparer.Ordinal)
            .Take(MaxListed)];

    private string PendingText()
    {
        if (pending is null || schedule.Operations.FirstOrDefault(o => o.OperationId == pending.OperationId) is not { } op)
        {
            return "";
        }

        return pending.MachineId is { } machine && machine != op.MachineId
            ? T["Planning.Board.PendingMachine", OperationText(op), pending.Position + 1, machine]
            : T["Planning.Board.Pending", OperationText(op), pending.Position + 1];
    }

    private string OperationText(ScheduledOperation op) => T["Planning.Board.OperationText", op.OrderNumber, op.PartName, op.Step, CentreName(op.WorkCentreId)];

    private string CentreName(string id) => lanes.Find(l => l.Id == id)?.Name ?? id;

    private string When(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Time.LocalTimeZone).ToString("g", CultureInfo.CurrentCulture);

    private string Reason(string? reason) => reason switch
    {
        null or "" => T["Planning.Board.Reason.Unknown"],
        _ => T["Planning.Board.Reason", reason],
    };

    /// <summary>How far a date moved: "+1 h 30 min" or "−20 min".</summary>
    private string Shift(TimeSpan by)
    {
        var sign = by < TimeSpan.Zero ? "−" : "+";
        var size = by.Duration();
        return size.TotalHours >= 1
            ? sign + T["Planning.Board.Hours", (int)size.TotalHours, size.Minutes]
            : sign + T["Planning.Board.Minutes", (int)Math.Round(size.TotalMinutes)];
    }

    private string StateName(string? state) => state switch
    {
        "Offline" => T["Board.State.Offline"],
        "Standby" => T["Board.State.Standby"],
        "Ready" => T["Board.State.Ready"],
        "Working" => T["Board.State.Working"],
        "Error" => T["Board.State.Error"],
        _ => T["Board.State.Unknown"],
    };

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        machineSubscription?.Dispose();
        if (plannerHandler is not null)
        {
            Planner.Changed -= plannerHandler;
        }

        await closing.CancelAsync();
        closing.Dispose();
        try
        {
            if (board is not null)
            {
                await board.InvokeVoidAsync("dispose");
                await board.DisposeAsync();
            }

            if (module is not null)
            {
                await module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it.
        }

        self?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The schedule board could not be drawn or updated; the page shows its table")]
    private static partial void LogBoardFailed(ILogger logger, Exception exception);

    private sealed record Lane(string Id, string Name, List<string> Machines);
}

using System.Globalization;

using DomioOps.Cloud.Ingestion;

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging;

namespace DomioOps.Cloud.Machines.Pages;

/// <summary>
/// The machines board. Prerendered with the grains' state (useful HTML before any script), it hands that to its live self,
/// which subscribes to this silo's machine feed (<see cref="MachineChanges"/>), loads again to close the gap, and from then
/// on hears every change; the grains are never polled. A clock re-renders every second for the times in state and the
/// stale rule (<see cref="TickAsync"/>).
/// </summary>
public sealed partial class Board : IDisposable
{
    private const string SeedKey = "machines-board";

    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource closing = new();
    private LiveBoard board = default!;
    private DateTimeOffset now;
    private DateTimeOffset? lastUpdate;
    private bool live;
    private bool disposed;
    private bool completing;
    private bool completeAgain;
    private IDisposable? subscription;
    private ITimer? clock;
    private PersistingComponentStateSubscription persisting;

    [CascadingParameter]
    private Task<AuthenticationState> State { get; set; } = default!;

    [Inject]
    private MachineBoard Boards { get; set; } = default!;

    [Inject]
    private MachineChanges Changes { get; set; } = default!;

    [Inject]
    private PersistentComponentState Persisted { get; set; } = default!;

    [Inject]
    private ILogger<Board> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        board = Boards.Open((await State).User);
        now = Boards.Time.GetUtcNow();
        if (!RendererInfo.IsInteractive)
        {
            await Boards.LoadAsync(board, closing.Token);
            persisting = Persisted.RegisterOnPersisting(() =>
            {
                Persisted.PersistAsJson(SeedKey, board.Seed());
                return Task.CompletedTask;
            }, Microsoft.AspNetCore.Components.Web.RenderMode.InteractiveServer);
            return;
        }

        // The live page starts from what the prerendered one showed (no flicker), subscribes, then loads again: a change
        // heard meanwhile and the grains' snapshots merge, the newer of each machine staying.
        if (Persisted.TryTakeFromJson<BoardSeed>(SeedKey, out var seed) && seed is not null)
        {
            board.Restore(seed, now);
        }

        subscription = Changes.Subscribe(machine => Hand(() => HeardAsync(machine)), edge => Hand(() => HeardAsync(edge)));
        await Boards.LoadAsync(board, closing.Token);
        now = Boards.Time.GetUtcNow();
        // Up to date as of now; from here on, as of the last change heard.
        lastUpdate = now;
        live = true;
        clock = Boards.Time.CreateTimer(_ => Hand(TickAsync), null, Second, Second);
    }

    public void Dispose()
    {
        disposed = true;
        subscription?.Dispose();
        clock?.Dispose();
        persisting.Dispose();
        closing.Cancel();
        closing.Dispose();
    }

    /// <summary>Hands work from the feed's or the clock's thread to this page's renderer; a failure is logged, the page lives on.</summary>
    private void Hand(Func<Task> work) => _ = InvokeAsync(async () =>
    {
        if (disposed)
        {
            return;
        }

        try
        {
            await work();
        }
        catch (OperationCanceledException) when (disposed)
        {
            // The page closed while it was fetching.
        }
        catch (Exception e) when (!disposed)
        {
            LogUpdateFailed(Logger, e);
        }
    });

    private Task HeardAsync(MachineSnapshot machine)
    {
        var at = Boards.Time.GetUtcNow();
        lastUpdate = at;
        var known = board.Knows(machine);
        if (board.Apply(machine, at))
        {
            now = at;
            StateHasChanged();
        }

        // A machine new to the board may bring an edge or a meter the board knows nothing of yet.
        return !known && Boards.NeedsCompleting(board) ? CompleteAsync() : Task.CompletedTask;
    }

    private Task HeardAsync(EdgeSnapshot edge)
    {
        var at = Boards.Time.GetUtcNow();
        lastUpdate = at;
        if (board.Apply(edge))
        {
            now = at;
            StateHasChanged();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The clock: re-renders for the times in state and the stale rule; at the plant's midnight (energy today starts again)
    /// and while something is missing (a meter the history had no reading of, asked again once a minute), completes the board.
    /// </summary>
    private Task TickAsync()
    {
        now = Boards.Time.GetUtcNow();
        StateHasChanged();
        return board.DayTurned(now) || Boards.NeedsCompleting(board) ? CompleteAsync() : Task.CompletedTask;
    }

    /// <summary>One completion at a time; a need that arises meanwhile runs it once more.</summary>
    private async Task CompleteAsync()
    {
        if (completing)
        {
            completeAgain = true;
            return;
        }

        completing = true;
        try
        {
            do
            {
                completeAgain = false;
                await Boards.CompleteAsync(board, closing.Token);
            }
            while (completeAgain && !disposed);
        }
        finally
        {
            completing = false;
        }

        now = Boards.Time.GetUtcNow();
        StateHasChanged();
    }

    private string Clock(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, board.Zone).ToString("T", CultureInfo.CurrentCulture);

    private string EdgeStatus(BoardEdge edge) =>
        edge.Online ? T["Board.Online"]
        : edge.LastSeen is { } seen ? T["Board.OfflineSince", Duration(now - seen)]
        : T["Board.NeverConnected"];

    /// <summary>A duration to the second, in its two largest units.</summary>
    private string Duration(TimeSpan span)
    {
        span = span < TimeSpan.Zero ? TimeSpan.Zero : span;
        return span.TotalMinutes < 1 ? T["Board.Seconds", span.Seconds]
            : span.TotalHours < 1 ? T["Board.Minutes", span.Minutes, span.Seconds]
            : span.TotalDays < 1 ? T["Board.Hours", span.Hours, span.Minutes]
            : T["Board.Days", (int)span.TotalDays, span.Hours];
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The machines board could not take in a change; it shows what it had")]
    private static partial void LogUpdateFailed(ILogger logger, Exception exception);
}

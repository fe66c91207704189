using System.Globalization;

using DomioOps.Models.Wire;

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace DomioOps.Cloud.Machines.Pages;

/// <summary>
/// A machine's page: live values (from the silo's machine feed), a trend of any signal, the state timeline of the shift
/// and of the day, its alarms and its energy per day. Live (Interactive Server), prerendered with everything in it; the
/// prerendered data is carried over to the live page, which then only listens.
/// </summary>
public partial class MachineDetail : IDisposable
{
    private static readonly (TimeSpan Period, string Key)[] AlarmPeriods =
    [
        (TimeSpan.FromHours(24), "Machine.Alarms.Day"),
        (TimeSpan.FromDays(7), "Machine.Alarms.Week"),
        (TimeSpan.FromDays(30), "Machine.Alarms.Month"),
    ];

    /// <summary>Values older than this are shown as last seen: the edge reports every signal at least every 30 s.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>How often the page redraws the times that run (time in state, durations, staleness).</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(15);

    /// <summary>How often the state strips are read again while the state holds (they grow with the time).</summary>
    private static readonly TimeSpan StripsAge = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource closing = new();
    private MachineText text = default!;
    private TimeSpan alarmPeriod = AlarmPeriods[0].Period;
    private IDisposable? subscription;
    private DateTimeOffset stripsRead;
    private bool stateChanged;
    private bool readingStrips;

    [Inject]
    private ILogger<MachineDetail> Logger { get; set; } = default!;

    [Parameter]
    public string Id { get; set; } = "";

    /// <summary>The page's data, read while prerendering and carried over to the live page.</summary>
    [Microsoft.AspNetCore.Components.PersistentState]
    public MachineDetailData? Data { get; set; }

    [CascadingParameter]
    private HttpContext? Http { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> Authentication { get; set; } = default!;

    private DateTimeOffset Now => Time.GetUtcNow();

    private MachineState CurrentState => Enum.TryParse<MachineState>(Data?.Machine.State, out var state) ? state : MachineState.Offline;

    private bool Stale => Data?.Machine.UpdatedAt is not { } updated || Now - updated > StaleAfter;

    private IEnumerable<(Signal Signal, double Value)> LiveValues =>
        (Data?.Machine.Signals ?? new Dictionary<string, double>())
            .Select(pair => (Signal: SignalUnits.Parse(pair.Key), pair.Value))
            .Where(pair => pair.Signal is not null)
            .Select(pair => (pair.Signal!.Value, pair.Value))
            .OrderBy(pair => pair.Item1);

    private IReadOnlyList<Signal> TrendSignals => [.. LiveValues.Select(v => v.Signal)];

    protected override async Task OnInitializedAsync()
    {
        text = new MachineText(T, Calendar.Zone);
        var user = (await Authentication).User;
        Data ??= await Query.ReadAsync(user, Id, alarmPeriod, closing.Token);
        if (Data is null)
        {
            // Prerendered: the answer says what the page says. Set as the response starts: Blazor's renderer takes a 404
            // set while it renders for a page not found by the router, and sends no body.
            if (Http is { Response.HasStarted: false } http)
            {
                http.Response.OnStarting(() =>
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            }

            return;
        }

        stripsRead = Data.LoadedAt;
        if (RendererInfo.IsInteractive)
        {
            subscription = Changes.Subscribe(machine =>
            {
                if (machine.Id == Id)
                {
                    _ = InvokeAsync(() => ApplyAsync(machine));
                }
            });
            _ = TickAsync();
        }
    }

    private async Task ApplyAsync(MachineSnapshot machine)
    {
        if (Data is not { } data || closing.IsCancellationRequested)
        {
            return;
        }

        var alarmChanged = machine.ActiveAlarm != data.Machine.ActiveAlarm;
        stateChanged |= machine.State != data.Machine.State;
        Data = data with { Machine = machine };
        StateHasChanged();
        if (alarmChanged)
        {
            await ReadAlarmsAsync();
        }
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(Tick, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(closing.Token))
            {
                await InvokeAsync(async () =>
                {
                    if (stateChanged || Now - stripsRead >= StripsAge)
                    {
                        await ReadStripsAsync();
                    }

                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed.
        }
    }

    private async Task ReadStripsAsync()
    {
        if (readingStrips || Data is null || closing.IsCancellationRequested)
        {
            return;
        }

        readingStrips = true;
        try
        {
            var now = Now;
            var (shift, day) = await Query.ReadStripsAsync(Id, now, closing.Token);
            Data = Data with { Shift = shift, Day = day };
            (stateChanged, stripsRead) = (false, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The strips shown stay; the next tick tries again.
            MachinePageLog.ReadFailed(Logger, Id, "state timeline", e);
        }
        finally
        {
            readingStrips = false;
        }
    }

    private async Task ChooseAlarmPeriodAsync(TimeSpan period)
    {
        alarmPeriod = period;
        await ReadAlarmsAsync();
    }

    private async Task ReadAlarmsAsync()
    {
        if (closing.IsCancellationRequested)
        {
            return;
        }

        try
        {
            var (window, alarms) = await Query.ReadAlarmsAsync(Id, alarmPeriod, closing.Token);
            Data = Data! with { AlarmWindow = window, Alarms = alarms };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            MachinePageLog.ReadFailed(Logger, Id, "alarms", e);
        }
    }

    private static string Bar(double? value, double most) =>
        (value is { } v && most > 0 ? Math.Clamp(v / most, 0, 1) * 100 : 0).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public void Dispose()
    {
        subscription?.Dispose();
        closing.Cancel();
        closing.Dispose();
        GC.SuppressFinalize(this);
    }
}

internal static partial class MachinePageLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The page of machine {Machine} could not read its {Part}")]
    public static partial void ReadFailed(ILogger logger, string machine, string part, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The trend chart of machine {Machine} failed in the browser")]
    public static partial void ChartFailed(ILogger logger, string machine, Exception exception);
}

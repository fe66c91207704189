using System.Globalization;

using DomioOps.Cloud.Office.Customers;

using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace DomioOps.Cloud.Office.Sales.Pages;

/// <summary>
/// The pipeline board: a column per stage, a card per deal, moved by drag and drop or by the card's "move to stage"
/// select. Live for everyone looking: every silo hears a move through the sales feed (<see cref="SalesChanges"/>) and the
/// board reloads; who else has it open comes from the pipeline's <see cref="IPresenceGrain"/>, renewed while open.
/// </summary>
public sealed partial class DealBoard
{
    private readonly string session = Guid.NewGuid().ToString("N");
    private IReadOnlyList<Pipeline> pipelines = [];
    private Pipeline? pipeline;
    private long pipelineId;
    private IReadOnlyList<Deal> deals = [];
    private IReadOnlyList<Customer> customers = [];
    private List<string> others = [];
    private string? newTitle;
    private string? newCustomer;
    private decimal? newValue;
    private DateOnly? newClose;
    private ElementReference host;
    private IDisposable? subscription;
    private ITimer? lease;
    private string? me;
    private IJSObjectReference? module;
    private IJSObjectReference? dragDrop;
    private DotNetObjectReference<DealBoard>? self;
    private bool disposed;

    [SupplyParameterFromQuery(Name = "pipeline")]
    public long? PipelineQuery { get; set; }

    [Inject]
    private Deals Deals { get; set; } = default!;

    [Inject]
    private SalesChanges Changes { get; set; } = default!;

    [Inject]
    private IGrainFactory Grains { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ILogger<DealBoard> Logger { get; set; } = default!;

    private static bool Russian => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru";

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        pipelines = await Deals.PipelinesAsync(CancellationToken.None);
        pipeline = pipelines.FirstOrDefault(p => p.Id == PipelineQuery) ?? (pipelines.Count > 0 ? pipelines[0] : null);
        pipelineId = pipeline?.Id ?? 0;
        if (CanAct)
        {
            customers = (await Customers.ListAsync(new CustomerQuery(PageSize: 200), CancellationToken.None)).Items;
        }

        me = await UserNameAsync();
        if (RendererInfo.IsInteractive)
        {
            await WatchAsync();
            lease = Time.CreateTimer(_ => Hand(LookAsync), null, IPresenceGrain.Lease / 3, IPresenceGrain.Lease / 3);
        }

        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && CanAct)
        {
            try
            {
                module = await JS.InvokeAsync<IJSObjectReference>("import", "./" + Assets["office/deal-board.js"]);
                self = DotNetObjectReference.Create(this);
                dragDrop = await module.InvokeAsync<IJSObjectReference>("attach", host, self);
            }
            catch (JSException e)
            {
                // Drag and drop is a convenience: each card's select still moves it.
                LogDragDropFailed(Logger, e);
            }
        }
    }

    /// <summary>A card dropped on a column (from the board's script).</summary>
    [JSInvokable]
    public Task Drop(long dealId, long stageId) =>
        deals.FirstOrDefault(d => d.Id == dealId) is { } deal && deal.StageId != stageId
            ? InvokeAsync(async () =>
            {
                await MoveAsync(deal, stageId.ToString(CultureInfo.InvariantCulture));
                StateHasChanged();
            })
            : Task.CompletedTask;

    private async Task LoadAsync() => deals = pipeline is null ? [] : await Deals.ListAsync(pipeline.Id, null, CancellationToken.None);

    private async Task PipelineChangedAsync(ChangeEventArgs e)
    {
        if (!long.TryParse(e.Value?.ToString(), CultureInfo.InvariantCulture, out var id) || pipelines.FirstOrDefault(p => p.Id == id) is not { } chosen)
        {
            return;
        }

        await LeaveAsync();
        (pipeline, pipelineId) = (chosen, chosen.Id);
        await WatchAsync();
        await LoadAsync();
    }

    /// <summary>Hears the pipeline's changes and says this page is looking.</summary>
    private async Task WatchAsync()
    {
        subscription?.Dispose();
        if (pipeline is null)
        {
            return;
        }

        var topic = SalesChange.PipelineTopic(pipeline.Id);
        subscription = Changes.Subscribe(topic, change => Hand(() => HeardAsync(change)));
        await LookAsync();
    }

    private async Task LookAsync()
    {
        if (pipeline is null || disposed)
        {
            return;
        }

        var lookers = await Grains.GetGrain<IPresenceGrain>(SalesChange.PipelineTopic(pipeline.Id)).Look(new Looker(session, me ?? "?"));
        Show(lookers);
    }

    private void Show(IReadOnlyList<Looker> lookers) =>
        others = [.. lookers.Where(l => l.Session != session).Select(l => l.Name).Distinct(StringComparer.Ordinal)];

    private async Task LeaveAsync()
    {
        if (pipeline is not null)
        {
            await Grains.GetGrain<IPresenceGrain>(SalesChange.PipelineTopic(pipeline.Id)).Leave(session);
        }
    }

    private async Task HeardAsync(SalesChange change)
    {
        if (pipeline is null || change.Topic != SalesChange.PipelineTopic(pipeline.Id))
        {
            return;
        }

        if (change.Lookers is { } lookers)
        {
            Show(lookers);
        }
        else
        {
            await LoadAsync();
        }

        StateHasChanged();
    }

    private async Task CreateAsync()
    {
        if (await ActingAsync() is not { } actor || pipeline is null)
        {
            return;
        }

        ErrorTarget = "new";
        long? customerId = long.TryParse(newCustomer, CultureInfo.InvariantCulture, out var c) ? c : null;
        var change = await Deals.CreateAsync(actor, await UserNameAsync(), await UserIdAsync(),
            new DealDraft(customerId, pipeline.Id, newTitle, newValue, ExpectedClose: newClose), CancellationToken.None);
        if (Answer(change, Localizer["Sales.Deals.Created", change.Value?.Title ?? ""]))
        {
            (newTitle, newCustomer, newValue, newClose) = (null, null, null, null);
            await LoadAsync();
        }
    }

    private async Task MoveAsync(Deal deal, object? value)
    {
        if (!long.TryParse(value?.ToString(), CultureInfo.InvariantCulture, out var stageId) || await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = $"deal-{deal.Id}";
        var change = await Deals.MoveAsync(actor, deal.Id, new DealMove(stageId, deal.Version), CancellationToken.None);
        var stage = pipeline?.Stages.FirstOrDefault(s => s.Id == stageId);
        Answer(change, Localizer["Sales.Deals.Moved", deal.Title, stage?.Name(Russian) ?? ""]);
        await LoadAsync();
    }

    private static string Money(decimal value) => value.ToString("N2", CultureInfo.CurrentCulture) + " ₽";

    /// <summary>Hands work from the feed's or the lease's thread to this page's renderer; a failure is logged, the page lives on.</summary>
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
        catch (Exception e) when (!disposed)
        {
            LogUpdateFailed(Logger, e);
        }
    });

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            subscription?.Dispose();
            lease?.Dispose();
            self?.Dispose();
            _ = ReleaseAsync();
        }

        base.Dispose(disposing);
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await LeaveAsync();
            if (dragDrop is not null)
            {
                await dragDrop.InvokeVoidAsync("dispose");
                await dragDrop.DisposeAsync();
            }

            if (module is not null)
            {
                await module.DisposeAsync();
            }
        }
        catch (Exception e) when (e is JSDisconnectedException or OrleansException or TimeoutException or ObjectDisposedException)
        {
            // The circuit or the silo went first: the lease runs out on its own.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The deal board's drag and drop did not start")]
    private static partial void LogDragDropFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The deal board could not take a change")]
    private static partial void LogUpdateFailed(ILogger logger, Exception e);
}

using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using Npgsql;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Planning;

/// <summary>
/// The small shop of <see cref="ProductionCloud"/> with a second panel saw (saw-02), so an operation can change machines,
/// working around the clock (a test's now is always working time) with orders the real planner has scheduled.
/// </summary>
public sealed class TwoSawsCloud : ProductionCloud, IAsyncLifetime
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        // No periodic refresh (every 5 min by default): a test that counts schedule versions sees only its own changes.
        [.. base.Settings, new("Production:WorkCentres:0:Machines:1", "saw-02"), new("Planning:Debounce", "00:00:00.200"), new("Planning:Refresh", "1.00:00:00")];

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await base.InitializeAsync();
        await QueryAsync(async db =>
        {
            foreach (var centre in await db.WorkCentres.ToListAsync())
            {
                centre.Calendar = new WorkCalendar();
            }

            return await db.SaveChangesAsync();
        });

        // Enough saw work for both saws: every order is cut, edged and routed.
        for (var i = 1; i <= 6; i++)
        {
            await CreateOrderAsync($"PG-{i}-{Guid.NewGuid():N}"[..12], Panel($"Door {i}", 40, edge: "ABS 0.4", program: $"door-{i}.mpr"), Panel($"Side {i}", 30));
        }

        await App.Services.GetRequiredService<Planner>().RescheduleAsync("test orders", CancellationToken.None);
    }
}

/// <summary>
/// The planner's pages in Chromium against the real host (the planner as the contract shapes it): the load heat map and
/// the orders at risk; the schedule board with each machine's live state, where a drag onto the other saw shows its
/// consequences in a dialog and, applied, redraws this board and another planner's; in Russian and at 360 px; axe on each.
/// </summary>
public sealed class PlanningPagesTests(TwoSawsCloud cloud) : IClassFixture<TwoSawsCloud>, IAsyncLifetime
{
    private Browser _browser = null!;
    private ulong _sequence;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Capacity_Planner_HeatMapDrawsAndEveryOrderHasItsForecast()
    {
        var page = await SignedInAsync("en-US", 1280);

        await page.GotoAsync("/planning");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Capacity and due dates");
        await Expect(page.Locator("nav a[href='/planning']")).ToHaveTextAsync("Capacity");
        await Expect(page.Locator("#capacity-heatmap")).ToHaveAttributeAsync("data-state", "ready");
        await Expect(page.Locator("#capacity-table tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#forecast-table tbody tr").First).ToBeVisibleAsync();
        var orders = await page.Locator("#forecast-table tbody tr").CountAsync();
        var atRisk = await page.Locator("#forecast-table tr[data-at-risk='true']").CountAsync();
        await Expect(page.Locator("#orders-at-risk")).ToHaveTextAsync($"{atRisk} of {orders} orders at risk.");
        if (atRisk > 0)
        {
            await Expect(page.Locator("#forecast-table tbody tr").First).ToHaveAttributeAsync("data-at-risk", "true");
            await Expect(page.Locator("#forecast-table tbody tr").First.Locator(".risk-badge")).ToHaveTextAsync("At risk");
        }

        await Browser.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Board_DragOntoTheOtherSaw_PreviewThenApply_BothBoardsRedrawAndSayWhatMoved()
    {
        var page = await SignedInAsync("en-US", 1400);
        var other = await SignedInAsync("en-US", 1280);
        await OpenBoardAsync(other);
        await OpenBoardAsync(page);
        var version = (await page.Locator("#board-version").GetAttributeAsync("data-version"))!;
        await Expect(page.Locator("#board-lanes li[data-machine='saw-02']")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        // The live state beside the lanes follows the machine.
        await cloud.ReportAsync("saw-01", "edge-b", (Interlocked.Increment(ref _sequence), Signal.MachineState, (double)MachineState.Working, DateTimeOffset.UtcNow));
        await Expect(page.Locator("#board-lanes li[data-machine='saw-01']")).ToHaveAttributeAsync("data-state", "Working");
        await Expect(page.Locator("#board-lanes li[data-machine='saw-01'] .machine-state")).ToHaveTextAsync("Working");

        // The first operation on saw-01, dragged onto saw-02's row, after that row's first operation.
        var first = page.Locator("#board-table tr[data-machine='saw-01']").First;
        var draggedId = (await first.GetAttributeAsync("data-operation"))!;
        var order = (await first.GetAttributeAsync("data-order"))!;
        var targetId = (await page.Locator("#board-table tr[data-machine='saw-02']").First.GetAttributeAsync("data-operation"))!;
        var dragged = page.Locator($"#schedule-board .vis-item.op-id-{draggedId}");
        var target = page.Locator($"#schedule-board .vis-item.op-id-{targetId}");
        await Expect(dragged).ToBeVisibleAsync();
        await Expect(target).ToBeVisibleAsync();
        var from = (await dragged.BoundingBoxAsync())!;
        var to = (await target.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(from.X + (from.Width / 2), from.Y + (from.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(from.X + (from.Width / 2) + 20, from.Y + (from.Height / 2) + 5, new() { Steps = 5 });
        await page.Mouse.MoveAsync(to.X + to.Width + (from.Width / 2) + 10, to.Y + (to.Height / 2), new() { Steps = 15 });
        await page.Mouse.UpAsync();

        var dialog = page.Locator("#board-preview");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(page.Locator("#board-preview-what")).ToContainTextAsync(order);
        await Expect(page.Locator("#board-preview-what")).ToContainTextAsync("on saw-02");
        await Expect(page.Locator("#board-apply")).ToBeFocusedAsync();
        await Browser.AssertAccessibleAsync(page);
        // Nothing is applied by a preview.
        await Expect(page.Locator("#board-version")).ToHaveAttributeAsync("data-version", version);

        await page.Locator("#board-apply").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        var next = (long.Parse(version, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.Locator("#board-version")).ToHaveAttributeAsync("data-version", next);
        await Expect(page.Locator("#schedule-board")).ToHaveAttributeAsync("data-version", next);
        await Expect(page.Locator("#board-moves li").First).ToBeVisibleAsync();
        await Expect(page.Locator($"#board-table tr[data-operation='{draggedId}']")).ToHaveAttributeAsync("data-machine", "saw-02");

        // Another planner's board hears the change without a reload.
        await Expect(other.Locator("#board-version")).ToHaveAttributeAsync("data-version", next);
        await Expect(other.Locator("#board-moves li").First).ToBeVisibleAsync();
        await Expect(other.Locator("#schedule-board .vis-item.moved").First).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Board_OperatorMovesByTheForm_SeesTheConsequencesButMayNotApply()
    {
        var page = await SignedInAsync("en-US", 1280, DomioRoles.Operator);
        await OpenBoardAsync(page);

        // Without a mouse: an operation of saw-01, first in the saw's sequence, on saw-02.
        var row = page.Locator("#board-table tr[data-machine='saw-01']").First;
        var order = (await row.GetAttributeAsync("data-order"))!;
        var operation = (await row.GetAttributeAsync("data-operation"))!;
        await page.Locator("#move-operation").SelectOptionAsync(operation);
        await page.Locator("#move-machine").SelectOptionAsync("saw-02");
        await page.Locator("#move-position").FillAsync("1");
        await page.Locator("#move-preview").ClickAsync();

        await Expect(page.Locator("#board-preview")).ToBeVisibleAsync();
        await Expect(page.Locator("#board-preview-what")).ToContainTextAsync(order);
        await Expect(page.Locator("#board-preview-what")).ToContainTextAsync("place 1");
        await Expect(page.Locator("#board-cannot-apply")).ToBeVisibleAsync();
        await Expect(page.Locator("#board-apply")).ToBeDisabledAsync();
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#board-cancel").FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#board-preview")).ToHaveCountAsync(0);
        // Nothing was applied. (The schedule's version may still move: the planner reschedules by itself as time passes.)
        await using var connection = new NpgsqlConnection(cloud.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var overrides = new NpgsqlCommand("""SELECT count(*) FROM planning_sequence_overrides WHERE "OperationId" = @operation""", connection);
        overrides.Parameters.AddWithValue("operation", long.Parse(operation, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0L, (long)(await overrides.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }

    [Fact]
    public async Task PlanningPages_RussianAt360Pixels_RussianWordsNoSidewaysScrollAndAccessible()
    {
        var page = await SignedInAsync("ru-RU", 360);

        await page.GotoAsync("/planning");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Загрузка и сроки");
        await Expect(page.Locator("#capacity-heatmap")).ToHaveAttributeAsync("data-state", "ready");
        await Expect(page.Locator("#forecast-table thead")).ToContainTextAsync("Заказчик");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The capacity page scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(page);

        await page.GotoAsync("/planning/board");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Доска планирования");
        await Expect(page.Locator(".schedule-board-page[data-live='true']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(page.Locator("#schedule-board")).ToHaveAttributeAsync("data-state", "ready");
        await Expect(page.Locator("#move-preview")).ToHaveTextAsync("Показать, что изменится");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "The board scrolls sideways at 360 px.");
        await Browser.AssertAccessibleAsync(page);
    }

    private static async Task OpenBoardAsync(IPage page)
    {
        await page.GotoAsync("/planning/board");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Schedule board");
        await Expect(page.Locator(".schedule-board-page[data-live='true']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(page.Locator("#schedule-board")).ToHaveAttributeAsync("data-state", "ready");
        await Expect(page.Locator("#schedule-board .vis-item").First).ToBeVisibleAsync();
    }

    private async Task<IPage> SignedInAsync(string locale, int width, string role = DomioRoles.Planner)
    {
        var userName = $"person-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, role);
        var page = await _browser.NewPageAsync(cloud.BaseAddress, locale, width: width, height: 900);
        await Browser.SignInAsync(page, userName, password);
        return page;
    }
}

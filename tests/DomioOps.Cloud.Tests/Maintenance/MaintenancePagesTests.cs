using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Maintenance.Work;
using DomioOps.Cloud.Security;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.Playwright;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Maintenance;

/// <summary>
/// The maintenance pages in Chromium against the real host, walked as a maintenance engineer walks them, over the alert a
/// degrading simulated spindle raised (<see cref="DegradingSpindle"/>, once per host): the alert with its reasons,
/// acknowledged; the machine's health with the trend of the signal that drove it; a work order from the alert, ticked,
/// timed and closed as a repair, which resolves the alert as prevented; the model registry and the model's report. In
/// Russian at 360 px too; axe on every page.
/// </summary>
public sealed class MaintenancePagesTests(MaintenanceCloud cloud) : IClassFixture<MaintenanceCloud>, IAsyncLifetime
{
    /// <summary>Samples of each signal behind the alert that the set-up writes to history, the last a few seconds before the pages open.</summary>
    private const int RecentSamples = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The set-up of each host, done by the first test that needs it (the facts of a class run one after another).</summary>
    private static readonly ConditionalWeakTable<MaintenanceCloud, Task<RaisedAlert>> SetUps = new();

    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task MaintenancePages_EngineerAcknowledgesPlansAndRepairs_AlertResolvedAsPreventedAndModelReportOpens()
    {
        var ct = TestContext.Current.CancellationToken;
        var (model, raised, _) = await SetUpAsync(ct);
        var (page, engineer) = await SignedInAsync("en-US", 1920);
        using var admin = await cloud.AdminAsync(ct);

        // The alerts page: the alert, its machine, severity, probability and horizon, and why, in words.
        await OpenAsync(page, "/maintenance");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Maintenance alerts");
        var alert = page.Locator($"#alert-{raised.Id}");
        await Expect(alert).ToHaveAttributeAsync("data-status", "Raised");
        await Expect(alert.Locator(".alert-machine")).ToHaveTextAsync("cnc-01");
        await Expect(alert.Locator(".alert-head .severity")).ToHaveTextAsync(English(raised.Severity));
        await Expect(alert.Locator(".alert-prediction")).ToHaveTextAsync($"failure {Percent(raised.PeakProbability)} likely within 12 h");
        await Expect(alert.Locator(".alert-reasons-label")).ToHaveTextAsync("Why:");
        await Expect(alert.Locator(".alert-reasons li")).ToHaveTextAsync(raised.Reasons.Take(3).Select(r => r.Text).ToArray());
        await Expect(page.Locator("#alerts-by-machine tr[data-machine='cnc-01'] td").First).ToHaveTextAsync("1");
        await Browser.AssertAccessibleAsync(page);

        // Acknowledged through the page: the page says so, and so does the API.
        await page.Locator($"#alert-{raised.Id}-acknowledge").ClickAsync();
        await Expect(page.Locator("#maintenance-message")).ToHaveTextAsync("The alert on cnc-01 is acknowledged.");
        await Expect(alert).ToHaveAttributeAsync("data-status", "Acknowledged");
        await Expect(alert.Locator(".alert-status")).ToHaveTextAsync("Acknowledged");
        await Expect(alert.Locator(".alert-when")).ToContainTextAsync($"acknowledged by {engineer}");
        await Expect(page.Locator($"#alert-{raised.Id}-acknowledge")).ToHaveCountAsync(0);
        var acknowledged = await AlertAsync(admin, raised.Id, ct);
        Assert.Equal((AlertStatus.Acknowledged, engineer), (acknowledged.Status, acknowledged.AcknowledgedBy));
        await Browser.AssertAccessibleAsync(page);

        // The machine's health from the alert: at risk, and the trend of the signal that drove the alert most.
        await alert.Locator(".alert-machine").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/maintenance/machines/cnc-01$"));
        await Expect(page.Locator(".maintenance-page[data-live='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Health of cnc-01");
        await Expect(page.Locator("#health-summary")).ToContainTextAsync($"At risk: failure {Percent(acknowledged.LastProbability)} likely within 12 h.");
        await Expect(page.Locator("#trend-heading")).ToHaveTextAsync("Signals that drove its alerts");
        var strongest = Strongest(raised);
        await Expect(page.Locator("#trend-signal option").First).ToHaveAttributeAsync("value", strongest.ToString());
        await AssertTrendDrawnAsync(page, strongest);
        await Browser.AssertAccessibleAsync(page);

        // A work order from the alert: the form comes filled in for its machine; the engineer writes the task and the steps.
        await page.Locator($"#alert-{raised.Id}-work-order").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/maintenance/work-orders\\?alert={raised.Id}$"));
        await Expect(page.Locator(".maintenance-page[data-live='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Work orders");
        await Expect(page.Locator("#wo-alert")).ToHaveTextAsync($"for alert #{raised.Id}");
        await Expect(page.Locator("#wo-machine")).ToHaveValueAsync("cnc-01");
        await Expect(page.Locator("#wo-title")).ToHaveValueAsync($"cnc-01: check {raised.Reasons[0].Text}");
        await Browser.AssertAccessibleAsync(page);
        await page.Locator("#wo-title").FillAsync("Replace the spindle bearings");
        await page.Locator("#wo-checklist").FillAsync("Lock out\nReplace bearings\nTest run");
        await page.Locator("#wo-create").ClickAsync();
        var planned = page.Locator("#work-orders-message");
        await Expect(planned).ToHaveTextAsync(new Regex(@"^Work order #\d+ on cnc-01 is planned\.$"));
        var id = long.Parse(Regex.Match((await planned.TextContentAsync())!, @"#(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var order = page.Locator($"#work-order-{id}");
        await Expect(order).ToHaveAttributeAsync("data-status", "Planned");
        await Expect(order.Locator("strong")).ToHaveTextAsync($"#{id} Replace the spindle bearings");
        await Expect(order).ToContainTextAsync($"for alert #{raised.Id}");
        await Expect(order.Locator(".work-order-checklist label")).ToHaveTextAsync(new[] { "Lock out", "Replace bearings", "Test run" });

        // A step ticked, then the time and the parts recorded.
        await page.Locator($"#wo-{id}-item-0").CheckAsync();
        await Expect(page.Locator("#work-orders-message")).ToHaveTextAsync($"Work order #{id} is updated.");
        await Expect(page.Locator($"#wo-{id}-item-0")).ToBeCheckedAsync();
        await page.Locator($"#wo-{id}-minutes").FillAsync("45");
        await page.Locator($"#wo-{id}-parts").FillAsync("bearing 6205 x 2, grease x 0.5");
        await page.Locator($"#wo-{id}-record").ClickAsync();
        await Expect(order).ToContainTextAsync("45 min spent");
        await Expect(order).ToContainTextAsync("parts: bearing 6205 × 2, grease × 0.5");
        await Browser.AssertAccessibleAsync(page);
        var progressed = (await admin.GetFromJsonAsync<WorkOrder>($"api/maintenance/work-orders/{id}", Json, ct))!;
        Assert.Equal(("cnc-01", raised.Id, "Replace the spindle bearings"), (progressed.MachineId, progressed.AlertId, progressed.Title));
        Assert.Equal<ChecklistItem>([new("Lock out", true), new("Replace bearings", false), new("Test run", false)], progressed.Checklist);
        Assert.Equal<PartUsed>([new("bearing 6205", 2m), new("grease", 0.5m)], progressed.PartsUsed);
        Assert.Equal(45, progressed.MinutesSpent);

        // Closed as a repair: the order is done, and the alert resolved with the verdict "prevented".
        await page.Locator($"#wo-{id}-repair").ClickAsync();
        await Expect(page.Locator("#work-orders-message")).ToHaveTextAsync($"Work order #{id} is closed; the machine's capacity is back.");
        await Expect(order).ToHaveAttributeAsync("data-status", "Done");
        await Expect(order.Locator(".work-order-status")).ToHaveTextAsync("Done");
        await Expect(order).ToContainTextAsync($"repaired by {engineer}");
        await Expect(page.Locator($"#wo-{id}-repair")).ToHaveCountAsync(0);
        await Browser.AssertAccessibleAsync(page);
        var resolved = await AlertAsync(admin, raised.Id, ct);
        Assert.Equal((AlertStatus.Resolved, AlertVerdict.Prevented, engineer), (resolved.Status, resolved.Verdict, resolved.ResolvedBy));

        // No longer among the open alerts; among all of them, resolved.
        await OpenAsync(page, "/maintenance");
        await Expect(page.Locator("#alerts-empty")).ToHaveTextAsync("No alerts.");
        await Expect(alert).ToHaveCountAsync(0);
        await page.Locator("#alerts-all").ClickAsync();
        await Expect(alert).ToHaveAttributeAsync("data-status", "Resolved");
        await Expect(alert.Locator(".alert-when")).ToContainTextAsync($"resolved by {engineer}");
        await Expect(alert.Locator(".alert-when")).ToContainTextAsync("Failure prevented");
        await Browser.AssertAccessibleAsync(page);

        // The model registry: the CNC model, active, and its evaluation report with its charts.
        await OpenAsync(page, "/maintenance/models");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Failure models");
        var row = page.Locator($"#models tr[data-model='{model.Id}']");
        await Expect(row).ToHaveAttributeAsync("data-active", "true");
        await Expect(row.Locator("th")).ToHaveTextAsync("CNC router");
        await Expect(row.Locator("td").First).ToHaveTextAsync("1");
        await Expect(row).ToContainTextAsync("12 h");
        await Expect(row.Locator("strong")).ToHaveTextAsync("Active");
        await Browser.AssertAccessibleAsync(page);
        var report = await page.RunAndWaitForPopupAsync(() => row.Locator($"#model-{model.Id}-report").ClickAsync());
        await Expect(report).ToHaveURLAsync(new Regex($"/api/maintenance/models/{model.Id}/report$"));
        await Expect(report.Locator("h1")).ToHaveTextAsync("CNC router failure model, trained e2e");
        await Expect(report.Locator("figure figcaption").First).ToHaveTextAsync("Precision-recall curve");
        await Expect(report.Locator("figure svg").First).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(report);
    }

    [Fact]
    public async Task MaintenancePages_RussianAt360Pixels_RussianWordsNoSidewaysScrollAndAccessible()
    {
        var ct = TestContext.Current.CancellationToken;
        var (model, raised, _) = await SetUpAsync(ct);
        var (page, _) = await SignedInAsync("ru-RU", 360);

        // All alerts: open or, when the other test has run, resolved.
        await OpenAsync(page, "/maintenance");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Предупреждения об отказах");
        await page.Locator("#alerts-all").ClickAsync();
        await Expect(page.Locator("#alerts-all")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#alerts-machines-heading")).ToHaveTextAsync("По станкам");
        var alert = page.Locator($"#alert-{raised.Id}");
        await Expect(alert.Locator(".alert-head .severity")).ToHaveTextAsync(Russian(raised.Severity));
        await Expect(alert.Locator(".alert-reasons-label")).ToHaveTextAsync("Почему:");
        await Expect(alert.Locator(".alert-prediction")).ToContainTextAsync("отказ с вероятностью");
        await AssertNoSidewaysScrollAsync(page);
        await Browser.AssertAccessibleAsync(page);

        await OpenAsync(page, "/maintenance/machines/cnc-01");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Состояние cnc-01");
        await Expect(page.Locator("#trend-heading")).ToHaveTextAsync("Сигналы, вызвавшие предупреждения");
        await AssertTrendDrawnAsync(page, Strongest(raised));
        await AssertNoSidewaysScrollAsync(page);
        await Browser.AssertAccessibleAsync(page);

        await OpenAsync(page, $"/maintenance/work-orders?alert={raised.Id}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Наряды на работы");
        await Expect(page.Locator("#work-order-new-heading")).ToHaveTextAsync("Запланировать наряд");
        await Expect(page.Locator("#wo-alert")).ToHaveTextAsync($"по предупреждению №{raised.Id}");
        await Expect(page.Locator("#wo-create")).ToHaveTextAsync("Запланировать");
        await AssertNoSidewaysScrollAsync(page);
        await Browser.AssertAccessibleAsync(page);

        await OpenAsync(page, "/maintenance/models");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Модели отказов");
        await Expect(page.Locator($"#models tr[data-model='{model.Id}'] th")).ToHaveTextAsync("Фрезерный станок с ЧПУ");
        await Expect(page.Locator($"#models tr[data-model='{model.Id}'] strong")).ToHaveTextAsync("Активна");
        await AssertNoSidewaysScrollAsync(page);
        await Browser.AssertAccessibleAsync(page);
    }

    /// <summary>
    /// The alert of the degrading spindle, and the last few minutes of each signal behind it as an edge reports them (the
    /// simulated history is months old, and the health page's trend ends now).
    /// </summary>
    private Task<RaisedAlert> SetUpAsync(CancellationToken ct) => SetUps.GetValue(cloud, c => SetUpAsync(c, ct));

    private static async Task<RaisedAlert> SetUpAsync(MaintenanceCloud cloud, CancellationToken ct)
    {
        var raised = await DegradingSpindle.RaiseAsync(cloud, ct);
        Assert.Contains(raised.Alert.Reasons, r => r.Signal is not null);
        var now = DateTimeOffset.UtcNow;
        ulong sequence = 0;
        var samples = raised.Alert.Reasons.Where(r => r.Signal is not null).Select(r => (Signal)r.Signal!.Value).Distinct()
            .SelectMany(signal => Enumerable.Range(0, RecentSamples).Select(i => (signal, i)))
            .Select(s => new EdgeSample(DegradingSpindle.Machine,
                new MachineSample(++sequence, s.signal, now.AddSeconds(-15 * (RecentSamples - s.i)), 1 + (0.05 * s.i), null)))
            .ToList();
        Assert.Equal(samples.Count, await cloud.Get<TelemetryHistory>().AppendAsync(EdgeGrain.Key("plant", "edge-maintenance"), samples, ct));
        return raised;
    }

    /// <summary>The chart shows <paramref name="signal"/> of the last hour: the samples the set-up wrote.</summary>
    private static async Task AssertTrendDrawnAsync(IPage page, Signal signal)
    {
        await page.Locator("#trend-signal").SelectOptionAsync(signal.ToString());
        var chart = page.Locator("#trend");
        await Expect(chart).ToHaveAttributeAsync("data-query", new Regex($"(^|&)signal={signal}&"));
        await Expect(chart).ToHaveAttributeAsync("data-state", "ready");
        Assert.Equal(RecentSamples, await chart.EvaluateAsync<int>("element => element.trendData.data[0].length"));
        await Expect(chart.Locator("canvas")).ToBeVisibleAsync();
    }

    /// <summary>The signal of the alert's strongest reason that has one: the health page offers it first.</summary>
    private static Signal Strongest(MaintenanceAlert alert) =>
        (Signal)alert.Reasons.Where(r => r.Signal is not null).MaxBy(r => Math.Abs(r.Contribution))!.Signal!.Value;

    private static async Task<MaintenanceAlert> AlertAsync(HttpClient admin, long id, CancellationToken ct) =>
        (await admin.GetFromJsonAsync<MaintenanceAlert>($"api/maintenance/alerts/{id}", Json, ct))!;

    private static string Percent(float probability) => probability.ToString("P0", CultureInfo.GetCultureInfo("en"));

    private static string English(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "Critical",
        AlertSeverity.Warning => "Warning",
        _ => "Info",
    };

    private static string Russian(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "Критично",
        AlertSeverity.Warning => "Предупреждение",
        _ => "Сведения",
    };

    /// <summary>Opens a page and waits until it is live (its buttons act).</summary>
    private static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await Expect(page.Locator(".maintenance-page[data-live='true']")).ToHaveCountAsync(1);
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            $"{page.Url} scrolls sideways at 360 px.");

    /// <summary>A new maintenance engineer, signed in through the pages in a browser of <paramref name="locale"/>, <paramref name="width"/> px wide.</summary>
    private async Task<(IPage Page, string UserName)> SignedInAsync(string locale, int width)
    {
        var userName = $"engineer-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Maintenance);
        var page = await _browser.NewPageAsync(cloud.BaseAddress, locale, width: width, height: 1080);
        await Browser.SignInAsync(page, userName, password);

        // The role asks for a second factor: on the first sign-in, the account page sets up the authenticator.
        await Expect(page).ToHaveURLAsync(new Regex("/account$"));
        var sharedKey = page.Locator("#shared-key");
        await Expect(sharedKey).ToHaveTextAsync(new Regex("^[A-Z2-7 ]{32,}$"));
        var key = (await sharedKey.InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await page.Locator("#enable-code").FillAsync(Totp.Code(key, DateTimeOffset.UtcNow));
        await page.Locator("#enable-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#setup")).ToBeHiddenAsync();
        return (page, userName);
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Maintenance.Notifications.Channels;
using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Cloud.Maintenance.Work;
using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Tests.Maintenance.Notifications;
using DomioOps.Cloud.Tests.Production;

using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Maintenance;

/// <summary>
/// The small shop of <see cref="ProductionCloud"/> working around the clock, telling the maintenance team by e-mail (the npm
/// SMTP sink) and a CMMS by a signed webhook (a local endpoint) about CNC alerts. The test drives the scoring rounds.
/// </summary>
public sealed class MaintenanceCloud : ProductionCloud, IAsyncLifetime
{
    public const string HookSecret = "e2e-webhook-secret-0123456789";

    public const string Team = "maintenance@plant.example";

    private LocalHttpEndpoint? _hooks;

    public SmtpSink Mail { get; } = new();

    /// <summary>Webhook deliveries received, with whether their signature verified.</summary>
    public ConcurrentQueue<(string Body, bool Signed)> Hooks { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        .. base.Settings,
        new("Planning:Debounce", "00:00:00.200"),
        new("Maintenance:Scoring", "false"),
        new("Maintenance:Notifications:Smtp:Host", "127.0.0.1"),
        new("Maintenance:Notifications:Smtp:Port", Mail.Port.ToString(CultureInfo.InvariantCulture)),
        new("Maintenance:Notifications:Smtp:Security", "None"),
        new("Maintenance:Notifications:Smtp:From", "domio@plant.example"),
        new("Maintenance:Notifications:Receivers:team:Channels:0:Channel", "Email"),
        new("Maintenance:Notifications:Receivers:team:Channels:0:Address", Team),
        new("Maintenance:Notifications:Receivers:cmms:Channels:0:Channel", "Webhook"),
        new("Maintenance:Notifications:Receivers:cmms:Channels:0:Address", new Uri(_hooks!.BaseAddress, "hooks/domio").ToString()),
        new("Maintenance:Notifications:Receivers:cmms:Channels:0:Secret", HookSecret),
        new("Maintenance:Notifications:Rules:0:Name", "cnc"),
        new("Maintenance:Notifications:Rules:0:WorkCentres:0", "cnc"),
        new("Maintenance:Notifications:Rules:0:MinimumSeverity", "Warning"),
        new("Maintenance:Notifications:Rules:0:Receivers:0", "team"),
        new("Maintenance:Notifications:Rules:0:Receivers:1", "cmms"),
        new("Maintenance:Notifications:Rules:0:GroupWait", "00:00:01"),
        new("Maintenance:Notifications:Rules:0:GroupInterval", "00:00:05"),
        new("Maintenance:Notifications:Rules:0:RepeatInterval", "01:00:00"),
        new("Maintenance:Notifications:Delivery:PollInterval", "00:00:01"),
        new("Maintenance:Notifications:Delivery:InitialBackoff", "00:00:01"),
    ];

    internal T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await Mail.InitializeAsync();
        _hooks = await LocalHttpEndpoint.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var signed = long.TryParse(context.Request.Headers[WebhookSignature.TimestampHeader], CultureInfo.InvariantCulture, out var timestamp)
                && WebhookSignature.Verify(HookSecret, timestamp, body.ToArray(), context.Request.Headers[WebhookSignature.SignatureHeader].ToString());
            Hooks.Enqueue((System.Text.Encoding.UTF8.GetString(body.ToArray()), signed));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }, TestContext.Current.CancellationToken);
        await base.InitializeAsync();
        await QueryAsync(async db =>
        {
            foreach (var centre in await db.WorkCentres.ToListAsync())
            {
                centre.Calendar = new WorkCalendar();
            }

            return await db.SaveChangesAsync();
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_hooks is not null)
        {
            await _hooks.DisposeAsync();
        }

        await Mail.DisposeAsync();
    }
}

/// <summary>
/// A degrading simulated spindle end to end: a CNC model trained on simulated history, the spindle of cnc-01 degrading in
/// the history that follows, the scoring raises one alert before the failure, the team gets an e-mail and the CMMS a
/// signed webhook; acknowledged, a work order from the alert takes the machine's capacity for its window, and closing it
/// as a repair resolves the alert and gives the capacity back.
/// </summary>
public sealed class MaintenanceEndToEndTests(MaintenanceCloud cloud) : IClassFixture<MaintenanceCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task DegradingSpindle_AlertMailWebhookAcknowledgedWorkOrderRepair_AlertResolvesAndCapacityReturns()
    {
        var ct = TestContext.Current.CancellationToken;

        // A month of one CNC router whose spindle bearing wears out every few days, a model trained on its first three
        // weeks, and the scoring of the first degradation after them up to its alert.
        var (model, alert, failure) = await DegradingSpindle.RaiseAsync(cloud, ct);
        Assert.Equal(AlertStatus.Raised, alert.Status);
        Assert.NotEmpty(alert.Reasons);
        Assert.Equal(model.Id, alert.ModelId);
        var scoring = cloud.Get<AlertScoring>();
        var alerts = cloud.Get<MaintenanceAlerts>();

        // One degradation, one alert: the rounds up to the failure raise no other.
        for (var at = alert.RaisedAt + ClassHistory.Step; at < failure; at += ClassHistory.Step)
        {
            await scoring.ScoreAsync(at, ct);
        }

        Assert.Single(await alerts.ListAsync(false, "cnc-01", ct));

        // The alerts page shows it; the team has an e-mail and the CMMS a signed webhook naming it.
        using var admin = await cloud.AdminAsync(ct);
        var page = await admin.GetStringAsync(new Uri("maintenance", UriKind.Relative), ct);
        Assert.Contains($"id=\"alert-{alert.Id}\"", page, StringComparison.Ordinal);
        var mail = await EventuallyAsync(() => cloud.Mail.MessagesTo(MaintenanceCloud.Team) is [var first, ..] ? first : null, ct);
        Assert.Contains("cnc-01", mail.Subject + mail.TextBody, StringComparison.Ordinal);
        var hook = await EventuallyAsync(() => cloud.Hooks.Where(h => h.Body.Contains("cnc-01", StringComparison.Ordinal)).Select(h => new { h.Signed }).FirstOrDefault(), ct);
        Assert.True(hook.Signed, "the webhook's signature does not verify");

        // Acknowledged; a work order from the alert, from now for two hours, takes the CNC's capacity for its window.
        using (var acknowledged = await admin.PostAsync($"api/maintenance/alerts/{alert.Id}/acknowledge", null, ct))
        {
            Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        }

        var planner = cloud.Get<Planner>();
        var before = CncCapacity(await planner.RescheduleAsync("e2e before", ct));
        var from = DateTimeOffset.UtcNow.AddMinutes(1);
        using var created = await admin.PostAsJsonAsync("api/maintenance/work-orders", new
        {
            machineId = "cnc-01",
            alertId = alert.Id,
            title = "Replace the spindle bearings",
            plannedFrom = from,
            plannedTo = from.AddHours(2),
            checklist = new[] { "Lock out", "Replace bearings" },
        }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var order = (await created.Content.ReadFromJsonAsync<WorkOrder>(Json, ct))!;
        var during = CncCapacity(await planner.RescheduleAsync("e2e work order", ct));
        // Capacity is counted from now on, so it also shrinks by the seconds the test takes.
        Assert.InRange(before - during, TimeSpan.FromHours(2), TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));

        // Repaired before the window began: the alert resolves (prevented) and the capacity is back.
        using (var closed = await admin.PostAsJsonAsync($"api/maintenance/work-orders/{order.Id}/close", new { repair = true }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        }

        var resolved = (await alerts.GetAsync(alert.Id, ct))!;
        Assert.Equal((AlertStatus.Resolved, AlertVerdict.Prevented), (resolved.Status, resolved.Verdict));
        Assert.InRange(before - CncCapacity(await planner.RescheduleAsync("e2e repaired", ct)), TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    private static TimeSpan CncCapacity(Schedule schedule) =>
        schedule.Capacity.Where(c => c.WorkCentreId == "cnc").Aggregate(TimeSpan.Zero, (sum, c) => sum + c.Capacity);

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe, CancellationToken ct)
        where T : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(200, deadline.Token);
        }
    }
}

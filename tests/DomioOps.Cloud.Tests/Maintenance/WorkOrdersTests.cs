using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Maintenance.Pages;
using DomioOps.Cloud.Maintenance.Work;
using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Tests.Production;

using Microsoft.Extensions.DependencyInjection;

using Npgsql;

namespace DomioOps.Cloud.Tests.Maintenance;

/// <summary>
/// Alerts and work orders on the real host and PostgreSQL: one open alert per machine however often it is raised; the
/// lifecycle raised → acknowledged → resolved with who and when; a work order from an alert takes the machine's capacity
/// for its window, and closing it as a repair ends the window, resolves the alert and restarts the operating hours.
/// </summary>
public sealed class WorkOrdersTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private MaintenanceAlerts Alerts => cloud.App.Services.GetRequiredService<MaintenanceAlerts>();

    private WorkOrders Orders => cloud.App.Services.GetRequiredService<WorkOrders>();

    [Fact]
    public async Task RaiseAsync_SameMachineTwice_OneOpenAlertWithThePeak()
    {
        var ct = TestContext.Current.CancellationToken;
        var at = DateTimeOffset.UtcNow;
        var first = await Alerts.RaiseAsync(Score("saw-01", 0.62f, at, "blade motor current, mean over 1 h: 14.2 A"), ct);
        var second = await Alerts.RaiseAsync(Score("saw-01", 0.93f, at.AddMinutes(5), "blade motor current, trend over 6 h: 0.8 A/h"), ct);
        var third = await Alerts.RaiseAsync(Score("saw-01", 0.70f, at.AddMinutes(10), "blade wear: 81 %"), ct);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Id, third.Id);
        Assert.Equal(0.62f, third.Probability);
        Assert.Equal(0.93f, third.PeakProbability);
        Assert.Equal(0.70f, third.LastProbability);
        Assert.Equal(AlertSeverity.Critical, third.Severity);
        // The reasons are those of the peak.
        Assert.Equal("blade motor current, trend over 6 h: 0.8 A/h", Assert.Single(third.Reasons).Text);
        Assert.Single(await Alerts.ListAsync(true, "saw-01", ct));
        await ResolveAllAsync("saw-01", ct);
    }

    [Fact]
    public async Task Lifecycle_AcknowledgeThenResolve_WhoAndWhenRecordedAndAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        var alert = await Alerts.RaiseAsync(Score("edgebander-01", 0.81f, DateTimeOffset.UtcNow, "glue temperature, trend over 1 h: -3.1 °C/h"), ct);
        using var admin = await cloud.AdminAsync(ct);

        using (var acknowledged = await admin.PostAsync($"api/maintenance/alerts/{alert.Id}/acknowledge", null, ct))
        {
            Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
            var body = (await acknowledged.Content.ReadFromJsonAsync<MaintenanceAlert>(Json, ct))!;
            Assert.Equal(AlertStatus.Acknowledged, body.Status);
            Assert.Equal("admin", body.AcknowledgedBy);
            Assert.NotNull(body.AcknowledgedAt);
        }

        using (var again = await admin.PostAsync($"api/maintenance/alerts/{alert.Id}/acknowledge", null, ct))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
            Assert.Contains("only a raised alert", await again.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using (var noVerdict = await admin.PostAsJsonAsync($"api/maintenance/alerts/{alert.Id}/resolve", new { note = "checked" }, ct))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noVerdict.StatusCode);
        }

        using (var resolved = await admin.PostAsJsonAsync($"api/maintenance/alerts/{alert.Id}/resolve", new { verdict = "FalseAlarm", note = "heater fine, sensor loose" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
            var body = (await resolved.Content.ReadFromJsonAsync<MaintenanceAlert>(Json, ct))!;
            Assert.Equal(AlertStatus.Resolved, body.Status);
            Assert.Equal(AlertVerdict.FalseAlarm, body.Verdict);
            Assert.Equal("heater fine, sensor loose", body.Note);
        }

        using (var missing = await admin.PostAsync("api/maintenance/alerts/987654321/acknowledge", null, ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        var actions = await AuditActionsAsync("maintenance-alert", alert.Id, ct);
        Assert.Equal(["maintenance.alert.raised", "maintenance.alert.acknowledged", "maintenance.alert.resolved"], actions);
    }

    [Fact]
    public async Task WorkOrder_FromAlertClosedAsRepair_WindowEndsAlertResolvesHoursRestart()
    {
        var ct = TestContext.Current.CancellationToken;
        var alert = await Alerts.RaiseAsync(Score("cnc-01", 0.88f, DateTimeOffset.UtcNow, "spindle vibration, trend over 6 h: 0.4 mm/s per h"), ct);
        var from = DateTimeOffset.UtcNow.AddHours(2);
        using var admin = await cloud.AdminAsync(ct);

        using var created = await admin.PostAsJsonAsync("api/maintenance/work-orders", new
        {
            machineId = "cnc-01",
            alertId = alert.Id,
            title = "Replace spindle bearings",
            plannedFrom = from,
            plannedTo = from.AddHours(3),
            checklist = new[] { "Lock out", "Replace front bearing", "Run-in 20 min" },
        }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var order = (await created.Content.ReadFromJsonAsync<WorkOrder>(Json, ct))!;
        Assert.Equal(WorkOrderStatus.Planned, order.Status);
        Assert.Equal(["Lock out", "Replace front bearing", "Run-in 20 min"], order.Checklist.Select(i => i.Text));
        var window = Assert.Single(await Windows(ct), w => w.Id == order.WindowId);
        Assert.Equal(("cnc-01", from.ToUnixTimeMilliseconds(), from.AddHours(3).ToUnixTimeMilliseconds()),
            (window.MachineId, window.From.ToUnixTimeMilliseconds(), window.To.ToUnixTimeMilliseconds()));

        using (var progress = await admin.PutAsJsonAsync($"api/maintenance/work-orders/{order.Id}/progress", new
        {
            checklist = order.Checklist.Select((i, n) => new { i.Text, done = n < 2 }),
            partsUsed = new[] { new { part = "bearing 7014", quantity = 2 } },
            minutesSpent = 95,
        }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, progress.StatusCode);
            var body = (await progress.Content.ReadFromJsonAsync<WorkOrder>(Json, ct))!;
            Assert.Equal([true, true, false], body.Checklist.Select(i => i.Done));
            Assert.Equal(95, body.MinutesSpent);
            Assert.Equal(new PartUsed("bearing 7014", 2), Assert.Single(body.PartsUsed));
        }

        using (var closed = await admin.PostAsJsonAsync($"api/maintenance/work-orders/{order.Id}/close", new { repair = true }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        }

        // Done before its window began: the window is gone, so the capacity it took is back.
        Assert.DoesNotContain(await Windows(ct), w => w.Id == order.WindowId);
        var resolved = (await Alerts.GetAsync(alert.Id, ct))!;
        Assert.Equal((AlertStatus.Resolved, AlertVerdict.Prevented), (resolved.Status, resolved.Verdict));
        Assert.True((await Orders.LastRepairsAsync(ct)).TryGetValue("cnc-01", out var repaired));
        Assert.Equal((await Orders.GetAsync(order.Id, ct))!.ClosedAt, repaired);

        using var closedAgain = await admin.PostAsJsonAsync($"api/maintenance/work-orders/{order.Id}/close", new { repair = true }, ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, closedAgain.StatusCode);
    }

    [Fact]
    public async Task WorkOrder_UnderWayClosed_WindowEndsNow()
    {
        var ct = TestContext.Current.CancellationToken;
        var actor = AuditActor.System;
        var (order, problem) = await Orders.CreateAsync(actor, "test", new WorkOrderDraft("saw-01", null, "Change the blade",
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), null), ct);
        Assert.Null(problem);

        var (closed, refused) = await Orders.CloseAsync(actor, "test", order!.Id, new WorkOrderClosing(false, null, null), ct);

        Assert.Null(refused);
        // Ended now: no longer among the windows ahead, and stored as ending when the order was closed.
        Assert.DoesNotContain(await Windows(ct), w => w.Id == order.WindowId);
        await using var connection = new NpgsqlConnection(cloud.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""SELECT "From", "To" FROM planning_maintenance WHERE "Id" = $1""", connection);
        command.Parameters.Add(new() { Value = order.WindowId!.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        Assert.True(await reader.ReadAsync(ct));
        Assert.Equal(order.PlannedFrom, reader.GetFieldValue<DateTimeOffset>(0));
        Assert.Equal(closed!.ClosedAt!.Value.ToUnixTimeMilliseconds(), reader.GetFieldValue<DateTimeOffset>(1).ToUnixTimeMilliseconds());
        Assert.False(closed.Repair);
    }

    [Theory]
    [InlineData("saw-01", "", 1, "title is required")]
    [InlineData("saw-99", "Check", 1, "machineId must name a machine of a work centre")]
    [InlineData("saw-01", "Check", -1, "to after from")]
    public async Task CreateAsync_BadDraft_SaysWhatIsWrongAndPlansNothing(string machine, string title, int hours, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        var before = (await Windows(ct)).Count;
        var from = DateTimeOffset.UtcNow.AddDays(3);

        var (order, problem) = await Orders.CreateAsync(AuditActor.System, "test", new WorkOrderDraft(machine, null, title, from, from.AddHours(hours), null), ct);

        Assert.Null(order);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.Equal(before, (await Windows(ct)).Count);
    }

    [Fact]
    public async Task CreateAsync_AlertOfAnotherMachine_Refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var alert = await Alerts.RaiseAsync(Score("edgebander-01", 0.7f, DateTimeOffset.UtcNow, "glue temperature: 171 °C"), ct);

        var (order, problem) = await Orders.CreateAsync(AuditActor.System, "test", new WorkOrderDraft("saw-01", alert.Id, "Check",
            DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(1).AddHours(1), null), ct);

        Assert.Null(order);
        Assert.Equal("alertId must name an alert of the same machine.", problem);
        await ResolveAllAsync("edgebander-01", ct);
    }

    [Theory]
    [InlineData("bearing 6205 x 2, grease x 0.5", true, "bearing 6205:2|grease:0.5")]
    [InlineData("belt", true, "belt:1")]
    [InlineData("", true, "")]
    [InlineData("belt x 0", false, null)]
    public void TryParts_Text_PartsAndQuantities(string text, bool valid, string? expected)
    {
        Assert.Equal(valid, WorkOrdersPage.TryParts(text, out var parts));
        if (expected is not null)
        {
            Assert.Equal(expected, string.Join('|', (parts ?? []).Select(p => $"{p.Part}:{p.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture)}")));
        }
    }

    private static AlertScore Score(string machine, float probability, DateTimeOffset at, string reason) =>
        new(machine, "Test", null, probability, TimeSpan.FromHours(12), [new AlertReason(reason, 0.3f)], at);

    private async Task<IReadOnlyList<MaintenanceWindow>> Windows(CancellationToken ct) =>
        await cloud.App.Services.GetRequiredService<MaintenanceWindows>().ListAsync(ct);

    private async Task ResolveAllAsync(string machine, CancellationToken ct)
    {
        foreach (var open in await Alerts.ListAsync(true, machine, ct))
        {
            await Alerts.ResolveAsync(AuditActor.System, "test", open.Id, AlertVerdict.FalseAlarm, null, ct);
        }
    }

    private async Task<IReadOnlyList<string>> AuditActionsAsync(string entityType, long id, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(cloud.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT action FROM domio_audit WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq", connection);
        command.Parameters.Add(new() { Value = entityType });
        command.Parameters.Add(new() { Value = id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var actions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            actions.Add(reader.GetString(0));
        }

        return actions;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Production;

using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>The work centres API over HTTP on the real host: each refusal names its field; changes are audited; a terminal sees the machines.</summary>
public sealed class WorkCentresTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task CreateUpdateDelete_ValidWorkCentre_ListedChangedGoneAndAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var id = Unique("drill");

        using var created = await admin.PostAsJsonAsync("api/production/work-centres", Draft(id, "drill-01"), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var list = await admin.GetFromJsonAsync<List<WorkCentreDraft>>("api/production/work-centres", Json, ct);
        var listed = Assert.Single(list!, c => c.Id == id);
        Assert.Equal(("Drilling", "Drilling", 5m, 12m), (listed.Name, listed.Kind, listed.SetupMinutes!.Value, listed.CycleSeconds!.Value));
        Assert.Equal(["drill-01"], listed.Machines!);
        var shift = Assert.Single(listed.Shifts!);
        Assert.Equal(("Day", "06:00", "14:00", "Monday,Friday", "10:00-10:30"),
            (shift.Name, shift.Start, shift.End, string.Join(",", shift.Days!), string.Join(",", shift.Breaks!.Select(b => $"{b.Start}-{b.End}"))));
        Assert.Equal(["2026-12-31"], listed.Holidays!);

        var changed = Draft(id, "drill-02") with { Name = "Drilling 2", Kind = "Assembly", SetupMinutes = 7 };
        using (var put = await admin.PutAsJsonAsync($"api/production/work-centres/{id}", changed, ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var got = await admin.GetFromJsonAsync<WorkCentreDraft>($"api/production/work-centres/{id}", Json, ct);
        Assert.Equal(("Drilling 2", "Assembly", 7m), (got!.Name, got.Kind, got.SetupMinutes!.Value));
        Assert.Equal(["drill-02"], got.Machines!);

        using (var deleted = await admin.DeleteAsync(new Uri($"api/production/work-centres/{id}", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await admin.GetAsync(new Uri($"api/production/work-centres/{id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var audit = await cloud.App.Services.GetRequiredService<AuditTrail>().ReadAsync(0, 100_000, null, ct)
            .Where(r => r.EntityType == "workcentre" && r.EntityId == id).ToListAsync(ct);
        Assert.Equal(["workcentre.created", "workcentre.changed", "workcentre.deleted"], audit.Select(r => r.Action));
        Assert.Null(audit[0].Before);
        Assert.Contains("drill-01", audit[1].Before!, StringComparison.Ordinal);
        Assert.Contains("drill-02", audit[1].After!, StringComparison.Ordinal);
        Assert.Null(audit[2].After);
    }

    [Fact]
    public async Task Create_OverlappingShifts_RefusedNamingTheSecondShift()
    {
        var draft = Draft(Unique("ovl"), Unique("m")) with
        {
            Shifts =
            [
                new("1", "06:00", "14:00", ["Monday"], []),
                new("2", "13:00", "21:00", ["Tuesday", "Monday"], []),
                new("Night", "22:00", "06:00", ["Sunday"], []),
                new("Early", "05:00", "07:00", ["Monday"], []),
            ],
        };

        var errors = await RefusedAsync(draft);

        Assert.Contains("overlaps shift 1 (1) on Monday", Assert.Single(errors["shifts[1]"]), StringComparison.Ordinal);
        // Sunday's night shift runs into Monday until 06:00; the early shift overlaps it and shift 1.
        Assert.Equal(["Shift 4 (Early) overlaps shift 1 (1) on Monday: shifts of the same day must not overlap.",
            "Shift 4 (Early) overlaps shift 3 (Night) on Monday: shifts of the same day must not overlap."], errors["shifts[3]"]);
        Assert.Equal(["shifts[1]", "shifts[3]"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Create_BreakOutsideShiftAndBadCalendar_RefusedByField()
    {
        var draft = Draft(Unique("brk"), Unique("m")) with
        {
            Shifts =
            [
                new("Night", "22:00", "06:00", ["Monday"], [new("02:00", "02:30"), new("07:00", "07:15")]),
                new("", "08:00", "08:00", [], []),
            ],
            Holidays = ["2026-01-01", "2026-01-01", "01.05.2026"],
        };

        var errors = await RefusedAsync(draft);

        Assert.Equal("Shift 1: the break 07:00-07:15 must lie inside the shift 22:00-06:00.", Assert.Single(errors["shifts[0].breaks[1]"]));
        Assert.True(errors.ContainsKey("shifts[1].name"));
        Assert.True(errors.ContainsKey("shifts[1].end"));
        Assert.True(errors.ContainsKey("shifts[1].days"));
        Assert.Equal("2026-01-01 is listed twice: each holiday once.", Assert.Single(errors["holidays[1]"]));
        Assert.True(errors.ContainsKey("holidays[2]"));
        Assert.False(errors.ContainsKey("shifts[0].breaks[0]"));
    }

    [Fact]
    public async Task Create_MachineInAnotherCentreAndUnknownKind_RefusedNamingTheOtherCentre()
    {
        var draft = Draft("bad id!", "saw-01", "bad machine") with { Kind = "Paint", Name = " ", SetupMinutes = -1, CycleSeconds = null };

        var errors = await RefusedAsync(draft);

        Assert.Equal(["cycleSeconds", "id", "kind", "machines[0]", "machines[1]", "name", "setupMinutes"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("'saw-01' is in work centre 'saw' (Panel saw): take it out of that one first; a machine is in one work centre.", Assert.Single(errors["machines[0]"]));
        Assert.StartsWith("The kind 'Paint' is not a kind of work centre: use one of PanelSaw, Edgebander", Assert.Single(errors["kind"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_OperationsReferToIt_RefusedAndKept()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        await cloud.CreateOrderAsync(Unique("WC"), ProductionCloud.Panel("Side", 1));

        using var response = await admin.DeleteAsync(new Uri("api/production/work-centres/saw", UriKind.Relative), ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.StartsWith("Work centre 'saw' is in the routing of ", problem.GetProperty("errors").GetProperty("id")[0].GetString(), StringComparison.Ordinal);
        using var kept = await admin.GetAsync(new Uri("api/production/work-centres/saw", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    [Fact]
    public async Task Create_TerminalBoundToNewCentre_SeesItsMachinesAfterSigningIn()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var id = Unique("pack");
        var machine = Unique("wrap");
        using (var created = await admin.PostAsJsonAsync("api/production/work-centres", Draft(id, machine) with { Kind = "Packing" }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var terminal = (await cloud.TerminalClientAsync(admin, id, ct)).Client;
        var work = await terminal.GetFromJsonAsync<JsonElement>("api/terminal/work", ct);

        Assert.Equal([machine], work.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    private async Task<Dictionary<string, string[]>> RefusedAsync(WorkCentreDraft draft)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        using var response = await admin.PostAsJsonAsync("api/production/work-centres", draft, ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        using var missing = await admin.GetAsync(new Uri($"api/production/work-centres/{Uri.EscapeDataString(draft.Id!)}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    internal static WorkCentreDraft Draft(string id, params string[] machines) => new(
        id, "Drilling", "Drilling", 5, 12, machines,
        [new("Day", "06:00", "14:00", ["Friday", "Monday"], [new("10:00", "10:30")])],
        ["2026-12-31"]);
}

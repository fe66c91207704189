using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.History;
using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Office.Sales;
using DomioOps.Cloud.Security;

using Microsoft.Extensions.DependencyInjection;

using Npgsql;

namespace DomioOps.Cloud.Tests.Office.Sales;

/// <summary>
/// <c>/api/office</c> deals, activities, timeline and calendar on the real host and PostgreSQL: a deal created as a lead,
/// moved (audited with both stages), refused with its field named (another pipeline's stage, a negative value, an
/// unknown owner) and with 409 on a stale version, nothing written; a reminder rung once by two loops; a customer's
/// timeline newest first; the calendar parsed back.
/// </summary>
public sealed class SalesApiTests(OfficeCloud cloud) : IClassFixture<OfficeCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Deal_CreatedAsLeadThenMoved_AuditedWithBothStages()
    {
        var ct = TestContext.Current.CancellationToken;
        var (office, _) = await OfficeAsync(ct);
        using var _office = office;
        var pipelines = await PipelinesAsync(office, ct);
        Assert.Equal(["Retail", "Contract furniture"], pipelines.Select(p => p.NameEn));
        Assert.Equal(["Розница", "Контрактная мебель"], pipelines.Select(p => p.NameRu));
        Assert.Equal(["lead", "qualified", "proposal", "negotiation", "won", "lost"], pipelines[0].Stages.Select(s => s.Key));
        var retail = pipelines[0];
        var customer = await CustomerAsync(office, ct);

        using var created = await office.PostAsJsonAsync("api/office/deals", new { customerId = customer.Id, pipelineId = retail.Id, title = "Кухня на заказ", value = 350000.50m, expectedClose = "2027-03-31" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var deal = (await created.Content.ReadFromJsonAsync<Deal>(Json, ct))!;
        Assert.Equal(retail.Stages[0].Id, deal.StageId);
        Assert.Equal(350000.50m, deal.Value);
        Assert.Equal(new DateOnly(2027, 3, 31), deal.ExpectedClose);
        Assert.Equal(1, deal.Version);
        Assert.Equal(customer.Name, deal.CustomerName);

        var proposal = retail.Stages.Single(s => s.Key == "proposal");
        using var moved = await office.PostAsJsonAsync($"api/office/deals/{deal.Id}/move", new { stageId = proposal.Id, version = 1 }, ct);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var after = (await moved.Content.ReadFromJsonAsync<Deal>(Json, ct))!;
        Assert.Equal((proposal.Id, 2), (after.StageId, after.Version));

        var listed = (await office.GetFromJsonAsync<List<Deal>>($"api/office/deals?pipelineId={retail.Id}&customerId={customer.Id}", Json, ct))!;
        Assert.Equal(proposal.Id, Assert.Single(listed).StageId);

        var audit = await cloud.AuditAsync("office-deal", deal.Id, ct);
        Assert.Equal(["office.deal.created", "office.deal.moved"], audit.Select(a => a.Action));
        using var move = JsonDocument.Parse(audit[1].After!);
        Assert.Equal(retail.Stages[0].Id, move.RootElement.GetProperty("fromStageId").GetInt64());
        Assert.Equal(proposal.Id, move.RootElement.GetProperty("toStageId").GetInt64());
        // Field names and ids, never the title or the value.
        Assert.DoesNotContain("Кухня", audit[0].After, StringComparison.Ordinal);
        Assert.DoesNotContain("350000", audit[0].After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deal_BadInput_EachFieldNamedAndNothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var (office, _) = await OfficeAsync(ct);
        using var _office = office;
        var pipelines = await PipelinesAsync(office, ct);
        var (retail, contract) = (pipelines[0], pipelines[1]);
        var customer = await CustomerAsync(office, ct);

        // Another pipeline's stage, a negative value, an unknown owner, no title: all named at once.
        var errors = await InvalidAsync(await office.PostAsJsonAsync("api/office/deals", new
        {
            customerId = customer.Id,
            pipelineId = retail.Id,
            stageId = contract.Stages[1].Id,
            title = " ",
            value = -1m,
            ownerId = "no-such-person",
        }, ct), ct);
        Assert.Equal(["ownerId", "stageId", "title", "value"], errors.Order(StringComparer.Ordinal));
        Assert.Equal(["customerId"], await InvalidAsync(await office.PostAsJsonAsync("api/office/deals", new { customerId = long.MaxValue, pipelineId = retail.Id, title = "x", value = 1m }, ct), ct));
        Assert.Equal(["value"], await InvalidAsync(await office.PostAsJsonAsync("api/office/deals", new { customerId = customer.Id, pipelineId = retail.Id, title = "x", value = 1.005m }, ct), ct));
        Assert.Empty((await office.GetFromJsonAsync<List<Deal>>($"api/office/deals?customerId={customer.Id}", Json, ct))!);
        Assert.Equal(["pipelineId"], await InvalidAsync(await office.GetAsync("api/office/deals?pipelineId=abc", ct), ct));

        using var created = await office.PostAsJsonAsync("api/office/deals", new { customerId = customer.Id, pipelineId = retail.Id, title = "Шкафы", value = 0m }, ct);
        var deal = (await created.Content.ReadFromJsonAsync<Deal>(Json, ct))!;

        // A move to another pipeline's stage is refused, naming stageId; the deal stays where it was.
        Assert.Equal(["stageId"], await InvalidAsync(await office.PostAsJsonAsync($"api/office/deals/{deal.Id}/move", new { stageId = contract.Stages[2].Id, version = 1 }, ct), ct));
        // Two people read version 1: the first move wins, the second is told 409 and nothing is written.
        using (var first = await office.PostAsJsonAsync($"api/office/deals/{deal.Id}/move", new { stageId = retail.Stages[1].Id, version = 1 }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var stale = await office.PostAsJsonAsync($"api/office/deals/{deal.Id}/move", new { stageId = retail.Stages[3].Id, version = 1 }, ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Contains("changed by someone else", await stale.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using (var staleEdit = await office.PutAsJsonAsync($"api/office/deals/{deal.Id}", new
        {
            customerId = customer.Id,
            pipelineId = retail.Id,
            stageId = retail.Stages[0].Id,
            title = "Шкафы-купе",
            value = 10m,
            version = 1,
        }, ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, staleEdit.StatusCode);
        }

        var now = (await office.GetFromJsonAsync<Deal>($"api/office/deals/{deal.Id}", Json, ct))!;
        Assert.Equal((retail.Stages[1].Id, 2, "Шкафы", 0m), (now.StageId, now.Version, now.Title, now.Value));
        using (var missing = await office.PostAsJsonAsync($"api/office/deals/{long.MaxValue}/move", new { stageId = retail.Stages[1].Id, version = 1 }, ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        Assert.Equal(["office.deal.created", "office.deal.moved"], (await cloud.AuditAsync("office-deal", deal.Id, ct)).Select(a => a.Action));
    }

    [Fact]
    public async Task Activity_BadInput_EachFieldNamed()
    {
        var ct = TestContext.Current.CancellationToken;
        var (office, _) = await OfficeAsync(ct);
        using var _office = office;
        var errors = await InvalidAsync(await office.PostAsJsonAsync("api/office/activities", new
        {
            kind = "lunch",
            subject = "",
            ownerId = "nobody",
            customerId = long.MaxValue,
            dueAt = "2027-01-10T10:00:00+03:00",
            remindAt = "2027-01-11T10:00:00+03:00",
        }, ct), ct);
        Assert.Equal(["customerId", "kind", "ownerId", "remindAt", "subject"], errors.Order(StringComparer.Ordinal));
        Assert.Equal(["dueAt"], await InvalidAsync(await office.PostAsJsonAsync("api/office/activities", new { kind = "call", subject = "x" }, ct), ct));
        Assert.Equal(["state"], await InvalidAsync(await office.GetAsync("api/office/activities?state=later", ct), ct));
    }

    [Fact]
    public async Task Reminder_TwoLoopsAtOnce_RingsTheOwnersBellOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var (office, ownerId) = await OfficeAsync(ct);
        using var _office = office;
        var subject = "Перезвонить " + Marker();
        var now = DateTimeOffset.UtcNow;
        using var created = await office.PostAsJsonAsync("api/office/activities", new { kind = "call", subject, dueAt = now.AddHours(1), remindAt = now.AddMinutes(-1) }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var activity = (await created.Content.ReadFromJsonAsync<Activity>(Json, ct))!;
        Assert.Equal(ownerId, activity.OwnerId);

        // Two loops (two silos) at once, then again: the bell has one reminder, and the activity says it rang.
        var services = cloud.App.Services;
        var dataSource = services.GetRequiredService<HistoryDatabase>().DataSource;
        var first = services.GetRequiredService<ActivityReminders>();
        var second = ActivatorUtilities.CreateInstance<ActivityReminders>(services, dataSource);
        await Task.WhenAll(first.RingDueAsync(ct), second.RingDueAsync(ct), first.RingDueAsync(ct), second.RingDueAsync(ct));
        await second.RingDueAsync(ct);

        var bell = await services.GetRequiredService<NotificationOutbox>().BellAsync(ownerId, 50, ct);
        var rung = Assert.Single(bell, b => b.Subject.Contains(subject, StringComparison.Ordinal));
        Assert.Equal("/office/activities", rung.Link);
        Assert.NotNull((await office.GetFromJsonAsync<List<Activity>>("api/office/activities?state=all", Json, ct))!.Single(a => a.Id == activity.Id).RemindedAt);
    }

    [Fact]
    public async Task Timeline_CustomerDealsActivitiesContacts_NewestFirstAndPaged()
    {
        var ct = TestContext.Current.CancellationToken;
        var (office, _) = await OfficeAsync(ct);
        using var _office = office;
        var retail = (await PipelinesAsync(office, ct))[0];
        var customer = await CustomerAsync(office, ct);
        using var created = await office.PostAsJsonAsync("api/office/deals", new { customerId = customer.Id, pipelineId = retail.Id, title = "Гостиная", value = 90000m }, ct);
        var deal = (await created.Content.ReadFromJsonAsync<Deal>(Json, ct))!;
        (await office.PostAsJsonAsync($"api/office/deals/{deal.Id}/move", new { stageId = retail.Stages[1].Id, version = 1 }, ct)).Dispose();
        (await office.PostAsJsonAsync("api/office/activities", new { kind = "meeting", subject = "Замер", customerId = customer.Id, dealId = deal.Id, dueAt = DateTimeOffset.UtcNow.AddDays(2) }, ct)).Dispose();
        (await office.PostAsJsonAsync($"api/office/customers/{customer.Id}/contacts", new { name = "Олег" }, ct)).Dispose();

        var page = (await office.GetFromJsonAsync<TimelinePage>($"api/office/customers/{customer.Id}/timeline", Json, ct))!;
        Assert.Equal(
            ["office.contact.created", "office.activity.created", "office.deal.moved", "office.deal.created", "office.customer.created"],
            page.Items.Select(i => i.Action));
        Assert.False(page.More);
        Assert.Equal("Гостиная", page.Items[2].Title);
        Assert.Equal("Lead / Лид → Qualified / Квалифицирован", page.Items[2].Detail);
        Assert.Equal("Замер", page.Items[1].Title);
        Assert.True(page.Items.Zip(page.Items.Skip(1)).All(p => p.First.At >= p.Second.At));

        var second = (await office.GetFromJsonAsync<TimelinePage>($"api/office/customers/{customer.Id}/timeline?page=2&pageSize=2", Json, ct))!;
        Assert.Equal(["office.deal.moved", "office.deal.created"], second.Items.Select(i => i.Action));
        Assert.True(second.More);
        Assert.Equal(["pageSize"], await InvalidAsync(await office.GetAsync($"api/office/customers/{customer.Id}/timeline?pageSize=0", ct), ct));
        using var missing = await office.GetAsync($"api/office/customers/{long.MaxValue}/timeline", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Calendar_PersonsActivities_ParseBackWithFoldingAndEscaping()
    {
        var ct = TestContext.Current.CancellationToken;
        var (office, _) = await OfficeAsync(ct);
        using var _office = office;
        var subject = "Встреча, обсудить; кухню\\шкаф\nвторая строка — длинная тема, чтобы строка точно была сложена " + Marker();
        var due = new DateTimeOffset(2027, 5, 14, 9, 30, 0, TimeSpan.FromHours(3));
        using var created = await office.PostAsJsonAsync("api/office/activities", new { kind = "meeting", subject, dueAt = due, remindAt = due.AddMinutes(-30) }, ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync(ct)}");
        var activity = (await created.Content.ReadFromJsonAsync<Activity>(Json, ct))!;

        using var response = await office.GetAsync("api/office/activities/calendar.ics", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.EndsWith("END:VCALENDAR\r\n", text, StringComparison.Ordinal);
        var physical = text[..^2].Split("\r\n");
        Assert.DoesNotContain(physical, l => l.Contains('\n', StringComparison.Ordinal) || l.Contains('\r', StringComparison.Ordinal));
        Assert.All(physical, l => Assert.True(Encoding.UTF8.GetByteCount(l) <= 75, $"Longer than 75 octets: {l}"));
        Assert.Contains(physical, l => l.StartsWith(' '));

        var lines = text.Replace("\r\n ", "", StringComparison.Ordinal).Split("\r\n");
        var start = Array.IndexOf(lines, $"UID:activity-{activity.Id}@127.0.0.1");
        Assert.True(start > 0, text);
        var vevent = lines[(start - 1)..Array.IndexOf(lines, "END:VEVENT", start)];
        Assert.Equal("BEGIN:VEVENT", vevent[0]);
        Assert.Contains("DTSTART:20270514T063000Z", vevent);
        Assert.Contains("DTEND:20270514T073000Z", vevent);
        Assert.Contains(vevent, l => l.StartsWith("DTSTAMP:", StringComparison.Ordinal) && l.EndsWith('Z') && l.Length == "DTSTAMP:20270514T063000Z".Length);
        Assert.Contains("TRIGGER;VALUE=DATE-TIME:20270514T060000Z", vevent);
        var summary = vevent.Single(l => l.StartsWith("SUMMARY:", StringComparison.Ordinal))["SUMMARY:".Length..];
        Assert.Equal("Встреча\\, обсудить\\; кухню\\\\шкаф\\nвторая строка", summary[..47]);
        Assert.Equal(subject, Unescape(summary));
    }

    /// <summary>RFC 5545 §3.3.11 read back, written here independently of the writer.</summary>
    private static string Unescape(string text)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                result.Append(text[i] is 'n' or 'N' ? '\n' : text[i]);
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }

    private async Task<(HttpClient Client, string UserId)> OfficeAsync(CancellationToken ct)
    {
        using var admin = await cloud.AdminAsync(ct);
        var (client, userId, _) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Office, ct);
        return (client, userId);
    }

    private static async Task<IReadOnlyList<Pipeline>> PipelinesAsync(HttpClient office, CancellationToken ct) =>
        (await office.GetFromJsonAsync<List<Pipeline>>("api/office/pipelines", Json, ct))!;

    private static async Task<Customer> CustomerAsync(HttpClient office, CancellationToken ct)
    {
        using var created = await office.PostAsJsonAsync("api/office/customers", new { kind = "company", name = "Салон " + Marker() }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Customer>(Json, ct))!;
    }

    private static async Task<string[]> InvalidAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return [.. problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name)];
        }
    }

    private static string Marker() => "zq" + string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('a' + (c % 26))))[..10];
}

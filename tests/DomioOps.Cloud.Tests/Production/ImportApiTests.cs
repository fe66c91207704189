using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>The cut-list import over HTTP, as a planner, on the real host and PostgreSQL.</summary>
public sealed class ImportApiTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    internal const string BadCutList = """
        Part name,Material,Thickness,Length,Width,Qty,Grain direction,Edge L1,Edge L2,Edge W1,Edge W2,CNC program
        Side,Oak,18,abc,600,2,length,,,,,
        ,Oak,18,700,600,2,length,,,,,
        Shelf,Oak,18,700,600,0,length,,,,,
        Door,Oak,18,700,600,1,sideways,,,,,
        """;

    [Fact]
    public async Task Import_KitchenSample_CreatesOrderWithItsPartsAndOperations()
    {
        var ct = TestContext.Current.CancellationToken;
        using var planner = await PlannerAsync(cloud, ct);

        using var response = await planner.PostAsync(new Uri("api/production/orders/import", UriKind.Relative), Form("KITCHEN-1", Sample("kitchen-cut-list.csv"), "kitchen.csv"), ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var id = body.RootElement.GetProperty("id").GetInt64();
        Assert.Equal($"/production/orders/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("KITCHEN-1", body.RootElement.GetProperty("number").GetString());
        // 12 rows, each sawn; 9 edged (all but the two back panels and the mounting rail); 7 with a program.
        Assert.Equal(12, body.RootElement.GetProperty("parts").GetInt32());
        Assert.Equal(12 + 9 + 7, body.RootElement.GetProperty("operations").GetInt32());
        Assert.Equal(12, await cloud.QueryAsync(db => db.Parts.CountAsync(p => p.OrderId == id, ct)));
        Assert.Equal(28, await cloud.QueryAsync(db => db.Operations.CountAsync(o => o.OrderId == id, ct)));
        var order = await cloud.QueryAsync(db => db.Orders.SingleAsync(o => o.Id == id, ct));
        Assert.Equal(("Test kitchens", new DateOnly(2026, 12, 31), 2), (order.Customer, order.DueDate, order.Priority));
    }

    [Fact]
    public async Task Import_FileWithErrors_422WithEveryRowAndColumnAndNothingCreated()
    {
        var ct = TestContext.Current.CancellationToken;
        using var planner = await PlannerAsync(cloud, ct);
        var before = await cloud.QueryAsync(db => db.Orders.CountAsync(ct));

        using var response = await planner.PostAsync(new Uri("api/production/orders/import", UriKind.Relative), Form("BAD-1", Encoding.UTF8.GetBytes(BadCutList), "bad.csv"), ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var errors = body.RootElement.GetProperty("fileErrors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("column").GetString(), e.GetProperty("problem").GetString()))
            .Order().ToList();
        Assert.Equal(
            [(2, "Length", "NotANumber"), (3, "Part name", "Required"), (4, "Qty", "OutOfRange"), (5, "Grain direction", "UnknownGrain")],
            errors);
        Assert.All(body.RootElement.GetProperty("fileErrors").EnumerateArray(), e => Assert.NotEmpty(e.GetProperty("message").GetString()!));
        Assert.Empty(body.RootElement.GetProperty("fieldErrors").EnumerateObject());
        Assert.Equal(before, await cloud.QueryAsync(db => db.Orders.CountAsync(ct)));
        Assert.False(await cloud.QueryAsync(db => db.Orders.AnyAsync(o => o.Number == "BAD-1", ct)));
    }

    [Fact]
    public async Task Import_DuplicateNumberAndBadFields_422FieldErrors()
    {
        var ct = TestContext.Current.CancellationToken;
        using var planner = await PlannerAsync(cloud, ct);
        await cloud.CreateOrderAsync("TAKEN-1", ProductionCloud.Panel("Shelf", 1));
        var before = await cloud.QueryAsync(db => db.Orders.CountAsync(ct));

        using var response = await planner.PostAsync(new Uri("api/production/orders/import", UriKind.Relative),
            Form("TAKEN-1", Sample("kitchen-cut-list.csv"), "kitchen.csv", dueDate: "31.12.2026", priority: "urgent"), ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var fields = body.RootElement.GetProperty("fieldErrors");
        Assert.Contains("TAKEN-1 exists already", fields.GetProperty("number").GetString(), StringComparison.Ordinal);
        Assert.Contains("yyyy-MM-dd", fields.GetProperty("dueDate").GetString(), StringComparison.Ordinal);
        Assert.Contains("1 (most urgent) to 5", fields.GetProperty("priority").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await cloud.QueryAsync(db => db.Orders.CountAsync(ct)));
    }

    [Fact]
    public async Task Import_OverTwentyMegabytes_413SaysTheLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        using var planner = await PlannerAsync(cloud, ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/production/orders/import", UriKind.Relative))
        {
            Content = Form("HUGE-1", new byte[(21 * 1024 * 1024) + 1], "huge.csv"),
        };
        // The body is sent only if the server asks for it: it answers from the announced length alone.
        request.Headers.ExpectContinue = true;

        using var response = await planner.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("20 MB", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_Kitchen_IsTheSample()
    {
        var ct = TestContext.Current.CancellationToken;
        using var planner = await PlannerAsync(cloud, ct);
        using var response = await planner.GetAsync(new Uri("api/production/cut-list-templates/kitchen-cut-list.csv", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Sample("kitchen-cut-list.csv"), await response.Content.ReadAsByteArrayAsync(ct));
        using var missing = await planner.GetAsync(new Uri("api/production/cut-list-templates/secrets.csv", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    internal static async Task<HttpClient> PlannerAsync(ProductionCloud cloud, CancellationToken ct)
    {
        var userName = $"planner-{Guid.NewGuid():N}"[..20];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        return await cloud.SignInAsync(userName, password, ct);
    }

    internal static byte[] Sample(string name)
    {
        using var stream = typeof(CutListReader).Assembly.GetManifestResourceStream($"DomioOps.Cloud.Production.Samples.{name}")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static MultipartFormDataContent Form(string number, byte[] file, string fileName, string dueDate = "2026-12-31", string priority = "2")
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(number), "number" },
            { new StringContent("Test kitchens"), "customer" },
            { new StringContent(dueDate), "dueDate" },
            { new StringContent(priority), "priority" },
        };
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(content, "file", fileName);
        return form;
    }
}

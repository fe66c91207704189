using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Production;

using MiniExcelLibs;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// The one search box (<c>/api/office/search</c>) and the customer list's XLSX export on the real host and PostgreSQL:
/// a word finds a customer, an order and a document at once; planners get no documents; bad input is named. The
/// production host, for its work centres: an order's cut list needs them.
/// </summary>
public sealed class OfficeSearchTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Search_OneWord_FindsTheCustomerTheOrderAndTheDocumentTogether()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await RoleAsync(DomioRoles.Office, ct);
        using var planner = await RoleAsync(DomioRoles.Planner, ct);
        var marker = Marker();

        using var customer = await office.PostAsJsonAsync("api/office/customers", new { kind = "company", name = $"Кухни {marker}" }, ct);
        Assert.Equal(HttpStatusCode.Created, customer.StatusCode);
        var customerId = (await customer.Content.ReadFromJsonAsync<Customer>(Json, ct))!.Id;
        using var order = await planner.PostAsync(new Uri("api/production/orders/import", UriKind.Relative), OrderForm($"K-{marker}", $"Кухни {marker}"), ct);
        Assert.True(order.StatusCode == HttpStatusCode.Created, await order.Content.ReadAsStringAsync(ct));
        using var file = new MultipartFormDataContent
        {
            { new StringContent("customer"), "ownerKind" },
            { new StringContent(customerId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "ownerId" },
        };
        var bytes = new ByteArrayContent(Encoding.UTF8.GetBytes($"Договор поставки кухни, артикул {marker}."));
        bytes.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        file.Add(bytes, "file", "contract.txt");
        using var uploaded = await office.PostAsync(new Uri("api/office/documents", UriKind.Relative), file, ct);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);

        // The document is found once its text is taken out, in the background.
        JsonElement found = default;
        for (var deadline = DateTime.UtcNow.AddMinutes(2); DateTime.UtcNow < deadline; await Task.Delay(200, ct))
        {
            found = await office.GetFromJsonAsync<JsonElement>($"api/office/search?q={marker}", ct);
            if (found.GetProperty("documents").GetArrayLength() > 0)
            {
                break;
            }
        }

        Assert.Equal(customerId, Assert.Single(found.GetProperty("customers").GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal(1, found.GetProperty("customers").GetProperty("total").GetInt64());
        Assert.Equal($"K-{marker}", Assert.Single(found.GetProperty("orders").GetProperty("rows").EnumerateArray()).GetProperty("number").GetString());
        var document = Assert.Single(found.GetProperty("documents").EnumerateArray());
        Assert.Equal(("customer", customerId, "contract.txt"), (document.GetProperty("ownerKind").GetString(), document.GetProperty("ownerId").GetInt64(), document.GetProperty("name").GetString()));

        // A planner finds the customer and the order, not the office's files.
        var planners = await planner.GetFromJsonAsync<JsonElement>($"api/office/search?q={marker}", ct);
        Assert.Equal(1, planners.GetProperty("customers").GetProperty("total").GetInt64());
        Assert.Equal(1, planners.GetProperty("orders").GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, planners.GetProperty("documents").ValueKind);
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=%20", "q")]
    [InlineData("q=kitchen&limit=0", "limit")]
    [InlineData("q=kitchen&limit=21", "limit")]
    [InlineData("q=kitchen&limit=five", "limit")]
    public async Task Search_BadQuery_400NamingIt(string query, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await RoleAsync(DomioRoles.Office, ct);
        using var response = await office.GetAsync(new Uri($"api/office/search?{query}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
    }

    [Fact]
    public async Task ExportXlsx_SameFilter_EveryMatchInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await RoleAsync(DomioRoles.Office, ct);
        var marker = Marker();
        foreach (var name in new[] { "Берёза", "Ясень" })
        {
            using var created = await office.PostAsJsonAsync("api/office/customers", new { kind = "company", name, notes = marker }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var response = await office.GetAsync(new Uri($"api/office/customers/export.xlsx?q={marker}&sort=-name", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using var sheet = new MemoryStream(await response.Content.ReadAsByteArrayAsync(ct));
        var rows = MiniExcel.Query(sheet, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(["Ясень", "Берёза"], rows.Select(r => r["Name"] as string));
        Assert.All(rows, r => Assert.Equal(marker, r["Notes"]));
    }

    private async Task<HttpClient> RoleAsync(string role, CancellationToken ct)
    {
        using var admin = await cloud.AdminAsync(ct);
        return (await cloud.ApiKeyClientAsync(admin, role, ct)).Client;
    }

    /// <summary>Letters only, so every text search configuration keeps it one word.</summary>
    private static string Marker() => "zq" + string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('a' + (c % 26))))[..10];

    private static MultipartFormDataContent OrderForm(string number, string customer)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(number), "number" },
            { new StringContent(customer), "customer" },
            { new StringContent("2026-12-31"), "dueDate" },
            { new StringContent("2"), "priority" },
        };
        var content = new ByteArrayContent(ImportApiTests.Sample("kitchen-cut-list.csv"));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(content, "file", "kitchen.csv");
        return form;
    }
}

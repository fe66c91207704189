using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using CsvHelper;

using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using MiniExcelLibs;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>
/// The office's view of production on the real host and PostgreSQL: orders moved through the terminal's API, then listed
/// (searched, filtered by state, sorted and paged in SQL), opened with their operations' counted and good pieces, and
/// exported as CSV and XLSX files that read back.
/// </summary>
public sealed class ProductionOrdersTests(ProductionCloud cloud) : IClassFixture<ProductionCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private ProductionOrders Orders => cloud.App.Services.GetRequiredService<ProductionOrders>();

    [Fact]
    public async Task PageAsync_SearchStateSortAndPaging_AnsweredFromSql()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"PG{Guid.NewGuid():N}"[..10].ToUpperInvariant();
        await ShopAsync(prefix, ct);

        var all = await Orders.PageAsync(new OrderQuery(prefix.ToLowerInvariant(), Sort: "number"), ct);
        var byCustomer = await Orders.PageAsync(new OrderQuery($"{prefix} kitchens"), ct);
        var inProgress = await Orders.PageAsync(new OrderQuery(prefix, OrderState.InProgress), ct);
        var late = await Orders.PageAsync(new OrderQuery(prefix, OrderState.Late), ct);
        var page = await Orders.PageAsync(new OrderQuery(prefix, Sort: "Number", Descending: true, Skip: 1, Take: 2), ct);
        var byProgress = await Orders.PageAsync(new OrderQuery(prefix, Sort: "progress", Descending: true), ct);
        var unfiltered = await Orders.PageAsync(new OrderQuery(), ct);

        Assert.Equal(4, all.Total);
        Assert.True(unfiltered.Total >= 4 && unfiltered.Rows.Count >= 4, $"{unfiltered.Total} orders, {unfiltered.Rows.Count} rows");
        Assert.Equal([$"{prefix}-1", $"{prefix}-2", $"{prefix}-3", $"{prefix}-4"], all.Rows.Select(r => r.Number));
        Assert.Equal([OrderState.Released, OrderState.InProgress, OrderState.Done, OrderState.Late], all.Rows.Select(r => r.State));
        Assert.Equal([$"{prefix}-2"], byCustomer.Rows.Select(r => r.Number));
        Assert.Equal([$"{prefix}-2"], inProgress.Rows.Select(r => r.Number));
        Assert.Equal([$"{prefix}-4"], late.Rows.Select(r => r.Number));
        Assert.Equal(4, page.Total);
        Assert.Equal([$"{prefix}-3", $"{prefix}-2"], page.Rows.Select(r => r.Number));
        Assert.Equal($"{prefix}-3", byProgress.Rows[0].Number);
        var done = all.Rows[2];
        Assert.Equal((1, 1, 1, 6, 6, 1, 100), (done.Parts, done.OperationsDone, done.Operations, done.Good, done.Planned, done.Scrap, done.Progress));
        // Good and planned are the last operations': the edged part's saw step counts for neither.
        var started = all.Rows[1];
        Assert.Equal((2, 0, 3, 0, 12, 0), (started.Parts, started.OperationsDone, started.Operations, started.Good, started.Planned, started.Progress));
    }

    [Fact]
    public async Task DetailAsync_OperationRunningOnTheSaw_ShowsCountedAndGoodAndWhatRunsWhere()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CounterAsync("saw-01", 1000);
        var order = await cloud.CreateOrderAsync($"DT{Guid.NewGuid():N}"[..10], ProductionCloud.Panel("Door", 10, edge: "ABS 2"));
        var saw = order.Parts[0].Operations.Single(o => o.Step == 1);
        using var terminal = await TerminalAsync(ct);

        await ActAsync(terminal, new { kind = "start", operationId = saw.Id, machineId = "saw-01" }, ct);
        await cloud.CounterAsync("saw-01", 1004);
        var running = (await Orders.DetailAsync(order.Id, ct))!;
        await ActAsync(terminal, new { kind = "report", operationId = saw.Id, good = 3, scrap = 1, scrapReason = "chipped" }, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = saw.Id, good = 0 }, ct);
        var finished = (await Orders.DetailAsync(order.Id, ct))!;

        var op = running.Parts.Single().Operations;
        Assert.Equal([1, 2], op.Select(o => o.Step));
        Assert.Equal((OperationState.Running, "saw-01", 4L, 0), (op[0].State, op[0].MachineId, op[0].Counted, op[0].Good));
        Assert.Equal([saw.Id], running.RunningNow.Select(o => o.Id));
        Assert.Equal(OrderState.InProgress, running.Order.State);
        var after = finished.Parts.Single().Operations;
        Assert.Equal((OperationState.Done, 4L, 3, 1, 7), (after[0].State, after[0].Counted, after[0].Good, after[0].Scrap, after[0].Remaining));
        Assert.Equal(OperationState.Ready, after[1].State);
        Assert.Empty(finished.RunningNow);
        Assert.Null(await Orders.DetailAsync(-1, ct));
    }

    [Fact]
    public async Task Export_CsvAndXlsx_ReadBackWithTheListsRowsInTheCallersLanguage()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"EX{Guid.NewGuid():N}"[..10].ToUpperInvariant();
        var orders = await ShopAsync(prefix, ct);
        using var admin = await cloud.AdminAsync(ct);
        using var office = (await cloud.ApiKeyClientAsync(admin, DomioRoles.Office, ct)).Client;

        using var csv = await office.GetAsync(new Uri($"api/production/orders/export?format=csv&search={prefix}&sort=number", UriKind.Relative), ct);
        using var ruRequest = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/production/orders/export?format=csv&search={prefix}&state=late", UriKind.Relative));
        ruRequest.Headers.AcceptLanguage.ParseAdd("ru-RU");
        using var ruCsv = await office.SendAsync(ruRequest, ct);
        using var xlsx = await office.GetAsync(new Uri($"api/production/orders/export?format=xlsx&search={prefix}&sort=number&desc=true", UriKind.Relative), ct);
        using var operationsCsv = await office.GetAsync(new Uri($"api/production/orders/{orders[1].Id}/export?format=csv", UriKind.Relative), ct);
        using var operationsXlsx = await office.GetAsync(new Uri($"api/production/orders/{orders[1].Id}/export?format=xlsx", UriKind.Relative), ct);
        using var missing = await office.GetAsync(new Uri("api/production/orders/999999999/export?format=csv", UriKind.Relative), ct);
        using var badFormat = await office.GetAsync(new Uri("api/production/orders/export?format=pdf", UriKind.Relative), ct);

        Assert.Equal(("text/csv", "orders.csv"), (csv.Content.Headers.ContentType?.MediaType, csv.Content.Headers.ContentDisposition?.FileName));
        var rows = Csv(await csv.Content.ReadAsByteArrayAsync(ct), ',');
        Assert.Equal(["Order", "Customer", "Due date", "Priority", "Created", "State", "Parts", "Operations done", "Operations", "Good", "Planned", "Scrap", "Progress, %"], rows[0]);
        Assert.Equal([$"{prefix}-1", $"{prefix}-2", $"{prefix}-3", $"{prefix}-4"], rows.Skip(1).Select(r => r[0]));
        Assert.Equal(["Released", "In progress", "Done", "Late"], rows.Skip(1).Select(r => r[5]));
        Assert.Equal(["6", "6", "1", "100"], rows[3][9..]);

        var ru = await ruCsv.Content.ReadAsByteArrayAsync(ct);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), ru[..3]);
        var ruRows = Csv(ru[3..], ';');
        Assert.Equal(("Заказ", "Состояние"), (ruRows[0][0], ruRows[0][5]));
        Assert.Equal([[$"{prefix}-4", "Просрочен"]], ruRows.Skip(1).Select(r => new[] { r[0], r[5] }));

        Assert.Equal((ProductionApi.XlsxType, "orders.xlsx"), (xlsx.Content.Headers.ContentType?.ToString(), xlsx.Content.Headers.ContentDisposition?.FileName));
        var sheet = Xlsx(await xlsx.Content.ReadAsByteArrayAsync(ct));
        Assert.Equal([$"{prefix}-4", $"{prefix}-3", $"{prefix}-2", $"{prefix}-1"], sheet.Select(r => r["Order"]?.ToString()));
        Assert.Equal(100d, Convert.ToDouble(sheet[1]["Progress, %"], System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal($"order-{prefix}-2.csv", operationsCsv.Content.Headers.ContentDisposition?.FileName);
        var operations = Csv(await operationsCsv.Content.ReadAsByteArrayAsync(ct), ',');
        Assert.Equal(["Line", "Part", "Step", "Work centre", "State", "Machine", "Planned", "Good", "Scrap", "Counted by the machine", "Remaining", "Run time, min"], operations[0]);
        Assert.Equal([["1", "Door", "1", "Panel saw", "Paused", "saw-01"], ["1", "Door", "2", "Edgebander", "Waiting", ""], ["2", "Shelf", "1", "Panel saw", "Ready", ""]],
            operations.Skip(1).Select(r => r[..6]));
        var operationSheet = Xlsx(await operationsXlsx.Content.ReadAsByteArrayAsync(ct));
        Assert.Equal(["Door", "Door", "Shelf"], operationSheet.Select(r => r["Part"]?.ToString()));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.BadRequest), (missing.StatusCode, badFormat.StatusCode));
    }

    [Fact]
    public async Task OrdersApi_ListAndDetail_AnswerJson()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"JS{Guid.NewGuid():N}"[..10].ToUpperInvariant();
        var order = await cloud.CreateOrderAsync($"{prefix}-1", ProductionCloud.Panel("Top", 2));
        using var admin = await cloud.AdminAsync(ct);
        using var planner = (await cloud.ApiKeyClientAsync(admin, DomioRoles.Planner, ct)).Client;

        var list = await planner.GetFromJsonAsync<JsonElement>($"api/production/orders?search={prefix}&state=released", ct);
        var detail = await planner.GetFromJsonAsync<JsonElement>($"api/production/orders/{order.Id}", ct);
        using var badState = await planner.GetAsync(new Uri("api/production/orders?state=lost", UriKind.Relative), ct);
        using var missing = await planner.GetAsync(new Uri("api/production/orders/999999999", UriKind.Relative), ct);

        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal($"{prefix}-1", list.GetProperty("rows")[0].GetProperty("number").GetString());
        Assert.Equal("Top", detail.GetProperty("parts")[0].GetProperty("name").GetString());
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (badState.StatusCode, missing.StatusCode));
    }

    /// <summary>
    /// Four orders numbered <paramref name="prefix"/>-1 to -4: released; in progress (its saw step started and paused, on
    /// an edged door and a shelf); done (its only step finished, 6 good and 1 scrap); late (due in 2020, nothing started).
    /// </summary>
    private async Task<List<ProductionOrder>> ShopAsync(string prefix, CancellationToken ct)
    {
        var orders = new List<ProductionOrder>
        {
            await cloud.CreateOrderAsync($"{prefix}-1", ProductionCloud.Panel("Side", 4)),
            await cloud.CreateOrderAsync($"{prefix}-2", ProductionCloud.Panel("Door", 6, edge: "ABS 2"), ProductionCloud.Panel("Shelf", 6)),
            await cloud.CreateOrderAsync($"{prefix}-3", ProductionCloud.Panel("Back", 6)),
            await cloud.CreateOrderAsync($"{prefix}-4", ProductionCloud.Panel("Plinth", 2)),
        };
        await cloud.QueryAsync(db => db.Orders.Where(o => o.Id == orders[1].Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Customer, $"{prefix} Kitchens Ltd"), ct));
        await cloud.QueryAsync(db => db.Orders.Where(o => o.Id == orders[3].Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.DueDate, new DateOnly(2020, 1, 31)), ct));
        using var terminal = await TerminalAsync(ct);
        var door = orders[1].Parts[0].Operations.Single(o => o.Step == 1).Id;
        await ActAsync(terminal, new { kind = "start", operationId = door, machineId = "saw-01" }, ct);
        await ActAsync(terminal, new { kind = "pause", operationId = door }, ct);
        var back = orders[2].Parts[0].Operations.Single().Id;
        await ActAsync(terminal, new { kind = "start", operationId = back, machineId = "saw-01" }, ct);
        await ActAsync(terminal, new { kind = "finish", operationId = back, good = 6, scrap = 1, scrapReason = "chipped" }, ct);
        return orders;
    }

    private async Task<HttpClient> TerminalAsync(CancellationToken ct)
    {
        using var admin = await cloud.AdminAsync(ct);
        return (await cloud.TerminalClientAsync(admin, "saw", ct)).Client;
    }

    private static async Task ActAsync(HttpClient terminal, object action, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToElement(action, Json).Deserialize<Dictionary<string, object?>>()!;
        body["key"] = Guid.NewGuid();
        using var response = await terminal.PostAsJsonAsync("api/terminal/actions", body, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
    }

    private static List<string[]> Csv(byte[] utf8, char separator)
    {
        using var reader = CsvReader.Create(utf8.AsMemory(), new CsvReaderOptions { Separator = separator, HasHeader = false });
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)]);
        }

        return rows;
    }

    private static List<IDictionary<string, object?>> Xlsx(byte[] workbook)
    {
        using var stream = new MemoryStream(workbook);
        return [.. MiniExcel.Query(stream, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>()];
    }
}

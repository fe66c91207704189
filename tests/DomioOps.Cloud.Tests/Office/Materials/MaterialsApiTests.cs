using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.Office.Materials;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Tests.Office.Materials;

/// <summary>
/// Materials and purchasing over HTTP on the real host and PostgreSQL: a production order's reservation against a cut
/// list computed by hand, reserved twice and released; unknown materials listed; purchase suggestions from the stock as
/// it is; a purchase order received in part, over-received (refused, nothing written) and in full. Each test names its
/// materials with a marker of its own, so the tests sharing the database do not meet each other's.
/// </summary>
public sealed class MaterialsApiTests(MaterialsCloud cloud) : IClassFixture<MaterialsCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Reserve_CutList_AreaTimesWasteFactorAndEdgedLengthReservedOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var m = Marker();
        var sheet = await CreateAsync(office, new { kind = "sheet", name = $"ЛДСП {m} Белый", thickness = 16, sheetLength = 2800, sheetWidth = 2070, wasteFactor = 1.15 }, ct);
        var edge = await CreateAsync(office, new { kind = "edge", name = $"ПВХ {m} 2x19", tapeWidth = 19 }, ct);
        var order = await cloud.CreateOrderAsync($"R-{m}",
            Part("Боковина", $"ЛДСП {m} Белый", 16, 720, 560, 4, l1: $"ПВХ {m} 2x19", w1: $"пвх {m}  2X19"),
            Part("Полка", $" лдсп {m} белый ", 16, 564, 500, 3, l1: $"ПВХ {m} 2x19", l2: $"ПВХ {m} 0.4x19"),
            Part("Задняя стенка", $"ХДФ {m}", 3, 700, 500, 1),
            Part("Фасад", $"ЛДСП {m} Белый", 18, 716, 396, 2));

        var first = await ReserveAsync(office, order.Id, ct);
        var second = await ReserveAsync(office, order.Id, ct);

        // Sheet: (0.720 × 0.560 × 4 + 0.564 × 0.500 × 3) m² = 2.4588 m² × 1.15 = 2.82762 → 2.828 m².
        // Edge: (720 + 560) × 4 + 564 × 3 = 6812 mm = 6.812 m (names matched whatever their case and spacing).
        foreach (var reservation in new[] { first, second })
        {
            Assert.False(reservation.Released);
            Assert.Equal([(sheet.Id, 2.828m), (edge.Id, 6.812m)], reservation.Materials.Select(r => (r.MaterialId, r.Quantity)));
            Assert.Equal(
                [(MaterialKind.Edge, $"ПВХ {m} 0.4x19", (decimal?)null, "2"), (MaterialKind.Sheet, $"ХДФ {m}", 3m, "3"), (MaterialKind.Sheet, $"ЛДСП {m} Белый", 18m, "4")],
                reservation.Unknown.Select(u => (u.Kind, u.Name, u.Thickness, string.Join(',', u.Lines))).OrderBy(u => u.Item4, StringComparer.Ordinal));
        }

        var stock = await StockAsync(office, sheet.Id, ct);
        Assert.Equal((0m, 2.828m, -2.828m), (stock.OnHand, stock.Reserved, stock.Available));
        Assert.Equal([((short)MovementKind.Reservation, 2.828m)], await cloud.MovementsAsync(sheet.Id, ct));
        Assert.Equal([((short)MovementKind.Reservation, 6.812m)], await cloud.MovementsAsync(edge.Id, ct));
        Assert.Equal(["office.materials.reserved"], await cloud.AuditAsync("office-reservation", order.Id, ct));
        var read = (await office.GetFromJsonAsync<Reservation>($"api/office/materials/reservations/{order.Id}", Json, ct))!;
        Assert.Equal([2.828m, 6.812m], read.Materials.Select(r => r.Quantity));
    }

    [Fact]
    public async Task Reserve_DoneOrderOrDelete_ReleasesWhatWasHeld()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var m = Marker();
        var sheet = await CreateAsync(office, new { kind = "sheet", name = $"МДФ {m}", thickness = 18, wasteFactor = 1.2 }, ct);
        var done = await cloud.CreateOrderAsync($"D-{m}", Part("Фасад", $"МДФ {m}", 18, 1000, 500, 2));
        var cancelled = await cloud.CreateOrderAsync($"C-{m}", Part("Фасад", $"МДФ {m}", 18, 500, 500, 1));

        // 1.000 × 0.500 × 2 × 1.2 = 1.2 m²; 0.5 × 0.5 × 1 × 1.2 = 0.3 m².
        Assert.Equal(1.2m, Assert.Single((await ReserveAsync(office, done.Id, ct)).Materials).Quantity);
        Assert.Equal(0.3m, Assert.Single((await ReserveAsync(office, cancelled.Id, ct)).Materials).Quantity);
        Assert.Equal(1.5m, (await StockAsync(office, sheet.Id, ct)).Reserved);

        await cloud.CompleteAsync(done.Id, ct);
        var released = await ReserveAsync(office, done.Id, ct);
        Assert.True(released.Released);
        Assert.Empty(released.Materials);
        using (var delete = await office.DeleteAsync(new Uri($"api/office/materials/reservations/{cancelled.Id}", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        Assert.Equal(0m, (await StockAsync(office, sheet.Id, ct)).Reserved);
        Assert.Equal(
            [((short)MovementKind.Reservation, 1.2m), ((short)MovementKind.Reservation, 0.3m), ((short)MovementKind.Release, -1.2m), ((short)MovementKind.Release, -0.3m)],
            await cloud.MovementsAsync(sheet.Id, ct));
        Assert.Equal(["office.materials.reserved", "office.materials.released"], await cloud.AuditAsync("office-reservation", done.Id, ct));
        using var missing = await office.PostAsync(new Uri("api/office/materials/reservations/987654321", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Import_CutList_ReservesTheNewOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var m = Marker();
        var sheet = await CreateAsync(office, new { kind = "sheet", name = $"ЛДСП {m}", thickness = 16, wasteFactor = 1.1 }, ct);
        var csv = $"""
            Наименование;Материал;Толщина;Длина;Ширина;Кол-во;Текстура;Кромка Д1;Кромка Д2;Кромка Ш1;Кромка Ш2;Программа
            Дно;ЛДСП {m};16;1000;500;2;вдоль;;;;;
            """;
        using var form = new MultipartFormDataContent
        {
            { new StringContent($"I-{m}"), "number" },
            { new StringContent("Test kitchens"), "customer" },
            { new StringContent("2026-12-31"), "dueDate" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "order.csv");
        using var imported = await office.PostAsync(new Uri("api/production/orders/import", UriKind.Relative), form, ct);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var id = JsonDocument.Parse(await imported.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetInt64();

        // 1.0 × 0.5 × 2 × 1.1 = 1.1 m², reserved by the import itself.
        var reservation = (await office.GetFromJsonAsync<Reservation>($"api/office/materials/reservations/{id}", Json, ct))!;
        Assert.Equal((sheet.Id, 1.1m), (Assert.Single(reservation.Materials).MaterialId, reservation.Materials[0].Quantity));
        Assert.Equal(1.1m, (await StockAsync(office, sheet.Id, ct)).Reserved);
    }

    [Fact]
    public async Task PurchaseOrder_PartialOverAndFullReceipt_StatusStockAndSuggestionFollow()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var m = Marker();
        var hinge = await CreateAsync(office, new { kind = "hardware", name = $"Петля {m}", article = $"H-{m}" }, ct);
        using (var minimum = await office.PutAsJsonAsync($"api/office/materials/{hinge.Id}/minimum", new { minimum = 10 }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, minimum.StatusCode);
        }

        Assert.Equal(10m, (await SuggestionAsync(office, hinge.Id, ct))?.Quantity);
        var supplier = await PostAsync<Supplier>(office, "api/office/suppliers", new { name = $"Фурнитура {m}", taxId = "7707083893", email = "sales@hinges.example" }, ct);
        var fromSuggestions = await PostAsync<PurchaseOrder>(office, "api/office/purchase-orders", new { supplierId = supplier.Id, fromSuggestions = true }, ct);
        Assert.Contains(fromSuggestions.Lines, l => l.MaterialId == hinge.Id && l.Quantity == 10m);
        var order = await PostAsync<PurchaseOrder>(office, "api/office/purchase-orders",
            new { supplierId = supplier.Id, lines = new[] { new { materialId = hinge.Id, quantity = 10m, price = 55.5m } } }, ct);
        Assert.Equal(PurchaseOrderStatus.Draft, order.Status);

        using (var early = await ReceiveAsync(office, order.Id, 1, 4m, ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        }

        Assert.Equal(PurchaseOrderStatus.Ordered, (await PostAsync<PurchaseOrder>(office, $"api/office/purchase-orders/{order.Id}/order", new { }, ct, HttpStatusCode.OK)).Status);
        using (var partial = await ReceiveAsync(office, order.Id, 1, 4m, ct))
        {
            Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
            var after = (await partial.Content.ReadFromJsonAsync<PurchaseOrder>(Json, ct))!;
            Assert.Equal((PurchaseOrderStatus.PartiallyReceived, 4m), (after.Status, after.Lines[0].Received));
        }

        Assert.Equal(6m, (await SuggestionAsync(office, hinge.Id, ct))?.Quantity);
        using (var over = await ReceiveAsync(office, order.Id, 1, 7m, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
            var errors = await ErrorsAsync(over, ct);
            Assert.Equal(["lines[0].quantity"], errors.Keys);
            Assert.Contains("Line 1", errors["lines[0].quantity"], StringComparison.Ordinal);
        }

        // The refused receipt wrote nothing: 4 on hand, one receipt movement, still partially received.
        Assert.Equal(4m, (await StockAsync(office, hinge.Id, ct)).OnHand);
        Assert.Equal([((short)MovementKind.Receipt, 4m)], await cloud.MovementsAsync(hinge.Id, ct));
        Assert.Equal(PurchaseOrderStatus.PartiallyReceived, (await office.GetFromJsonAsync<PurchaseOrder>($"api/office/purchase-orders/{order.Id}", Json, ct))!.Status);

        using (var rest = await ReceiveAsync(office, order.Id, 1, 6m, ct))
        {
            Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
            Assert.Equal(PurchaseOrderStatus.Received, (await rest.Content.ReadFromJsonAsync<PurchaseOrder>(Json, ct))!.Status);
        }

        Assert.Equal((10m, 10m), ((await StockAsync(office, hinge.Id, ct)).OnHand, (await StockAsync(office, hinge.Id, ct)).Available));
        Assert.Null(await SuggestionAsync(office, hinge.Id, ct));
        Assert.Equal(["office.purchase-order.created", "office.purchase-order.ordered", "office.purchase-order.received", "office.purchase-order.received"],
            await cloud.AuditAsync("office-purchase-order", order.Id, ct));
    }

    [Fact]
    public async Task Changes_NegativeOrWrongFields_RefusedNamingEachAndNothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var m = Marker();
        var screw = await CreateAsync(office, new { kind = "hardware", name = $"Конфирмат {m}" }, ct);

        using (var receipt = await office.PostAsJsonAsync("api/office/materials/movements", new { materialId = screw.Id, kind = "receipt", quantity = -5 }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, receipt.StatusCode);
            Assert.Equal(["quantity"], (await ErrorsAsync(receipt, ct)).Keys);
        }

        using (var issue = await office.PostAsJsonAsync("api/office/materials/movements", new { materialId = screw.Id, kind = "issue", quantity = 1 }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, issue.StatusCode);
            Assert.Contains("on hand", (await ErrorsAsync(issue, ct))["quantity"], StringComparison.Ordinal);
        }

        using (var minimum = await office.PutAsJsonAsync($"api/office/materials/{screw.Id}/minimum", new { minimum = -1, reorderQuantity = 0 }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, minimum.StatusCode);
            Assert.Equal(["minimum", "reorderQuantity"], (await ErrorsAsync(minimum, ct)).Keys.Order(StringComparer.Ordinal));
        }

        var supplier = await PostAsync<Supplier>(office, "api/office/suppliers", new { name = $"Крепёж {m}" }, ct);
        using (var po = await office.PostAsJsonAsync("api/office/purchase-orders",
            new { supplierId = supplier.Id, lines = new object[] { new { materialId = screw.Id, quantity = 5, price = 1 }, new { materialId = screw.Id, quantity = -2, price = -1 } } }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, po.StatusCode);
            Assert.Equal(["lines[1].price", "lines[1].quantity"], (await ErrorsAsync(po, ct)).Keys.Order(StringComparer.Ordinal));
        }

        using (var material = await office.PostAsJsonAsync("api/office/materials", new { kind = "sheet", name = $"ЛДСП {m}", wasteFactor = 0.9 }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, material.StatusCode);
            Assert.Equal(["thickness", "wasteFactor"], (await ErrorsAsync(material, ct)).Keys.Order(StringComparer.Ordinal));
        }

        Assert.Empty(await cloud.MovementsAsync(screw.Id, ct));
        Assert.Equal((0m, 0m), ((await StockAsync(office, screw.Id, ct)).OnHand, (await StockAsync(office, screw.Id, ct)).Minimum));
        Assert.DoesNotContain((await office.GetFromJsonAsync<List<PurchaseOrderSummary>>("api/office/purchase-orders", Json, ct))!, p => p.Supplier == supplier.Name);
    }

    [Fact]
    public async Task Export_CsvAndXlsx_ListTheStock()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var m = Marker();
        var glue = await CreateAsync(office, new { kind = "hardware", name = $"Клей {m}" }, ct);
        using (var receipt = await office.PostAsJsonAsync("api/office/materials/movements", new { materialId = glue.Id, kind = "receipt", quantity = 12.5 }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
        }

        using var csv = await office.GetAsync(new Uri("api/office/materials/stock/export?format=csv", UriKind.Relative), ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync(ct);
        Assert.Contains($"Клей {m}", text, StringComparison.Ordinal);
        using var xlsx = await office.GetAsync(new Uri("api/office/materials/stock/export?format=xlsx", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        var bytes = await xlsx.Content.ReadAsByteArrayAsync(ct);
        Assert.Equal("PK"u8.ToArray(), bytes[..2]);
        using var planner = await cloud.PlannerClientAsync(ct);
        using var refused = await planner.PostAsJsonAsync("api/office/materials/movements", new { materialId = glue.Id, kind = "receipt", quantity = 1 }, ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private static string Marker() => $"t{Guid.NewGuid():N}"[..10];

    private static Part Part(string name, string material, decimal thickness, decimal length, decimal width, int quantity, string? l1 = null, string? l2 = null, string? w1 = null) => new()
    {
        Name = name,
        Material = material,
        Thickness = thickness,
        Length = length,
        Width = width,
        Quantity = quantity,
        Grain = GrainDirection.None,
        EdgeL1 = l1,
        EdgeL2 = l2,
        EdgeW1 = w1,
    };

    private static Task<Material> CreateAsync(HttpClient office, object draft, CancellationToken ct) => PostAsync<Material>(office, "api/office/materials", draft, ct);

    private static async Task<T> PostAsync<T>(HttpClient client, string path, object body, CancellationToken ct, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    private static async Task<Reservation> ReserveAsync(HttpClient office, long orderId, CancellationToken ct) =>
        await PostAsync<Reservation>(office, $"api/office/materials/reservations/{orderId}", new { }, ct, HttpStatusCode.OK);

    private static async Task<StockRow> StockAsync(HttpClient office, long materialId, CancellationToken ct) =>
        (await office.GetFromJsonAsync<List<StockRow>>("api/office/materials/stock", Json, ct))!.Single(s => s.MaterialId == materialId);

    private static async Task<PurchaseSuggestion?> SuggestionAsync(HttpClient office, long materialId, CancellationToken ct) =>
        (await office.GetFromJsonAsync<List<PurchaseSuggestion>>("api/office/materials/purchase-suggestions", Json, ct))!.SingleOrDefault(s => s.MaterialId == materialId);

    private static Task<HttpResponseMessage> ReceiveAsync(HttpClient office, long id, int line, decimal quantity, CancellationToken ct) =>
        office.PostAsJsonAsync($"api/office/purchase-orders/{id}/receipts", new { lines = new[] { new { line, quantity } } }, ct);

    private static async Task<Dictionary<string, string>> ErrorsAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value[0].GetString()!, StringComparer.Ordinal);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.Office.Projects;
using DomioOps.Cloud.Office.Quotes;

namespace DomioOps.Cloud.Tests.Office.Quotes;

/// <summary>
/// Projects and quotes on the real host and PostgreSQL: totals against a hand-computed example, bad lines named, a sent
/// quote revised with the sent one kept, a quote priced from a small cut list computed by hand, the PDF read back with
/// pdftotext, and acceptance (twice, at once) making exactly one production order with the cut list's parts.
/// </summary>
public sealed class QuotesApiTests(QuotesCloud cloud) : IClassFixture<QuotesCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Three parts, two materials, three tapes (see the hand computation in <see cref="CutList_SmallList_PricedAsComputedByHand"/>).</summary>
    internal const string SmallCutList = """
        Наименование;Материал;Толщина;Длина;Ширина;Кол-во;Текстура;Кромка Д1;Кромка Д2;Кромка Ш1;Кромка Ш2;Программа
        Боковина;ЛДСП Egger H1145 ST10 Дуб Бардолино;16;720;560;2;вдоль;ПВХ 2x19 H1145;;ПВХ 0,4x19 H1145;;SIDE
        Полка;ЛДСП Egger H1145 ST10 Дуб Бардолино;16;500;300;3;вдоль;ПВХ 2x19 H1145;ПВХ 2x19 H1145;;;
        Фасад;МДФ крашеный белый матовый;18;716;596;1;нет;ПВХ 1x19 белый;ПВХ 1x19 белый;ПВХ 1x19 белый;ПВХ 1x19 белый;DOOR
        """;

    [Fact]
    public async Task Project_CreateEditStale_409AndFilterFindsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (customerId, project) = await ProjectAsync(office, "Кухня на Лесной", ct);
        Assert.Equal("enquiry", project.Status);
        Assert.Equal(1, project.Version);

        using (var saved = await office.PutAsJsonAsync($"api/office/projects/{project.Id}", new
        {
            customerId,
            kind = "kitchen",
            title = "Кухня на Лесной",
            status = "measuring",
            measurements = "ширина: 3200\nвысота: 2600",
            version = 1,
        }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        using (var stale = await office.PutAsJsonAsync($"api/office/projects/{project.Id}", new { customerId, kind = "kitchen", title = "Другое", version = 1 }, ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        }

        using (var bad = await office.PostAsJsonAsync("api/office/projects", new { customerId, kind = "yacht", title = "" }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var errors = await ErrorsAsync(bad, ct);
            Assert.Contains("kind", errors.Keys);
            Assert.Contains("title", errors.Keys);
        }

        var page = (await office.GetFromJsonAsync<ProjectPage>($"api/office/projects?customerId={customerId}&status=measuring", Json, ct))!;
        var found = Assert.Single(page.Items);
        Assert.Equal(("Кухня на Лесной", 2, "ширина: 3200\nвысота: 2600"), (found.Title, found.Version, found.Measurements));
    }

    [Fact]
    public async Task Create_LinesWithDiscountsAndVat_TotalsAsComputedByHand()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (_, project) = await ProjectAsync(office, "Шкаф", ct);
        var quote = await CreateQuoteAsync(office, project.Id, new object[]
        {
            new { kind = "panel", item = "ЛДСП Egger W1000 ST9 Белый премиум", thickness = 16m, quantity = 2.5m, unitPrice = 1234.56m, discountPercent = 10m },
            new { kind = "hardware", item = "Blum 71B3550 петля CLIP top", quantity = 7m, unitPrice = 99.99m },
            new { kind = "labour", description = "Сборка", quantity = 1.333m, unitPrice = 1500m, discountPercent = 5m },
            new { kind = "hardware", item = "Blum 71B3550 петля CLIP top", quantity = 2m },
        }, 3m, ct);

        // By hand: 2.5 × 1234.56 = 3086.40, less 10 % = 2777.76; 7 × 99.99 = 699.93; 1.333 × 1500 = 1999.50, less 5 % = 1899.525
        // → 1899.53 (half away from zero); 2 × 395.00 (the retail list's price) = 790.00. Lines 6167.22; 3 % = 185.0166 → 185.02;
        // net 5982.20; VAT 20 % = 1196.44; total 7178.64.
        Assert.Equal([2777.76m, 699.93m, 1899.53m, 790.00m], quote.Current.Lines.Select(l => l.Amount));
        Assert.Equal(395.00m, quote.Current.Lines[3].UnitPrice);
        Assert.Equal(new QuoteTotals(6167.22m, 185.02m, 5982.20m, 1196.44m, 7178.64m), quote.Current.Totals);
        Assert.Equal(20m, quote.Current.VatPercent);
        Assert.Equal("draft", quote.Status);
    }

    [Fact]
    public async Task Create_NegativeQuantityAndDiscountOver100_400NamingEachLineAndNothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (_, project) = await ProjectAsync(office, "Прихожая", ct);
        using var bad = await office.PostAsJsonAsync("api/office/quotes", new
        {
            projectId = project.Id,
            lines = new object[]
            {
                new { kind = "cabinet", description = "Тумба", quantity = 1m, unitPrice = 5000m, discountPercent = 101m },
                new { kind = "cabinet", description = "Полка", quantity = 1m, unitPrice = -1m },
                new { kind = "cabinet", description = "Шкаф", quantity = -2m, unitPrice = 9000m },
                new { kind = "edge", item = "Нет такой кромки", quantity = 3m },
            },
            vatPercent = 120m,
        }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = await ErrorsAsync(bad, ct);
        Assert.Equal(["lines[0].discountPercent", "lines[1].unitPrice", "lines[2].quantity", "lines[3].unitPrice", "vatPercent"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("lines[2].quantity", errors["lines[2].quantity"][0], StringComparison.Ordinal);
        Assert.Equal(0, await cloud.ScalarAsync("""SELECT count(*) FROM office_quotes WHERE "ProjectId" = $1""", project.Id, ct));
    }

    [Fact]
    public async Task Update_SentQuote_MakesRevision2AndKeepsRevision1Readable()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (_, project) = await ProjectAsync(office, "Гардеробная", ct);
        var quote = await CreateQuoteAsync(office, project.Id, [new { kind = "cabinet", description = "Шкаф-купе", quantity = 1m, unitPrice = 100000m }], null, ct);
        quote = await PostAsync(office, $"api/office/quotes/{quote.Id}/send", ct);
        Assert.Equal("sent", quote.Status);

        using (var edited = await office.PutAsJsonAsync($"api/office/quotes/{quote.Id}", new
        {
            lines = new[] { new { kind = "cabinet", description = "Шкаф-купе", quantity = 1m, unitPrice = 90000m } },
            version = quote.Version,
        }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
            quote = (await edited.Content.ReadFromJsonAsync<Quote>(Json, ct))!;
        }

        Assert.Equal(("draft", 2), (quote.Status, quote.Current.Revision));
        Assert.Equal([1, 2], quote.Revisions);
        Assert.Equal(108000.00m, quote.Current.Totals.Total);
        var first = (await office.GetFromJsonAsync<QuoteRevision>($"api/office/quotes/{quote.Id}/revisions/1", Json, ct))!;
        Assert.Equal(120000.00m, first.Totals.Total);
        Assert.NotNull(first.SentAt);
        Assert.Equal(100000m, Assert.Single(first.Lines).UnitPrice);
    }

    [Fact]
    public async Task CutList_SmallList_PricedAsComputedByHand()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (_, project) = await ProjectAsync(office, "Кухня из раскроя", ct);
        var quote = await CreateQuoteAsync(office, project.Id, [], null, ct);
        var priced = await UploadCutListAsync(office, quote.Id, ct);

        // By hand. Sheet: ЛДСП 16: 720×560×2 + 500×300×3 = 1,256,400 mm² = 1.256 m² × 1480 = 1858.88; МДФ 18: 716×596 = 0.427 m²
        // × 5900 = 2519.30. Edge: ПВХ 0,4x19: 560×2 = 1.12 m × 21 = 23.52; ПВХ 1x19 белый: (716+716+596+596) = 2.62 m × 38 = 99.56;
        // ПВХ 2x19: 720×2 + 500×2×3 = 4.44 m × 62 = 275.28. Labour at 1800/h: saw 3 parts × 10 min + 6 pieces × 30 s = 33 min
        // = 0.55 h → 990.00; edging 3 × 15 min + 6 × 60 s = 51 min = 0.85 h → 1530.00; CNC 2 × 5 min + 3 × 120 s = 16 min
        // = 0.27 h → 486.00. Lines 7782.54; VAT 20 % = 1556.508 → 1556.51; total 9339.05.
        var lines = priced.Quote.Current.Lines.Select(l => (l.Kind, l.Item, l.Quantity, l.UnitPrice, l.Amount)).ToList();
        Assert.Equal(
        [
            ("panel", "ЛДСП Egger H1145 ST10 Дуб Бардолино", 1.256m, 1480m, 1858.88m),
            ("panel", "МДФ крашеный белый матовый", 0.427m, 5900m, 2519.30m),
            ("edge", "ПВХ 0,4x19 H1145", 1.12m, 21m, 23.52m),
            ("edge", "ПВХ 1x19 белый", 2.62m, 38m, 99.56m),
            ("edge", "ПВХ 2x19 H1145", 4.44m, 62m, 275.28m),
            ("labour", "cnc", 0.27m, 1800m, 486.00m),
            ("labour", "edging", 0.85m, 1800m, 1530.00m),
            ("labour", "saw", 0.55m, 1800m, 990.00m),
        ], lines);
        Assert.Empty(priced.Unpriced);
        Assert.Equal(9339.05m, priced.Quote.Current.Totals.Total);
        Assert.Equal(3, priced.Quote.CutListParts);
    }

    [Fact]
    public async Task Pdf_RussianAndEnglish_TextHasCustomerMaterialAndTotal()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (_, project) = await ProjectAsync(office, "Кухня для PDF", ct, customer: "Мебельный салон «Берёза»");
        var quote = await CreateQuoteAsync(office, project.Id, [], null, ct);
        await UploadCutListAsync(office, quote.Id, ct);

        foreach (var (lang, total) in new[] { ("ru", "9 339,05"), ("en", "9,339.05") })
        {
            using var response = await office.GetAsync(new Uri($"api/office/quotes/{quote.Id}/pdf?lang={lang}", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
            var text = Flat(await PdfTextAsync(await response.Content.ReadAsByteArrayAsync(ct), ct));
            Assert.Contains("Мебельный салон «Берёза»", text, StringComparison.Ordinal);
            Assert.Contains("ЛДСП Egger H1145 ST10 Дуб Бардолино", text, StringComparison.Ordinal);
            Assert.Contains(total, text, StringComparison.Ordinal);
            Assert.Contains(lang == "ru" ? "Всего к оплате" : "Total due", text, StringComparison.Ordinal);
        }

        using var bad = await office.GetAsync(new Uri($"api/office/quotes/{quote.Id}/pdf?lang=de", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("lang", (await ErrorsAsync(bad, ct)).Keys);
    }

    [Fact]
    public async Task Accept_TwiceAtOnce_OneIs409AndExactlyOneProductionOrderWithTheCutListParts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (_, project) = await ProjectAsync(office, "Кухня в производство", ct);
        var quote = await CreateQuoteAsync(office, project.Id, [], null, ct);
        await UploadCutListAsync(office, quote.Id, ct);
        using (var draft = await office.PostAsync(new Uri($"api/office/quotes/{quote.Id}/accept", UriKind.Relative), null, ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, draft.StatusCode);
        }

        await PostAsync(office, $"api/office/quotes/{quote.Id}/send", ct);
        var both = await Task.WhenAll(
            office.PostAsJsonAsync($"api/office/quotes/{quote.Id}/accept", new { dueDate = "2027-01-20" }, ct),
            office.PostAsJsonAsync($"api/office/quotes/{quote.Id}/accept", new { dueDate = "2027-01-20" }, ct));
        try
        {
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], both.Select(r => r.StatusCode).Order());
            var refused = both.Single(r => r.StatusCode == HttpStatusCode.Conflict);
            Assert.Contains("accepted already", await refused.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        finally
        {
            Array.ForEach(both, r => r.Dispose());
        }

        var accepted = (await office.GetFromJsonAsync<Quote>($"api/office/quotes/{quote.Id}", Json, ct))!;
        Assert.Equal("accepted", accepted.Status);
        var orderId = Assert.Single(accepted.ProductionOrderIds);
        Assert.Equal(1, await cloud.ScalarAsync("""SELECT count(*) FROM office_orders WHERE "QuoteId" = $1""", quote.Id, ct));
        Assert.Equal(3, await cloud.ScalarAsync("""SELECT count(*) FROM production_parts WHERE "OrderId" = $1""", orderId, ct));
        // Боковина (saw, edging, CNC), Полка (saw, edging), Фасад (saw, edging, CNC).
        Assert.Equal(8, await cloud.ScalarAsync("""SELECT count(*) FROM production_operations WHERE "OrderId" = $1""", orderId, ct));
        Assert.Equal(1, await cloud.ScalarAsync(
            $"""SELECT count(*) FROM production_orders WHERE "Id" = $1 AND "Number" = 'P{project.Id}-Q{quote.Id}' AND "Customer" LIKE 'Заказчик %'""", orderId, ct));

        var production = (await office.GetFromJsonAsync<List<ProjectProduction>>($"api/office/projects/{project.Id}/production", Json, ct))!;
        var row = Assert.Single(production);
        Assert.Equal((orderId, 3, 0, 8, 0), (row.ProductionOrderId, row.Parts, row.PartsDone, row.Operations, row.OperationsDone));
        var view = (await office.GetFromJsonAsync<ProjectView>($"api/office/projects/{project.Id}", Json, ct))!;
        Assert.Equal("ordered", view.Project.Status);

        using var edit = await office.PutAsJsonAsync($"api/office/quotes/{quote.Id}", new { lines = Array.Empty<object>(), version = accepted.Version }, ct);
        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
    }

    [Fact]
    public async Task Documents_QuoteThenOrderConfirmationOnceAccepted_GeneratedFromTheTemplatesIntoTheProject()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var (_, project) = await ProjectAsync(office, "Прихожая с зеркалом", ct, customer: $"Студия Вяз {Guid.NewGuid():N}"[..20]);
        var quote = await CreateQuoteAsync(office, project.Id, [], null, ct);
        await UploadCutListAsync(office, quote.Id, ct);
        await PostAsync(office, $"api/office/quotes/{quote.Id}/send", ct);

        using (var unknown = await office.PostAsJsonAsync($"api/office/quotes/{quote.Id}/documents", new { kind = "letter", lang = "fr" }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Equal(["kind", "lang"], (await ErrorsAsync(unknown, ct)).Keys.Order(StringComparer.Ordinal));
        }

        using (var early = await office.PostAsJsonAsync($"api/office/quotes/{quote.Id}/documents", new { kind = "invoice", lang = "ru" }, ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Contains("accept it first", await early.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        var ofQuote = await GenerateAsync(office, quote.Id, "quote", "ru", ct);
        using (var accepted = await office.PostAsJsonAsync($"api/office/quotes/{quote.Id}/accept", new { dueDate = "2027-01-20" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var confirmation = await GenerateAsync(office, quote.Id, "order-confirmation", "en", ct);
        var documents = await office.GetFromJsonAsync<JsonElement>($"api/office/documents?ownerKind=project&ownerId={project.Id}", ct);
        Assert.Equal([confirmation.Id, ofQuote.Id], documents.EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        foreach (var id in new[] { ofQuote.Id, confirmation.Id })
        {
            var html = await office.GetStringAsync(new Uri($"api/office/documents/{id}/versions/1/content", UriKind.Relative), ct);
            Assert.Contains("Студия Вяз", html, StringComparison.Ordinal);
            Assert.Contains("Прихожая с зеркалом", html, StringComparison.Ordinal);
            Assert.Contains("ЛДСП Egger H1145 ST10 Дуб Бардолино", html, StringComparison.Ordinal);
        }
    }

    private static async Task<(long Id, string Name)> GenerateAsync(HttpClient office, long quoteId, string kind, string lang, CancellationToken ct)
    {
        using var response = await office.PostAsJsonAsync($"api/office/quotes/{quoteId}/documents", new { kind, lang }, ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(ct));
        var document = (await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("document");
        return (document.GetProperty("id").GetInt64(), document.GetProperty("name").GetString()!);
    }

    internal static async Task<string> PdfTextAsync(byte[] pdf, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"quote-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf, ct);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-layout", "-enc", "UTF-8", path, "-"])
            {
                RedirectStandardOutput = true,
                StandardOutputEncoding = Encoding.UTF8,
            })!;
            var text = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            Assert.Equal(0, process.ExitCode);
            return text;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The text with every kind of space (ru-RU groups digits with a no-break space) as one plain space.</summary>
    internal static string Flat(string text) =>
        string.Join(' ', text.Replace('\u00A0', ' ').Replace('\u202F', ' ').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static async Task<(long CustomerId, Project Project)> ProjectAsync(HttpClient office, string title, CancellationToken ct, string? customer = null)
    {
        using var created = await office.PostAsJsonAsync("api/office/customers",
            new { kind = "company", name = customer ?? $"Заказчик {Guid.NewGuid():N}"[..20] }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var customerId = (await created.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetInt64();
        using var project = await office.PostAsJsonAsync("api/office/projects", new { customerId, kind = "kitchen", title, address = "Москва, ул. Лесная, 5" }, ct);
        Assert.Equal(HttpStatusCode.Created, project.StatusCode);
        return (customerId, (await project.Content.ReadFromJsonAsync<Project>(Json, ct))!);
    }

    private static async Task<Quote> CreateQuoteAsync(HttpClient office, long projectId, object[] lines, decimal? discountPercent, CancellationToken ct)
    {
        using var created = await office.PostAsJsonAsync("api/office/quotes", new { projectId, lines, discountPercent }, ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(ct));
        return (await created.Content.ReadFromJsonAsync<Quote>(Json, ct))!;
    }

    private static async Task<Quote> PostAsync(HttpClient office, string path, CancellationToken ct)
    {
        using var response = await office.PostAsync(new Uri(path, UriKind.Relative), null, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
        return (await response.Content.ReadFromJsonAsync<Quote>(Json, ct))!;
    }

    private static async Task<CutListQuote> UploadCutListAsync(HttpClient office, long quoteId, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(SmallCutList));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "kitchen.csv");
        using var response = await office.PostAsync(new Uri($"api/office/quotes/{quoteId}/cut-list", UriKind.Relative), form, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
        return (await response.Content.ReadFromJsonAsync<CutListQuote>(Json, ct))!;
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response, CancellationToken ct) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("errors").Deserialize<Dictionary<string, string[]>>(Json)!;
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// Document templates and generated documents over HTTP on the real host and PostgreSQL: a template with an unknown field
/// or a syntax error is refused naming it and nothing is saved; a saved template is used; a generated document is stored
/// with its owner's documents, again as its next version; a customer's name with markup is printed as text; previews of
/// images and PDFs are served inline only as images, locked down.
/// </summary>
public sealed class TemplatesTests(DocumentsCloud cloud) : IClassFixture<DocumentsCloud>
{
    [Fact]
    public async Task Save_UnknownField_400NamesItAndNothingIsSaved()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await ClientAsync(DomioRoles.Admin, ct);
        var before = await cloud.CountAsync("""SELECT count(*) FROM office_templates WHERE "Kind" = 'delivery-note'""");

        using var response = await admin.PutAsJsonAsync("api/office/templates/delivery-note/en", new { text = "<p>{{ customer.nmae }} {{ number }}</p>" }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = TextError(await response.Content.ReadAsStringAsync(ct));
        Assert.StartsWith("Unknown field customer.nmae:", text, StringComparison.Ordinal);
        Assert.Equal(before, await cloud.CountAsync("""SELECT count(*) FROM office_templates WHERE "Kind" = 'delivery-note'"""));
    }

    [Fact]
    public async Task Save_SyntaxError_400NamesTheLineAndNothingIsSaved()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await ClientAsync(DomioRoles.Admin, ct);
        var before = await cloud.CountAsync("SELECT count(*) FROM office_templates");

        using var response = await admin.PutAsJsonAsync("api/office/templates/invoice/ru",
            new { text = "<h1>{{ number }}</h1>\n<p>{% if notes %}{{ notes }}</p>\n<p>{{ customer.name }}</p>" }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Syntax error on line 3", TextError(await response.Content.ReadAsStringAsync(ct)), StringComparison.Ordinal);
        Assert.Equal(before, await cloud.CountAsync("SELECT count(*) FROM office_templates"));
    }

    [Fact]
    public async Task Save_ByTheOffice_403AndOnlyAdministratorsSave()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await ClientAsync(DomioRoles.Office, ct);

        using var response = await office.PutAsJsonAsync("api/office/templates/quote/en", new { text = "<p>{{ number }}</p>" }, ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Generate_TwiceWithOneNumber_StoredAsVersionsOfTheOwnersDocumentWithTheSavedTemplate()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await ClientAsync(DomioRoles.Admin, ct);
        using var office = await ClientAsync(DomioRoles.Office, ct);
        using (var saved = await admin.PutAsJsonAsync("api/office/templates/order-confirmation/en",
            new { text = "<h1>Order {{ number }} for {{ customer.name }}</h1>{% for line in lines %}<p>{{ line.name }}: {{ line.amount | money }}</p>{% endfor %}", note = "short" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            Assert.Equal(1, (await saved.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("version").GetInt32());
        }

        var first = await GenerateAsync(office, "order-confirmation", "en", "customer", 2001, Model("Alder & Co", "OC-7", 1_234.5m), ct);
        var second = await GenerateAsync(office, "order-confirmation", "en", "customer", 2001, Model("Alder & Co", "OC-7", 2_000m), ct);

        Assert.Equal((1, 2), (first.GetProperty("version").GetInt32(), second.GetProperty("version").GetInt32()));
        var id = first.GetProperty("document").GetProperty("id").GetInt64();
        Assert.Equal(id, second.GetProperty("document").GetProperty("id").GetInt64());
        var listed = await office.GetFromJsonAsync<JsonElement>("api/office/documents?ownerKind=customer&ownerId=2001", ct);
        var document = Assert.Single(listed.EnumerateArray());
        Assert.Equal("Order confirmation OC-7.html", document.GetProperty("name").GetString());
        Assert.Equal([2, 1], document.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var html = await office.GetStringAsync($"api/office/documents/{id}/versions/2/content", ct);
        Assert.Equal("<h1>Order OC-7 for Alder &amp; Co</h1><p>Oak table: 2,000.00</p>", html);
    }

    [Fact]
    public async Task Generate_MarkupInCustomerName_IsPrintedAsText()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await ClientAsync(DomioRoles.Office, ct);

        var generated = await GenerateAsync(office, "invoice", "ru", "customer", 2002, Model("<script>alert(1)</script><b>Дуб</b>", "INV-1", 10m), ct);

        var id = generated.GetProperty("document").GetProperty("id").GetInt64();
        var html = await office.GetStringAsync($"api/office/documents/{id}/versions/1/content", ct);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Дуб", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;", html, StringComparison.Ordinal);
        // The default Russian invoice: its title, and the amount in Russian (a comma before the kopecks).
        Assert.Contains("Счёт на оплату № INV-1", html, StringComparison.Ordinal);
        Assert.Contains("10,00", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_ImageAndPdf_ServedAsPngWithSandboxAndNosniff_TextHasNone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await ClientAsync(DomioRoles.Office, ct);
        var png = await cloud.ScanAsync("<p>Эскиз / sketch</p>");
        var pdf = await cloud.ScannedPdfAsync("<p>Договор / contract</p>");

        foreach (var (name, content, type) in new[] { ("sketch.png", png, "image/png"), ("contract.pdf", pdf, "application/pdf"), ("notes.txt", "plain"u8.ToArray(), "text/plain") })
        {
            using var form = new MultipartFormDataContent { { new StringContent("customer"), "ownerKind" }, { new StringContent("2003"), "ownerId" } };
            form.WithFile(content, name, type);
            using var created = await office.PostAsync(new Uri("api/office/documents", UriKind.Relative), form, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();

            using var preview = await office.GetAsync(new Uri($"api/office/documents/{id}/versions/1/preview", UriKind.Relative), ct);
            if (type == "text/plain")
            {
                Assert.Equal(HttpStatusCode.NotFound, preview.StatusCode);
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
            Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", Assert.Single(preview.Headers.GetValues("X-Content-Type-Options")));
            Assert.StartsWith("sandbox", Assert.Single(preview.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            var bytes = await preview.Content.ReadAsByteArrayAsync(ct);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.Null(preview.Content.Headers.ContentDisposition);
        }
    }

    private static object Model(string customer, string number, decimal amount) => new
    {
        customer = new { name = customer },
        number,
        date = "2026-03-14",
        lines = new[] { new { name = "Oak table", quantity = 1, unit = "pc", price = amount, discount = 0, amount } },
        totals = new { net = amount, vatRate = 20, vat = amount / 5, total = amount * 1.2m },
    };

    private static async Task<JsonElement> GenerateAsync(HttpClient client, string kind, string culture, string ownerKind, long ownerId, object model, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync($"api/office/templates/{kind}/{culture}/generate", new { ownerKind, ownerId, model }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static string TextError(string problem)
    {
        using var body = JsonDocument.Parse(problem);
        return body.RootElement.GetProperty("errors").GetProperty("text")[0].GetString()!;
    }

    private async Task<HttpClient> ClientAsync(string role, CancellationToken ct)
    {
        using var admin = await cloud.AdminAsync(ct);
        return (await cloud.ApiKeyClientAsync(admin, role, ct)).Client;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Storage;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// Office documents over HTTP, as the office (an API key of an Office person), on the real host and PostgreSQL, with the
/// text taken by the real pdftotext, pdftoppm and Tesseract: uploads, versions, the limit, and search in Russian and English.
/// Each test has its own owner and its own words, so the class's documents do not answer each other's searches.
/// </summary>
public sealed class DocumentsTests(DocumentsCloud cloud) : IClassFixture<DocumentsCloud>
{
    /// <summary>OCR of a page takes a second or two; a loaded shared machine, far longer.</summary>
    private static readonly TimeSpan TextDeadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Upload_TextFile_FoundByRussianWordInAnotherFormAndByEnglishWord()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await OfficeAsync(ct);
        var text = "Спецификация: кухонные гарнитуры из массива дуба, столешницы 38 мм.\nOak kitchen cabinets, delivered in March.";

        var document = await UploadAsync(office, "project", 1001, "kitchen-specification.txt", Encoding.UTF8.GetBytes(text), "text/plain", ct);
        var version = await TextAsync(office, document.Id, 1, ct);

        Assert.Equal(("extracted", null), (version.TextState, version.TextError));
        // "гарнитуров" (genitive plural) and "гарнитуры" (nominative) share the stem "гарнитур"; "cabinet" and "cabinets" share "cabinet".
        var russian = await SearchAsync(office, "гарнитуров", ct);
        var hit = Assert.Single(russian, h => h.Id == document.Id);
        Assert.Contains("«гарнитуры»", hit.Snippet, StringComparison.Ordinal);
        Assert.Contains(await SearchAsync(office, "cabinet", ct), h => h.Id == document.Id);
        // The name is searched too (its '-' and '.' split it into words).
        Assert.Contains(await SearchAsync(office, "specification", ct), h => h.Id == document.Id);
        Assert.DoesNotContain(await SearchAsync(office, "сосна", ct), h => h.Id == document.Id);
    }

    [Fact]
    public async Task Upload_ScannedImage_FoundByWordsAfterOcr()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await OfficeAsync(ct);
        var png = await cloud.ScanAsync("<p style=\"margin:40px 20px\">Накладная: фасады из бука</p><p style=\"margin:20px\">Beech wardrobe delivery</p>");

        var document = await UploadAsync(office, "order", 1002, "scan.png", png, "image/png", ct);
        var version = await TextAsync(office, document.Id, 1, ct);

        Assert.Equal(("extracted", null), (version.TextState, version.TextError));
        // "фасадов" is the genitive plural of "фасады"; "wardrobes" the plural of "wardrobe".
        Assert.Contains(await SearchAsync(office, "фасадов", ct), h => h.Id == document.Id);
        Assert.Contains(await SearchAsync(office, "wardrobes", ct), h => h.Id == document.Id);
    }

    [Fact]
    public async Task Upload_ScannedPdfWithoutTextLayer_FoundByWordAfterOcr()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await OfficeAsync(ct);
        var pdf = await cloud.ScannedPdfAsync("<p style=\"margin:40px 20px\">Договор на шкаф-купе из ольхи</p>");

        var document = await UploadAsync(office, "customer", 1003, "contract.pdf", pdf, "application/pdf", ct);
        var version = await TextAsync(office, document.Id, 1, ct);

        Assert.Equal(("extracted", null), (version.TextState, version.TextError));
        Assert.Contains(await SearchAsync(office, "ольха", ct), h => h.Id == document.Id);
        Assert.Contains(await SearchAsync(office, "договора", ct), h => h.Id == document.Id);
    }

    [Fact]
    public async Task Upload_OverTheLimit_413NamesTheLimitAndNothingIsWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await OfficeAsync(ct);
        const long Owner = 1004;
        var before = await cloud.CountAsync("SELECT count(*) FROM office_document_versions");

        // One byte over 256 KB (the form fits the request limit, the file does not), then far over (refused by its length alone).
        foreach (var size in new[] { (256 * 1024) + 1, 2 * 1024 * 1024 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/office/documents", UriKind.Relative))
            {
                Content = Form(("ownerKind", "order"), ("ownerId", $"{Owner}")).WithFile(new byte[size], "big.txt", "text/plain"),
            };
            // The body is sent only if the server asks for it: a length past the limit is answered from the headers alone.
            request.Headers.ExpectContinue = true;
            using var response = await office.SendAsync(request, ct);

            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            var problem = await response.Content.ReadAsStringAsync(ct);
            Assert.Contains("256 KB", problem, StringComparison.Ordinal);
            Assert.Contains("Office:Documents:MaxUploadBytes", problem, StringComparison.Ordinal);
        }

        Assert.Equal(0, await cloud.CountAsync("""SELECT count(*) FROM office_documents WHERE "OwnerId" = @owner""", ("owner", Owner)));
        Assert.Equal(before, await cloud.CountAsync("SELECT count(*) FROM office_document_versions"));
    }

    [Fact]
    public async Task Upload_UnknownOwnerKindAndNoFile_422NamesEachAndNothingIsWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await OfficeAsync(ct);

        using var form = Form(("ownerKind", "invoice"), ("ownerId", "1005"), ("name", "x.txt"));
        using var response = await office.PostAsync(new Uri("api/office/documents", UriKind.Relative), form, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var fields = body.RootElement.GetProperty("fieldErrors");
        Assert.Equal("ownerKind 'invoice' is not one of customer, project, order.", fields.GetProperty("owner").GetString());
        Assert.Equal("Choose a file that is not empty.", fields.GetProperty("file").GetString());
        Assert.Equal(0, await cloud.CountAsync("""SELECT count(*) FROM office_documents WHERE "OwnerId" = 1005"""));
    }

    [Fact]
    public async Task Upload_FileWithoutText_FailedWithTheReason()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await OfficeAsync(ct);
        byte[] zip = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00];

        var document = await UploadAsync(office, "project", 1006, "drawings.zip", zip, "application/zip", ct);
        var version = await TextAsync(office, document.Id, 1, ct);

        Assert.Equal("failed", version.TextState);
        Assert.Equal("No text is taken from a file of type application/zip: plain text, PDF and images (PNG, JPEG, TIFF, BMP) are read.", version.TextError);
    }

    [Fact]
    public async Task AddVersion_NewText_ChangesWhatIsFoundAndKeepsTheOldFile()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await OfficeAsync(ct);
        var first = Encoding.UTF8.GetBytes("Комод из ясеня, три ящика.");
        var second = Encoding.UTF8.GetBytes("Комод из ореха, четыре ящика.");
        var document = await UploadAsync(office, "order", 1007, "chest.txt", first, "text/plain", ct);
        await TextAsync(office, document.Id, 1, ct);
        Assert.Contains(await SearchAsync(office, "ясеня", ct), h => h.Id == document.Id);

        using var form = Form(("note", "walnut instead of ash")).WithFile(second, "chest.txt", "text/plain");
        using var response = await office.PostAsync(new Uri($"api/office/documents/{document.Id}/versions", UriKind.Relative), form, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var updated = (await response.Content.ReadFromJsonAsync<Document>(ct))!;
        Assert.Equal(2, updated.CurrentVersion);
        Assert.Equal([2, 1], updated.Versions.Select(v => v.Version));
        Assert.Equal("walnut instead of ash", updated.Versions[0].Note);
        await TextAsync(office, document.Id, 2, ct);

        Assert.DoesNotContain(await SearchAsync(office, "ясень", ct), h => h.Id == document.Id);
        Assert.Contains(await SearchAsync(office, "орехом", ct), h => h.Id == document.Id);
        Assert.Equal(first, await office.GetByteArrayAsync(new Uri($"api/office/documents/{document.Id}/versions/1/content", UriKind.Relative), ct));
        Assert.Equal(second, await office.GetByteArrayAsync(new Uri($"api/office/documents/{document.Id}/versions/2/content", UriKind.Relative), ct));
        var other = await UploadAsync(office, "order", 1007, "delivery.txt", Encoding.UTF8.GetBytes("Доставка в субботу."), "text/plain", ct);
        var listed = (await office.GetFromJsonAsync<Document[]>(new Uri("api/office/documents?ownerKind=order&ownerId=1007", UriKind.Relative), ct))!;
        Assert.Equal([other.Id, document.Id], listed.Select(d => d.Id));
        Assert.Equal([[1], [2, 1]], listed.Select(d => d.Versions.Select(v => v.Version)));
        // Every change in the audit trail: two uploads and the two extractions (in whichever order the worker finished).
        var actions = await cloud.TextsAsync("SELECT action FROM domio_audit WHERE entity_type = 'office-document' AND entity_id = @id ORDER BY action",
            ("id", $"{document.Id}"));
        Assert.Equal(["document.created", "document.text-extracted", "document.text-extracted", "document.version-added"], actions);
    }

    private async Task<HttpClient> OfficeAsync(CancellationToken ct)
    {
        using var admin = await cloud.AdminAsync(ct);
        return (await cloud.ApiKeyClientAsync(admin, DomioRoles.Office, ct)).Client;
    }

    private static async Task<Document> UploadAsync(HttpClient client, string ownerKind, long ownerId, string fileName, byte[] content, string contentType, CancellationToken ct)
    {
        using var form = Form(("ownerKind", ownerKind), ("ownerId", $"{ownerId}")).WithFile(content, fileName, contentType);
        using var response = await client.PostAsync(new Uri("api/office/documents", UriKind.Relative), form, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var document = (await response.Content.ReadFromJsonAsync<Document>(ct))!;
        Assert.Equal($"/api/office/documents/{document.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((ownerKind, ownerId, fileName, 1, content.Length), (document.OwnerKind, document.OwnerId, document.Name, document.CurrentVersion, (int)document.Versions[0].Size));
        return document;
    }

    /// <summary>The version once its text is extracted or failed (the last seen at the deadline).</summary>
    private static async Task<VersionView> TextAsync(HttpClient client, long id, int version, CancellationToken ct)
    {
        var document = await Eventually.ReturnsAsync(
            async () => (await client.GetFromJsonAsync<Document>(new Uri($"api/office/documents/{id}", UriKind.Relative), ct))!,
            d => d.Versions.Single(v => v.Version == version).TextState != "pending", TextDeadline, ct);
        var found = document.Versions.Single(v => v.Version == version);
        Assert.NotEqual("pending", found.TextState);
        return found;
    }

    private static async Task<Hit[]> SearchAsync(HttpClient client, string query, CancellationToken ct) =>
        (await client.GetFromJsonAsync<Hit[]>(new Uri($"api/office/documents/search?q={Uri.EscapeDataString(query)}&limit=50", UriKind.Relative), ct))!;

    private static MultipartFormDataContent Form(params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    internal sealed record Document(long Id, string OwnerKind, long OwnerId, string Name, int CurrentVersion, VersionView[] Versions);

    internal sealed record VersionView(int Version, string ContentType, long Size, string Sha256, string UploadedBy, string? Note, string TextState, string? TextError);

    internal sealed record Hit(long Id, string Name, double Rank, string? Snippet);
}

internal static class MultipartFormDataContentFile
{
    public static MultipartFormDataContent WithFile(this MultipartFormDataContent form, byte[] content, string fileName, string contentType)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        return form;
    }
}

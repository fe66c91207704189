using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// <c>/api/office/customers</c> on the real host and PostgreSQL, as the office uses it: customers with contacts created,
/// read, edited (a stale version refused) and deleted; search in Russian and English; paging, sort and the CSV export;
/// every bad input answered with its field named and nothing written; every change in the audit trail. Each test tags its
/// customers with a marker word of its own in their notes, so the tests sharing the database do not see each other's.
/// </summary>
public sealed class CustomersApiTests(OfficeCloud cloud) : IClassFixture<OfficeCloud>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Create_WithContacts_ReadBackWholeAndAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        using var created = await office.PostAsJsonAsync("api/office/customers", new
        {
            kind = "company",
            name = "  Мебельная фабрика «Заря»  ",
            legalName = "ООО «Заря»",
            taxId = "7707083893",
            email = "info@zarya.example",
            phone = "+7 (495) 123-45-67",
            address = "Москва, ул. Лесная, 5",
            notes = $"кухни {marker}",
            contacts = new[] { new { name = "Анна Смирнова", position = "закупки", email = "anna@zarya.example", notes = marker } },
        }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var customer = (await created.Content.ReadFromJsonAsync<Customer>(Json, ct))!;
        Assert.Equal($"/api/office/customers/{customer.Id}", created.Headers.Location?.OriginalString);

        var read = (await office.GetFromJsonAsync<Customer>($"api/office/customers/{customer.Id}", Json, ct))!;
        Assert.Equal(CustomerKind.Company, read.Kind);
        Assert.Equal("Мебельная фабрика «Заря»", read.Name);
        Assert.Equal("ООО «Заря»", read.LegalName);
        Assert.Equal("7707083893", read.TaxId);
        Assert.Equal("info@zarya.example", read.Email);
        Assert.Equal("+7 (495) 123-45-67", read.Phone);
        Assert.Equal("Москва, ул. Лесная, 5", read.Address);
        Assert.Equal(1, read.Version);
        var contact = Assert.Single(read.Contacts!);
        Assert.Equal(("Анна Смирнова", "закупки", "anna@zarya.example", (string?)null), (contact.Name, contact.Position, contact.Email, contact.Phone));

        // The trail names which fields were filled, never what they hold (a private person's details may have to be erased).
        var audit = Assert.Single(await cloud.AuditAsync("office-customer", customer.Id, ct));
        Assert.Equal("office.customer.created", audit.Action);
        Assert.Contains("\"taxId\"", audit.After, StringComparison.Ordinal);
        Assert.DoesNotContain("7707083893", audit.After, StringComparison.Ordinal);
        Assert.DoesNotContain("Заря", audit.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_CurrentThenStaleVersion_SecondIs409AndNothingWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        var customer = await CreateAsync(office, "person", "Иван Петров", marker, ct, taxId: "500100732259");

        // Two people opened version 1; the first saves, the second is told someone else did, and his change is not written.
        using (var first = await office.PutAsJsonAsync($"api/office/customers/{customer.Id}", Draft("person", "Иван Петров", marker, 1, phone: "+7 916 000-00-01", taxId: "500100732259"), ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var saved = (await first.Content.ReadFromJsonAsync<Customer>(Json, ct))!;
            Assert.Equal(2, saved.Version);
            Assert.Equal("+7 916 000-00-01", saved.Phone);
        }

        using (var stale = await office.PutAsJsonAsync($"api/office/customers/{customer.Id}", Draft("person", "Иван Петрович Петров", marker, 1), ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            var problem = await stale.Content.ReadAsStringAsync(ct);
            Assert.Contains($"Customer {customer.Id} was changed by someone else since you read it (you edited version 1, it is now version 2", problem, StringComparison.Ordinal);
            Assert.Contains("Reload it and make your change again.", problem, StringComparison.Ordinal);
        }

        var now = (await office.GetFromJsonAsync<Customer>($"api/office/customers/{customer.Id}", Json, ct))!;
        Assert.Equal(("Иван Петров", 2, "+7 916 000-00-01", "500100732259"), (now.Name, now.Version, now.Phone, now.TaxId));
        var audit = await cloud.AuditAsync("office-customer", customer.Id, ct);
        Assert.Equal(["office.customer.created", "office.customer.updated"], audit.Select(a => a.Action));
        Assert.Contains("\"fields\":[\"phone\"]", audit[1].After, StringComparison.Ordinal);

        using var missing = await office.PutAsJsonAsync("api/office/customers/999999999", Draft("person", "Никто", marker, 1), ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Delete_Customer_GoesWithItsContactsAndIsAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        var customer = await CreateAsync(office, "company", "Шкафы-купе Плюс", marker, ct);
        using (var contact = await office.PostAsJsonAsync($"api/office/customers/{customer.Id}/contacts", new { name = "Олег", notes = marker }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, contact.StatusCode);
        }

        Assert.Equal(1, await cloud.CountAsync("office_contacts", marker, ct));
        using (var deleted = await office.DeleteAsync($"api/office/customers/{customer.Id}", ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(0, await cloud.CountAsync("office_customers", marker, ct));
        Assert.Equal(0, await cloud.CountAsync("office_contacts", marker, ct));
        using (var gone = await office.GetAsync($"api/office/customers/{customer.Id}", ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using (var again = await office.DeleteAsync($"api/office/customers/{customer.Id}", ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        var audit = await cloud.AuditAsync("office-customer", customer.Id, ct);
        Assert.Equal(["office.customer.created", "office.customer.deleted"], audit.Select(a => a.Action));
        Assert.Contains("\"contacts\":1", audit[1].Before, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contacts_AddEditRemove_EachAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        var customer = await CreateAsync(office, "company", "Кухни Мастер", marker, ct);

        Contact contact;
        using (var added = await office.PostAsJsonAsync($"api/office/customers/{customer.Id}/contacts", new { name = "Мария", email = "maria@kitchens.example", notes = marker }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            contact = (await added.Content.ReadFromJsonAsync<Contact>(Json, ct))!;
            Assert.Equal(customer.Id, contact.CustomerId);
        }

        using (var edited = await office.PutAsJsonAsync($"api/office/customers/{customer.Id}/contacts/{contact.Id}",
            new { name = "Мария", position = "дизайнер", email = "maria@kitchens.example", notes = marker }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
            Assert.Equal("дизайнер", (await edited.Content.ReadFromJsonAsync<Contact>(Json, ct))!.Position);
        }

        // A contact is reached through its own customer only.
        var other = await CreateAsync(office, "company", "Другая фирма", marker, ct);
        using (var wrongCustomer = await office.DeleteAsync($"api/office/customers/{other.Id}/contacts/{contact.Id}", ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrongCustomer.StatusCode);
        }

        using (var noCustomer = await office.PostAsJsonAsync("api/office/customers/999999999/contacts", new { name = "Никто", notes = marker }, ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, noCustomer.StatusCode);
        }

        Assert.Equal("дизайнер", Assert.Single((await office.GetFromJsonAsync<Customer>($"api/office/customers/{customer.Id}", Json, ct))!.Contacts!).Position);
        using (var removed = await office.DeleteAsync($"api/office/customers/{customer.Id}/contacts/{contact.Id}", ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.Empty((await office.GetFromJsonAsync<Customer>($"api/office/customers/{customer.Id}", Json, ct))!.Contacts!);
        var audit = await cloud.AuditAsync("office-contact", contact.Id, ct);
        Assert.Equal(["office.contact.created", "office.contact.updated", "office.contact.deleted"], audit.Select(a => a.Action));
        Assert.Contains("\"fields\":[\"position\"]", audit[1].After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_RussianStem_FindsMebelnayaByMebel()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        var russian = await CreateAsync(office, "company", "Мебельная фабрика «Заря»", marker, ct);
        await CreateAsync(office, "company", "Oak Furniture Ltd", marker, ct);
        await CreateAsync(office, "company", "Стекольный завод", marker, ct);

        var page = await ListAsync(office, $"q=мебель {marker}", ct);
        Assert.Equal(1, page.Total);
        Assert.Equal(russian.Id, Assert.Single(page.Items).Id);
    }

    [Fact]
    public async Task Search_EnglishPlural_FindsFurnitureByFurnitures()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        await CreateAsync(office, "company", "Мебельная фабрика «Заря»", marker, ct);
        var english = await CreateAsync(office, "company", "Oak Furniture Ltd", marker, ct);

        var page = await ListAsync(office, $"q=furnitures {marker}", ct);
        Assert.Equal(english.Id, Assert.Single(page.Items).Id);
        // The tax id, e-mail and the web-search syntax (a word left out) work too.
        var byInn = await CreateAsync(office, "company", "Фасады", marker, ct, taxId: "7707083893");
        Assert.Equal(byInn.Id, Assert.Single((await ListAsync(office, $"q=7707083893 {marker}", ct)).Items).Id);
        Assert.Equal(2, (await ListAsync(office, $"q={marker} -furniture", ct)).Total);
    }

    [Fact]
    public async Task List_PagesSortsAndFilters_TotalCountsEveryMatch()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        foreach (var name in new[] { "Charlie", "alpha", "Echo", "Bravo" })
        {
            await CreateAsync(office, "company", name, marker, ct);
        }

        await CreateAsync(office, "person", "Delta", marker, ct, taxId: "500100732259");

        var second = await ListAsync(office, $"q={marker}&sort=name&page=2&pageSize=2", ct);
        Assert.Equal(5, second.Total);
        Assert.Equal(["Charlie", "Delta"], second.Items.Select(c => c.Name));
        Assert.Equal(["Echo", "Delta"], (await ListAsync(office, $"q={marker}&sort=-name&pageSize=2", ct)).Items.Select(c => c.Name));
        Assert.Equal(["Charlie", "alpha"], (await ListAsync(office, $"q={marker}&sort=created&pageSize=2", ct)).Items.Select(c => c.Name));
        Assert.Equal(["Delta", "Bravo"], (await ListAsync(office, $"q={marker}&sort=-created&pageSize=2", ct)).Items.Select(c => c.Name));
        Assert.Equal(["Echo"], (await ListAsync(office, $"q={marker}&sort=name&page=2&pageSize=3&kind=company", ct)).Items.Select(c => c.Name));
        var people = await ListAsync(office, $"q={marker}&kind=person", ct);
        Assert.Equal((1, "Delta"), (people.Total, Assert.Single(people.Items).Name));
        Assert.Empty((await ListAsync(office, $"q={marker}&page=4&pageSize=2&sort=name", ct)).Items);
    }

    [Theory]
    [InlineData("""{"kind":"company","name":"   "}""", "name")]
    [InlineData("""{"kind":"company","name":"Фасады","email":"sales at fasady"}""", "email")]
    [InlineData("""{"kind":"company","name":"Фасады","taxId":"500100732259"}""", "taxId")]
    [InlineData("""{"kind":"person","name":"Иван","taxId":"7707083893"}""", "taxId")]
    [InlineData("""{"kind":"company","name":"Фасады","taxId":"7707083894"}""", "taxId")]
    [InlineData("""{"kind":"supplier","name":"Фасады"}""", "kind")]
    [InlineData("""{"name":"Фасады"}""", "kind")]
    [InlineData("""{"kind":"company","name":"Фасады","phone":"call me"}""", "phone")]
    [InlineData("""{"kind":"company","name":"Фасады","contacts":[{"name":"Олег"},{"name":"Анна","email":"anna@"}]}""", "contacts[1].email")]
    public async Task Create_BadField_400NamingItAndNothingWritten(string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        // The marker goes into the notes (and each contact's), so a row written by mistake would be found.
        var json = body.Replace("{\"name\":\"Олег\"}", $"{{\"name\":\"Олег\",\"notes\":\"{marker}\"}}", StringComparison.Ordinal)
            .Replace("\"name\":\"Анна\"", $"\"name\":\"Анна\",\"notes\":\"{marker}\"", StringComparison.Ordinal)[..^1] + $",\"notes\":\"{marker}\"}}";
        using var response = await office.PostAsync("api/office/customers", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = await ErrorsAsync(response, ct);
        Assert.Equal([field], errors.Keys);
        Assert.Equal(0, await cloud.CountAsync("office_customers", marker, ct));
        Assert.Equal(0, await cloud.CountAsync("office_contacts", marker, ct));
    }

    [Fact]
    public async Task Update_BadFields_400NamingEachAndCustomerUnchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        var customer = await CreateAsync(office, "company", "Фасады", marker, ct);

        using var response = await office.PutAsJsonAsync($"api/office/customers/{customer.Id}",
            new { kind = "company", name = "", email = "x@y", taxId = "123", notes = marker }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["email", "name", "taxId", "version"], (await ErrorsAsync(response, ct)).Keys.Order());
        var now = (await office.GetFromJsonAsync<Customer>($"api/office/customers/{customer.Id}", Json, ct))!;
        Assert.Equal(("Фасады", 1), (now.Name, now.Version));
        Assert.Equal(["office.customer.created"], (await cloud.AuditAsync("office-customer", customer.Id, ct)).Select(a => a.Action));

        using var badContact = await office.PostAsJsonAsync($"api/office/customers/{customer.Id}/contacts", new { name = " ", notes = marker }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, badContact.StatusCode);
        Assert.Equal(["name"], (await ErrorsAsync(badContact, ct)).Keys);
        Assert.Equal(0, await cloud.CountAsync("office_contacts", marker, ct));
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("sort=price", "sort")]
    [InlineData("kind=supplier", "kind")]
    [InlineData("q=мебель&page=41&pageSize=25", "page")]
    public async Task List_BadQuery_400NamingIt(string query, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        using var response = await office.GetAsync($"api/office/customers?{query}", ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], (await ErrorsAsync(response, ct)).Keys);
    }

    [Fact]
    public async Task ExportCsv_SameFilter_EveryMatchInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        var oak = await CreateAsync(office, "company", "Oak, Ltd", marker, ct, taxId: "7707083893");
        var ivan = await CreateAsync(office, "person", "Ivan \"Vanya\" Petrov", marker, ct);
        await CreateAsync(office, "company", "Other", $"x{marker}", ct);

        using var response = await office.GetAsync($"api/office/customers/export.csv?q={marker}&sort=-name", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(ct)).ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "Id,Kind,Name,Legal name,INN,E-mail,Phone,Address,Notes,Created (UTC),Created by",
            $"{oak.Id},company,\"Oak, Ltd\",,7707083893,,,,{marker},{oak.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm},{oak.CreatedBy}",
            $"{ivan.Id},person,\"Ivan \"\"Vanya\"\" Petrov\",,,,,,{marker},{ivan.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm},{ivan.CreatedBy}",
        ], lines);

        // In Russian, as Russian Excel reads it: ';' between fields.
        using var russian = new HttpRequestMessage(HttpMethod.Get, $"api/office/customers/export.csv?q={marker}&sort=-name");
        russian.Headers.AcceptLanguage.ParseAdd("ru");
        using var inRussian = await office.SendAsync(russian, ct);
        var first = (await inRussian.Content.ReadAsStringAsync(ct)).ReplaceLineEndings("\n").Split('\n')[0].TrimStart('\uFEFF');
        Assert.Equal("Id;Kind;Name;Legal name;INN;E-mail;Phone;Address;Notes;Created (UTC);Created by", first);
    }

    [Fact]
    public async Task Planner_ReadsButDoesNotWrite()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        var marker = Marker();
        var customer = await CreateAsync(office, "company", "Фасады", marker, ct);
        using var planner = await cloud.RoleClientAsync(DomioRoles.Planner, ct);

        Assert.Equal("Фасады", (await planner.GetFromJsonAsync<Customer>($"api/office/customers/{customer.Id}", Json, ct))!.Name);
        using var write = await planner.PutAsJsonAsync($"api/office/customers/{customer.Id}", Draft("company", "Фасады и кухни", marker, 1), ct);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(1, (await office.GetFromJsonAsync<Customer>($"api/office/customers/{customer.Id}", Json, ct))!.Version);
    }

    [Fact]
    public async Task PersonalData_ExportedThenErased_PersonClearedCompanyKeptContactsAndDocumentsGone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var office = await cloud.OfficeClientAsync(ct);
        using var admin = await cloud.AdminAsync(ct);
        var marker = Marker();
        using var created = await office.PostAsJsonAsync("api/office/customers", new
        {
            kind = "person",
            name = "Ирина Волкова",
            taxId = "500100732259",
            email = "irina@example.ru",
            phone = "+7 916 000-00-00",
            address = "Химки, ул. Мира, 3",
            notes = marker,
            contacts = new[] { new { name = "Сергей Волков", phone = "+7 916 111-11-11" } },
        }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var person = (await created.Content.ReadFromJsonAsync<Customer>(Json, ct))!;
        var company = await CreateAsync(office, "company", "Фабрика «Ясень»", marker, ct, taxId: "7707083893");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("customer"), "ownerKind" },
            { new StringContent($"{person.Id}"), "ownerId" },
            { new ByteArrayContent("Паспорт: 4510 123456"u8.ToArray()), "file", "passport.txt" },
        };
        using var uploaded = await office.PostAsync(new Uri("api/office/documents", UriKind.Relative), form, ct);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);

        // Export and erasure are an administrator's, as for people with accounts.
        using var refused = await office.DeleteAsync(new Uri($"api/office/customers/{person.Id}/personal-data", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var export = await admin.GetFromJsonAsync<JsonElement>($"api/office/customers/{person.Id}/personal-data", ct);
        Assert.Equal("irina@example.ru", export.GetProperty("customer").GetProperty("email").GetString());
        Assert.Equal("Сергей Волков", Assert.Single(export.GetProperty("customer").GetProperty("contacts").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("passport.txt", Assert.Single(export.GetProperty("documents").EnumerateArray()).GetProperty("name").GetString());

        foreach (var id in new[] { person.Id, company.Id })
        {
            using var erased = await admin.DeleteAsync(new Uri($"api/office/customers/{id}/personal-data", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        }

        var after = (await office.GetFromJsonAsync<Customer>($"api/office/customers/{person.Id}", Json, ct))!;
        Assert.Equal(($"Erased customer {person.Id}", null, null, null, null, null, 0), (after.Name, after.TaxId, after.Email, after.Phone, after.Address, after.Notes, after.Contacts!.Count));
        Assert.Equal(person.Version + 1, after.Version);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>($"api/office/documents?ownerKind=customer&ownerId={person.Id}", ct)).EnumerateArray());
        Assert.Equal(0, await cloud.CountAsync("office_customers", marker, ct));
        var kept = (await office.GetFromJsonAsync<Customer>($"api/office/customers/{company.Id}", Json, ct))!;
        Assert.Equal(("Фабрика «Ясень»", "7707083893", null), (kept.Name, kept.TaxId, kept.Notes));
        var trail = await cloud.AuditAsync("office-customer", person.Id, ct);
        Assert.Equal(["office.customer.created", "office.customer.exported", "office.customer.erased"], trail.Select(t => t.Action));
        Assert.DoesNotContain("Волкова", trail[^1].After, StringComparison.Ordinal);
        Assert.Contains("\"contacts\":1", trail[^1].After, StringComparison.Ordinal);
        Assert.Contains("\"documents\":1", trail[^1].After, StringComparison.Ordinal);
        using var gone = await admin.DeleteAsync(new Uri("api/office/customers/999999999/personal-data", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    /// <summary>Letters only, so every text search configuration keeps it one word.</summary>
    private static string Marker() => "zq" + string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('a' + (c % 26))))[..10];

    private static object Draft(string kind, string name, string marker, int version, string? phone = null, string? taxId = null) =>
        new { kind, name, notes = marker, version, phone, taxId };

    private static async Task<Customer> CreateAsync(HttpClient client, string kind, string name, string marker, CancellationToken ct, string? taxId = null)
    {
        using var response = await client.PostAsJsonAsync("api/office/customers", new { kind, name, taxId, notes = marker }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Customer>(Json, ct))!;
    }

    private static async Task<CustomerPage> ListAsync(HttpClient client, string query, CancellationToken ct) =>
        (await client.GetFromJsonAsync<CustomerPage>($"api/office/customers?{query}", Json, ct))!;

    private static async Task<IReadOnlyDictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return document.RootElement.GetProperty("errors").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetString()!).ToArray(), StringComparer.Ordinal);
    }
}

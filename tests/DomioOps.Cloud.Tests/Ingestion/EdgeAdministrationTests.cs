using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Security;

using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// The edges' one service, which the edges API and the edges pages call, on the real host: who may change an edge, what
/// each change leaves in the registry, the configuration and its history, and what it leaves in the audit trail.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class EdgeAdministrationTests(SecureCloud cloud)
{
    private const string Address = "10.20.30.40";

    [Fact]
    public async Task RegisterAsync_NewEdge_PasswordMatchesTheRegistryAndThePersonIsAudited()
    {
        var (admin, adminId, _) = await AdminAsync();
        var edge = Unique("edge");

        var issued = await WithServiceAsync(s => s.RegisterAsync(admin, Address, "plant-adm", edge));

        Assert.True(issued.Succeeded, issued.Problem);
        Assert.Equal($"plant-adm/{edge}", issued.Value!.UserName);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", issued.Value.ConfigurationKey, StringComparison.Ordinal);
        var registration = await Registry.Find("plant-adm", edge);
        Assert.NotNull(registration);
        Assert.False(registration.Disabled);
        Assert.True(EdgeCredentials.Verify(issued.Value.Password, registration.PasswordHash));
        var rows = await AuditOfAsync(adminId);
        var row = Assert.Single(rows, r => r.EntityId == $"plant-adm/{edge}");
        Assert.Equal(("edge.registered", "edge", "person", Address), (row.Action, row.EntityType, row.ActorKind, row.Address));
        Assert.Equal("""{"disabled":false}""", row.After);
        Assert.DoesNotContain(rows, r => (r.After ?? "").Contains(issued.Value.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegisterAsync_EdgeRegisteredAlready_RefusedAndItsPasswordKept()
    {
        var (admin, _, _) = await AdminAsync();
        var edge = Unique("edge");
        var first = await WithServiceAsync(s => s.RegisterAsync(admin, Address, "plant-adm", edge));

        var second = await WithServiceAsync(s => s.RegisterAsync(admin, Address, "plant-adm", edge));

        Assert.Equal(EdgeChangeError.AlreadyRegistered, second.Error);
        Assert.Null(second.Value);
        Assert.True(EdgeCredentials.Verify(first.Value!.Password, (await Registry.Find("plant-adm", edge))!.PasswordHash));
    }

    [Theory]
    [InlineData("plant adm", "edge-1")]
    [InlineData("plant-adm", ".hidden")]
    [InlineData("plant-adm", "")]
    public async Task RegisterAsync_InvalidIds_RefusedWithTheApisProblemAndNothingRegistered(string site, string edge)
    {
        var (admin, _, _) = await AdminAsync();

        var refused = await WithServiceAsync(s => s.RegisterAsync(admin, Address, site, edge));

        Assert.Equal((EdgeChangeError.InvalidId, "site and edge ids are 1-64 of A-Z a-z 0-9 - _ ."), (refused.Error, refused.Problem));
        Assert.DoesNotContain(await Registry.List(), e => e.Site == site && e.Edge == edge);
    }

    [Fact]
    public async Task Changes_NotAnAdministrator_RefusedAndNothingChanged()
    {
        var (admin, _, _) = await AdminAsync();
        var edge = Unique("edge");
        var issued = await WithServiceAsync(s => s.RegisterAsync(admin, Address, "plant-adm", edge));
        var maintenance = Person(await cloud.CreateUserAsync(Unique("maint"), InitialAdmin.Generate(), DomioRoles.Maintenance), DomioRoles.Maintenance);

        await using var scope = cloud.App.Services.CreateAsyncScope();
        var edges = scope.ServiceProvider.GetRequiredService<EdgeAdministration>();
        Assert.Equal(EdgeChangeError.Forbidden, (await edges.RegisterAsync(maintenance, Address, "plant-adm", Unique("edge"))).Error);
        Assert.Equal(EdgeChangeError.Forbidden, (await edges.RotateAsync(maintenance, Address, "plant-adm", edge)).Error);
        Assert.Equal(EdgeChangeError.Forbidden, (await edges.IssueCredentialAsync(maintenance, Address, "plant-adm", edge)).Error);
        Assert.Equal(EdgeChangeError.Forbidden, (await edges.DisableAsync(maintenance, Address, "plant-adm", edge)).Error);
        Assert.Equal(EdgeChangeError.Forbidden, (await edges.SetConfigurationAsync(maintenance, Address, "plant-adm", edge, """{"Devices":{}}""", CancellationToken.None)).Error);

        var registration = (await Registry.Find("plant-adm", edge))!;
        Assert.False(registration.Disabled);
        Assert.True(EdgeCredentials.Verify(issued.Value!.Password, registration.PasswordHash));
        Assert.Null((await edges.GetConfigurationAsync("plant-adm", edge)).Desired);
    }

    [Fact]
    public async Task RotateAsync_DisabledEdge_NewPasswordEnablesItAndTheOldOneNoLongerMatches()
    {
        var (admin, adminId, _) = await AdminAsync();
        var edge = Unique("edge");
        var first = await WithServiceAsync(s => s.RegisterAsync(admin, Address, "plant-adm", edge));
        var disabled = await WithServiceAsync(s => s.DisableAsync(admin, Address, "plant-adm", edge));
        Assert.True(disabled.Value!.Disabled);
        Assert.True((await Registry.Find("plant-adm", edge))!.Disabled);

        var rotated = await WithServiceAsync(s => s.RotateAsync(admin, Address, "plant-adm", edge));

        var registration = (await Registry.Find("plant-adm", edge))!;
        Assert.False(registration.Disabled);
        Assert.True(EdgeCredentials.Verify(rotated.Value!.Password, registration.PasswordHash));
        Assert.False(EdgeCredentials.Verify(first.Value!.Password, registration.PasswordHash));
        var rows = (await AuditOfAsync(adminId)).Where(r => r.EntityId == $"plant-adm/{edge}").ToList();
        Assert.Equal(["edge.registered", "edge.disabled", "edge.credential-rotated"], rows.Select(r => r.Action));
        Assert.Equal(("""{"disabled":false}""", """{"disabled":true}"""), (rows[1].Before, rows[1].After));
        Assert.Equal(("""{"disabled":true}""", """{"disabled":false}"""), (rows[2].Before, rows[2].After));
    }

    [Fact]
    public async Task RotateAndDisable_UnknownEdge_NotRegistered()
    {
        var (admin, _, _) = await AdminAsync();
        var edge = Unique("edge");

        var rotated = await WithServiceAsync(s => s.RotateAsync(admin, Address, "plant-adm", edge));
        var disabled = await WithServiceAsync(s => s.DisableAsync(admin, Address, "plant-adm", edge));

        Assert.Equal((EdgeChangeError.NotRegistered, $"No edge plant-adm/{edge} is registered"), (rotated.Error, rotated.Problem));
        Assert.Equal((EdgeChangeError.NotRegistered, $"No edge plant-adm/{edge} is registered"), (disabled.Error, disabled.Problem));
        Assert.Null(await Registry.Find("plant-adm", edge));
    }

    [Fact]
    public async Task SetConfigurationAsync_LocalOnlySections_RefusedNamingEachAndNothingStored()
    {
        var (admin, _, _) = await AdminAsync();
        var edge = Unique("edge");

        var refused = await WithServiceAsync(s => s.SetConfigurationAsync(admin, Address, "plant-adm", edge,
            """{"Publishing": {"BrokerHost": "elsewhere"}, "Devices": {}, "queue": {}}""", CancellationToken.None));

        Assert.Equal(EdgeChangeError.LocalOnly, refused.Error);
        Assert.Equal(["Publishing", "queue"], refused.Keys);
        Assert.Equal("Publishing, queue can be set only in the edge's own configuration file: remove them", refused.Problem);
        Assert.Null((await WithServiceAsync(s => s.GetConfigurationAsync("plant-adm", edge))).Desired);
    }

    [Fact]
    public async Task SetConfigurationAsync_TextThatIsNotJson_RefusedSayingWhereItBreaks()
    {
        var (admin, _, _) = await AdminAsync();

        var refused = await WithServiceAsync(s => s.SetConfigurationAsync(admin, Address, "plant-adm", Unique("edge"), "{\n  \"Devices\": {\n", CancellationToken.None));

        Assert.Equal(EdgeChangeError.NotJson, refused.Error);
        Assert.Contains("LineNumber: 2", refused.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetConfigurationAsync_MaskWithoutAStoredPassword_RefusedAtItsKey()
    {
        var (admin, _, _) = await AdminAsync();

        var refused = await WithServiceAsync(s => s.SetConfigurationAsync(admin, Address, "plant-adm", Unique("edge"),
            """{"Devices": {"OpcUa": [{"Machine": "cnc-1", "EndpointUrl": "opc.tcp://cnc-1:4840", "Password": "********"}]}}""", CancellationToken.None));

        Assert.Equal(EdgeChangeError.UnresolvedSecret, refused.Error);
        Assert.Equal(["Devices:OpcUa:0:Password"], refused.Keys);
    }

    [Fact]
    public async Task SetConfigurationAsync_Valid_StoredWithItsHistoryEntryNamingThePersonAndAudited()
    {
        var (admin, adminId, adminName) = await AdminAsync();
        var edge = Unique("edge");

        var accepted = await WithServiceAsync(s => s.SetConfigurationAsync(admin, Address, "plant-adm", edge, """{"Devices": {"ModbusTcp": []}}""", CancellationToken.None));

        Assert.Equal(1ul, accepted.Value!.Version);
        var configuration = await WithServiceAsync(s => s.GetConfigurationAsync("plant-adm", edge));
        Assert.Equal((1ul, """{"Devices":{"ModbusTcp":[]}}"""), (configuration.Desired!.Version, configuration.Desired.Devices!.ToJsonString()));
        var entry = Assert.Single(await WithServiceAsync(s => s.GetHistoryAsync("plant-adm", edge)));
        Assert.Equal((1ul, new ConfigurationAuthor("person", adminId), adminName), (entry.Entry.Version, entry.Entry.SetBy, entry.SetByName));
        Assert.Equal((null, null), (entry.Entry.AppliedAt, entry.Entry.RefusedAt));
        var row = Assert.Single(await AuditOfAsync(adminId), r => r.EntityId == $"plant-adm/{edge}");
        Assert.Equal("edge.configuration-set", row.Action);
        Assert.Equal(1, JsonDocument.Parse(row.After!).RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task History_EdgeAppliesThenRefuses_EachVersionDatedByItsFirstReportWithItsErrors()
    {
        var edge = Unique("edge");
        var grain = cloud.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IEdgeGrain>(EdgeGrain.Key("plant-adm", edge));
        await grain.SetDesiredConfiguration("""{"Devices":{}}""", new ConfigurationAuthor("person", "someone"));
        await grain.SetDesiredConfiguration("""{"Devices":{"ModbusTcp":[{"Port":0}]}}""", new ConfigurationAuthor("person", "someone"));
        var applied = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var refused = applied.AddMinutes(1);
        string[] errors = ["/data/remote-configuration.json.candidate: Edge:Devices:ModbusTcp:0:Port: must be a TCP port, 1-65535"];

        await grain.SetStatus(new EdgeReport(true, 0, applied, 1, 0, []));
        await grain.SetStatus(new EdgeReport(true, 0, refused, 1, 2, errors));
        // Every birth repeats what the edge runs and what it refused: the first report dates each.
        await grain.SetStatus(new EdgeReport(true, 0, refused.AddMinutes(5), 1, 2, errors));

        var history = await grain.GetConfigurationHistory();
        Assert.Equal([2ul, 1ul], history.Select(h => h.Version));
        Assert.Equal((null, (DateTimeOffset?)refused), (history[0].AppliedAt, history[0].RefusedAt));
        Assert.Equal(errors, history[0].Errors);
        Assert.Equal(((DateTimeOffset?)applied, null), (history[1].AppliedAt, history[1].RefusedAt));
        Assert.Empty(history[1].Errors);
    }

    [Fact]
    public async Task History_MoreVersionsThanKept_OnlyTheNewestFiftyRemain()
    {
        var grain = cloud.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IEdgeGrain>(EdgeGrain.Key("plant-adm", Unique("edge")));
        for (var i = 0; i < 52; i++)
        {
            await grain.SetDesiredConfiguration("""{"Devices":{}}""", null);
        }

        var history = await grain.GetConfigurationHistory();

        Assert.Equal(50, ConfigurationHistoryEntry.Kept);
        Assert.Equal(Enumerable.Range(3, 50).Reverse().Select(v => (ulong)v), history.Select(h => h.Version));
    }

    [Fact]
    public async Task ListAsync_SearchStatusAndPage_AppliedInTheService()
    {
        var (admin, _, _) = await AdminAsync();
        var site = Unique("list");
        foreach (var edge in new[] { "a", "b", "c" })
        {
            Assert.True((await WithServiceAsync(s => s.RegisterAsync(admin, Address, site, edge))).Succeeded);
        }

        await WithServiceAsync(s => s.DisableAsync(admin, Address, site, "b"));

        var all = await WithServiceAsync(s => s.ListAsync(new EdgeQuery(site.ToUpperInvariant())));
        var disabled = await WithServiceAsync(s => s.ListAsync(new EdgeQuery(site, EdgeStatusFilter.Disabled)));
        var offline = await WithServiceAsync(s => s.ListAsync(new EdgeQuery(site, EdgeStatusFilter.Offline)));
        var second = await WithServiceAsync(s => s.ListAsync(new EdgeQuery(site, Skip: 1, Take: 1)));

        Assert.Equal("3: a b c", Shown(all));
        Assert.Equal("1: b", Shown(disabled));
        Assert.Equal("2: a c", Shown(offline));
        Assert.Equal("3: b", Shown(second));

        static string Shown(EdgePage page) => $"{page.Total}: {string.Join(' ', page.Items.Select(e => e.Edge))}";
    }

    [Fact]
    public async Task CredentialsEndpoint_Issued_AuditedOnceInDetailNotByRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (integration, userId, keyId) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Admin, ct);
        using (integration)
        {
            var edge = Unique("edge");
            using var issued = await integration.PostAsync(new Uri($"api/edges/plant-api/{edge}/credentials", UriKind.Relative), null, ct);
            Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
            var body = await issued.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.Equal($"plant-api/{edge}", body.GetProperty("userName").GetString());
            var password = body.GetProperty("password").GetString()!;

            var rows = await AuditOfAsync(userId);
            var row = Assert.Single(rows, r => r.EntityId?.Contains(edge, StringComparison.Ordinal) == true);
            Assert.Equal(("edge.registered", $"api-key:{keyId}"), (row.Action, row.ActorKind));
            Assert.DoesNotContain(rows, r => (r.After ?? "").Contains(password, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ConfigurationEndpoint_AfterTheMove_AnswersAsBefore()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var edge = Unique("edge");
        var uri = new Uri($"api/edges/plant-api/{edge}/configuration", UriKind.Relative);

        using var local = await admin.PutAsJsonAsync(uri, new { Publishing = new { BrokerHost = "elsewhere" } }, ct);
        using var array = await admin.PutAsJsonAsync(uri, new[] { 1 }, ct);
        using var invalid = await admin.PutAsJsonAsync(new Uri("api/edges/plant-api/bad%20id/configuration", UriKind.Relative), new { Devices = new { } }, ct);
        using var unknown = await admin.DeleteAsync(new Uri($"api/edges/plant-api/{edge}", UriKind.Relative), ct);
        using var accepted = await admin.PutAsJsonAsync(uri, new { Devices = new { ModbusTcp = Array.Empty<object>() } }, ct);

        // The names as sent (the client writes camelCase).
        Assert.Equal((HttpStatusCode.BadRequest, "publishing can be set only in the edge's own configuration file: remove them"), await ProblemAsync(local));
        Assert.Equal(HttpStatusCode.BadRequest, array.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, "site and edge ids are 1-64 of A-Z a-z 0-9 - _ ."), await ProblemAsync(invalid));
        Assert.Equal((HttpStatusCode.NotFound, $"No edge plant-api/{edge} is registered"), await ProblemAsync(unknown));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal($"/api/edges/plant-api/{edge}/configuration", accepted.Headers.Location?.OriginalString);
        Assert.Equal(1, (await accepted.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("version").GetInt32());
        var view = await admin.GetFromJsonAsync<JsonElement>(uri, ct);
        Assert.Equal(1, view.GetProperty("desired").GetProperty("version").GetInt32());
        Assert.Equal(0, view.GetProperty("appliedVersion").GetInt32());

        async Task<(HttpStatusCode, string?)> ProblemAsync(HttpResponseMessage response) =>
            (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
    }

    private IEdgeRegistryGrain Registry => cloud.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key);

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>An administrator of their own (their audit rows are theirs alone), signed in with a second factor.</summary>
    private async Task<(ClaimsPrincipal User, string Id, string Name)> AdminAsync()
    {
        var name = Unique("edge-admin");
        var id = await cloud.CreateUserAsync(name, InitialAdmin.Generate(), DomioRoles.Admin);
        return (Person(id, DomioRoles.Admin), id, name);
    }

    /// <summary>A person as their session cookie describes them: id, roles and the second factor.</summary>
    private static ClaimsPrincipal Person(string id, params string[] roles) => new(new ClaimsIdentity(
        [new(ClaimTypes.NameIdentifier, id), new("amr", "mfa"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))],
        "test", ClaimTypes.Name, ClaimTypes.Role));

    private async Task<T> WithServiceAsync<T>(Func<EdgeAdministration, Task<T>> call)
    {
        await using var scope = cloud.App.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<EdgeAdministration>());
    }

    private async Task<List<AuditRecord>> AuditOfAsync(string actorId) =>
        await cloud.App.Services.GetRequiredService<AuditTrail>().ReadAsync(0, 100_000, actorId, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
}

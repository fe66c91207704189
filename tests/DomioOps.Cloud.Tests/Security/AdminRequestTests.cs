using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>Missing and over-long fields of the administration requests are answered 400, never 500 or a silent store.</summary>
[Collection(SecureCloudGroup.Name)]
public sealed class AdminRequestTests(SecureCloud cloud)
{
    private static readonly string Long = new('x', 5000);

    [Fact]
    public async Task AdminRequests_NullOrOverlongFields_Are400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var userId = await cloud.CreateUserAsync("fields-target", "Fields-Target-42", DomioRoles.Operator);
        var requests = new (string Name, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("user without name", () => admin.PostAsJsonAsync("api/security/users", new { userName = (string?)null, password = "Some-Password-42", roles = new[] { "Operator" } }, ct)),
            ("user without password", () => admin.PostAsJsonAsync("api/security/users", new { userName = "no-password", roles = new[] { "Operator" } }, ct)),
            ("user with a long name", () => admin.PostAsJsonAsync("api/security/users", new { userName = Long, password = "Some-Password-42", roles = new[] { "Operator" } }, ct)),
            ("user with a long e-mail", () => admin.PostAsJsonAsync("api/security/users", new { userName = "long-mail", email = Long, password = "Some-Password-42" }, ct)),
            ("roles null", () => admin.PutAsJsonAsync($"api/security/users/{userId}/roles", new { roles = (string[]?)null }, ct)),
            ("a role null", () => admin.PutAsJsonAsync($"api/security/users/{userId}/roles", new { roles = new string?[] { null } }, ct)),
            ("api key without name", () => admin.PostAsJsonAsync($"api/security/users/{userId}/api-keys", new { name = (string?)null }, ct)),
            ("api key with a long name", () => admin.PostAsJsonAsync($"api/security/users/{userId}/api-keys", new { name = Long }, ct)),
            ("long badge", () => admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { badge = Long }, ct)),
            ("terminal without name", () => admin.PostAsJsonAsync("api/security/terminals", new { workCentre = "saw-1" }, ct)),
            ("terminal with a long name", () => admin.PostAsJsonAsync("api/security/terminals", new { name = Long, workCentre = "saw-1" }, ct)),
        };

        var wrong = new List<string>();
        foreach (var (name, send) in requests)
        {
            using var response = await send();
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                wrong.Add($"{name}: {(int)response.StatusCode}");
            }
        }

        Assert.Empty(wrong);
    }
}

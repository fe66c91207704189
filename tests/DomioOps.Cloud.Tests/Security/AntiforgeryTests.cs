using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>State-changing calls of a cookie session carry the antiforgery token; an API key's need none.</summary>
[Collection(SecureCloudGroup.Name)]
public sealed class AntiforgeryTests(SecureCloud cloud)
{
    [Fact]
    public async Task CookieSession_PostWithoutToken_Is400AndWithTokenSucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("forgery-planner", "Forgery-Planner-42", DomioRoles.Planner);
        using var person = cloud.Client();
        using (var signIn = await person.PostAsJsonAsync("api/account/sign-in", new { userName = "forgery-planner", password = "Forgery-Planner-42" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        }

        var change = new { currentPassword = "Forgery-Planner-42", newPassword = "Forgery-Planner-43" };
        using (var forged = await person.PostAsJsonAsync("api/account/password", change, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "api/account/password") { Content = JsonContent.Create(change) })
        {
            wrong.Headers.Add("X-CSRF-TOKEN", "not-a-token");
            using var response = await person.SendAsync(wrong, ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        await SecureCloud.SendAntiforgeryTokenAsync(person, ct);
        using var changed = await person.PostAsJsonAsync("api/account/password", change, ct);
        Assert.True(changed.IsSuccessStatusCode, $"{(int)changed.StatusCode}");
    }

    [Fact]
    public async Task ApiKey_PostWithoutToken_IsAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (integration, _, _) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Admin, ct);
        using (integration)
        {
            using var created = await integration.PostAsJsonAsync("api/security/terminals", new { name = "key terminal", workCentre = "saw-key" }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }
}

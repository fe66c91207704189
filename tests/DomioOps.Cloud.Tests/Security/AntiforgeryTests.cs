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
        using var admin = cloud.Client();
        using (var signIn = await admin.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password = cloud.AdminPassword }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        }

        var terminal = new { name = "forgery terminal", workCentre = "saw-forgery" };
        using (var forged = await admin.PostAsJsonAsync("api/security/terminals", terminal, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "api/security/terminals") { Content = JsonContent.Create(terminal) })
        {
            wrong.Headers.Add("X-CSRF-TOKEN", "not-a-token");
            using var response = await admin.SendAsync(wrong, ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        await SecureCloud.SendAntiforgeryTokenAsync(admin, ct);
        using var created = await admin.PostAsJsonAsync("api/security/terminals", terminal, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
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

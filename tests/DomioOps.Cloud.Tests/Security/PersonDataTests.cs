using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>GDPR: everything stored about a person comes out in the export and goes with the erasure; the audit trail stays intact.</summary>
[Collection(SecureCloudGroup.Name)]
public sealed class PersonDataTests(SecureCloud cloud)
{
    [Fact]
    public async Task ExportThenErase_Person_AllTheirDataOutThenGone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (integration, userId, keyId) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Planner, ct);
        using (integration)
        {
            using (var badge = await admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { badge = "BADGE-77" }, ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, badge.StatusCode);
            }

            var export = await admin.GetFromJsonAsync<JsonElement>($"api/security/people/{userId}/export", ct);
            Assert.Equal(userId, export.GetProperty("account").GetProperty("id").GetString());
            Assert.Equal([DomioRoles.Planner], export.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal(keyId, export.GetProperty("apiKeys")[0].GetProperty("id").GetString());
            Assert.True(export.GetProperty("operatorCredential").GetProperty("hasBadge").GetBoolean());
            var actions = export.GetProperty("auditTrail").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
            Assert.Contains("user.operator-credential-set", actions);
            Assert.DoesNotContain("secretHash", export.ToString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("passwordHash", export.ToString(), StringComparison.OrdinalIgnoreCase);

            using (var erase = await admin.DeleteAsync(new Uri($"api/security/people/{userId}", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
            }

            using (var gone = await admin.GetAsync(new Uri($"api/security/people/{userId}/export", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            }

            // Their API key went with them.
            using var refused = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var keys = await admin.GetFromJsonAsync<JsonElement>("api/security/api-keys", ct);
            Assert.DoesNotContain(keys.EnumerateArray(), k => k.GetProperty("id").GetString() == keyId);

            using var verify = await admin.PostAsync(new Uri("api/audit/verify", UriKind.Relative), null, ct);
            var result = await verify.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.True(result.GetProperty("intact").GetBoolean(), result.ToString());
        }
    }
}

using System.Text.Json;

using DomioOps.Cloud.Tests.Security;

namespace DomioOps.Cloud.Tests.Api;

/// <summary>The API describes itself: an OpenAPI document listing the machine, edge and history endpoints, for signed-in callers only.</summary>
[Collection(SecureCloudGroup.Name)]
public sealed class OpenApiTests(SecureCloud cloud)
{
    [Fact]
    public async Task OpenApiDocument_SignedIn_DescribesTheApi()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);

        using var document = JsonDocument.Parse(await admin.GetStringAsync(new Uri(cloud.BaseAddress, "openapi/v1.json"), ct));

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/machines", paths);
        Assert.Contains("/api/machines/{id}", paths);
        Assert.Contains("/api/edges/{site}/{edge}", paths);
        Assert.Contains("/api/machines/{id}/history", paths);
    }

    [Fact]
    public async Task OpenApiDocument_Anonymous_Refused()
    {
        using var anonymous = cloud.Client();

        using var response = await anonymous.GetAsync(new Uri(cloud.BaseAddress, "openapi/v1.json"), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

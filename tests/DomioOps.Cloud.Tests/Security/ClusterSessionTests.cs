using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Cluster;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>Two silos of one cluster: the data protection key ring is in PostgreSQL, so a cookie from one silo is good at the other.</summary>
public sealed class ClusterSessionTests(SecureCloud cloud) : IClassFixture<SecureCloud>
{
    [Fact]
    public async Task Cookie_IssuedByOneSilo_IsAcceptedByAnother()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("cluster-planner", "Cluster-Planner-2026", DomioRoles.Planner);
        var (second, secondAddress) = await cloud.StartSecondSiloAsync(ct);
        try
        {
            var cookies = new CookieContainer();
            using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies });
            using (var signIn = await client.PostAsJsonAsync(new Uri(cloud.BaseAddress, "api/account/sign-in"), new { userName = "cluster-planner", password = "Cluster-Planner-2026" }, ct))
            {
                Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            }

            // Cookies ignore the port: the same jar presents the first silo's cookie to the second.
            Assert.NotEmpty(cookies.GetCookies(secondAddress));
            using var other = await client.GetAsync(new Uri(secondAddress, "api/account/me"), ct);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            // And the ring the silos share is the one in PostgreSQL (not a folder both processes happen to see).
            await using (var connection = new Npgsql.NpgsqlConnection(cloud.ConnectionString))
            {
                await connection.OpenAsync(ct);
                await using var count = new Npgsql.NpgsqlCommand("""SELECT count(*) FROM "DataProtectionKeys" """, connection);
                Assert.True((long)(await count.ExecuteScalarAsync(ct))! >= 1);
            }

            using var stranger = new HttpClient();
            using var refused = await stranger.GetAsync(new Uri(secondAddress, "api/account/me"), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        finally
        {
            await SiloHosts.StopAsync(second);
        }
    }
}

using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>The host with tiny limits, so that they are reached: 429 for sign-in per address and for the API per user.</summary>
public sealed class RateLimitTests(RateLimitTests.LimitedCloud cloud) : IClassFixture<RateLimitTests.LimitedCloud>
{
    public sealed class LimitedCloud : SecureCloud
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("Security:RateLimits:SignInPerMinutePerAddress", "4"),
            new("Security:RateLimits:ApiPerMinutePerUser", "1"),
        ];
    }

    [Fact]
    public async Task Limits_SignInFloodAndApiFlood_Answer429()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (integration, _, _) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Planner, ct);
        using (integration)
        {
            // One call a minute: the bucket holds one token and the next comes a minute later, far beyond two calls in a row.
            using (var first = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            }

            using var second = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), second.Headers.RetryAfter?.Delta);
        }

        // Four sign-in attempts a minute from one address; the admin's sign-in above used one.
        using var anonymous = cloud.Client();
        var signIns = new List<HttpStatusCode>();
        for (int i = 0; i < 10 && !signIns.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var response = await anonymous.PostAsJsonAsync("api/account/sign-in", new { userName = "nobody", password = "Nothing-At-All-1" }, ct);
            signIns.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, signIns);
        Assert.All(signIns.TakeWhile(s => s != HttpStatusCode.TooManyRequests), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
    }
}

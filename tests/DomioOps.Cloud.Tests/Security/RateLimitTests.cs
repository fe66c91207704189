using System.Net;
using System.Net.Http.Headers;
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
            // The administrator's enrolment at start and its API key below spend 5 of its 8.
            new("Security:RateLimits:ApiPerMinutePerUser", "8"),
            new("Security:RateLimits:ApiPerMinutePerAddress", "20"),
        ];
    }

    [Fact]
    public async Task Limits_BadApiKeysFromOneAddress_Answer429BeforeAuthentication()
    {
        var ct = TestContext.Current.CancellationToken;
        using var attacker = cloud.Client();
        // Its own address (through the loopback proxy, trusted by default), so no other test spends its budget.
        attacker.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.20");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200 && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/machines");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"domio_{i:x24}.not-the-secret");
            using var response = await attacker.SendAsync(request, ct);
            statuses.Add(response.StatusCode);
        }

        // A bucket of 20: the first 20 keys are looked up and refused, then the address is refused before any look-up.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), statuses.Take(20));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Limits_ForwardedForFromLoopbackProxy_IsTheAddressLimited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = cloud.Client();
        async Task<HttpStatusCode> CallAsync(string address)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/machines");
            request.Headers.Add("X-Forwarded-For", address);
            using var response = await client.SendAsync(request, ct);
            return response.StatusCode;
        }

        var first = new List<HttpStatusCode>();
        for (var i = 0; i < 200 && !first.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            first.Add(await CallAsync("198.51.100.30"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, first[^1]);
        // Another client behind the same proxy has its own budget.
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync("198.51.100.31"));
    }

    [Fact]
    public async Task Limits_SignInFloodAndApiFlood_Answer429()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (integration, _, _) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Planner, ct);
        using (integration)
        {
            // Eight calls a minute: a full bucket of eight, then one token every 7.5 s. The first eight calls pass whatever
            // the machine's speed; calls go on until one is refused (a refill may let one more through on a slow machine).
            var statuses = new List<HttpStatusCode>();
            TimeSpan? retryAfter = null;
            for (var i = 0; i < 100 && retryAfter is null; i++)
            {
                using var response = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
                statuses.Add(response.StatusCode);
                retryAfter = response.StatusCode == HttpStatusCode.TooManyRequests ? response.Headers.RetryAfter?.Delta : null;
            }

            Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 8), statuses.Take(8));
            // The next token comes 60 s / 8 later, rounded up to whole seconds.
            Assert.Equal(TimeSpan.FromSeconds(8), retryAfter);
        }

        // Four sign-in attempts a minute from one address; the admin's sign-in above used one.
        using var anonymous = cloud.Client();
        var signIns = new List<HttpStatusCode>();
        for (var i = 0; i < 10 && !signIns.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var response = await anonymous.PostAsJsonAsync("api/account/sign-in", new { userName = "nobody", password = "Nothing-At-All-1" }, ct);
            signIns.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, signIns);
        Assert.All(signIns.TakeWhile(s => s != HttpStatusCode.TooManyRequests), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
    }
}

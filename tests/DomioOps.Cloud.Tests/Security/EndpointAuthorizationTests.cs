using System.Net;
using System.Text;

using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// Every endpoint in the real host's route table, called over HTTP by an anonymous caller, by an integration of each
/// role and by a terminal: whoever the endpoint's policy does not admit is refused. An endpoint added later is in the
/// table, so it is covered without touching this test; one that names no policy is held to the Admin fallback.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed class EndpointAuthorizationTests(SecureCloud cloud)
{
    /// <summary>The only endpoints open to anyone: probes, metrics, and the sign-in doors themselves.</summary>
    private static readonly HashSet<string> Anonymous =
    [
        "GET /health/live", "GET /health/ready", "GET /metrics",
        "POST /api/account/sign-in", "POST /api/account/sign-in/two-factor", "POST /api/terminal/sign-in",
    ];

    [Fact]
    public async Task RouteTable_EveryEndpoint_RefusesAnonymousAndWrongRoleCallers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var callers = new Dictionary<string, HttpClient>();
        try
        {
            foreach (string role in DomioRoles.People)
            {
                callers[role] = (await cloud.ApiKeyClientAsync(admin, role, ct)).Client;
            }

            callers[DomioRoles.Terminal] = (await cloud.TerminalClientAsync(admin, "saw-1", ct)).Client;
            using var anonymous = cloud.Client();

            var endpoints = Endpoints();
            Assert.Contains(endpoints, e => e.Route == "GET /api/machines/{id}");
            Assert.Contains(endpoints, e => e.Route.StartsWith("GET /hubs/machines", StringComparison.Ordinal));
            Assert.Equal(Anonymous.Order(), endpoints.Where(e => e.Anonymous).Select(e => e.Route).Order());
            // A terminal reaches the shop floor and its own session, nothing else (no office data).
            Assert.DoesNotContain(endpoints, e => !e.Anonymous && e.Roles.Contains(DomioRoles.Terminal)
                && e.Policy is not (SecurityPolicies.ShopFloor or SecurityPolicies.Terminal or SecurityPolicies.SignedIn));

            var failures = new List<string>();
            int refusals = 0;
            foreach (var endpoint in endpoints.Where(e => !e.Anonymous))
            {
                using (var response = await SendAsync(anonymous, endpoint, ct))
                {
                    Expect(endpoint, "anonymous", response, HttpStatusCode.Unauthorized, failures);
                    refusals++;
                }

                foreach (var (role, client) in callers)
                {
                    bool admitted = endpoint.Roles.Contains(role);
                    // Admitted callers are checked with safe methods only: a POST or DELETE would change the state under test.
                    if (admitted && endpoint.Method != "GET")
                    {
                        continue;
                    }

                    using var response = await SendAsync(client, endpoint, ct);
                    if (admitted)
                    {
                        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                        {
                            failures.Add($"{endpoint.Route} as {role}: {(int)response.StatusCode}, expected admitted ({endpoint.Policy})");
                        }
                    }
                    else
                    {
                        Expect(endpoint, role, response, HttpStatusCode.Forbidden, failures);
                        refusals++;
                    }
                }
            }

            foreach (var endpoint in endpoints)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{endpoint.Route}: {(endpoint.Anonymous ? "anonymous" : $"{endpoint.Policy} = {string.Join(", ", endpoint.Roles.Order())}")}");
            }

            Assert.Empty(failures);
            // Not vacuous: Admin endpoints alone refuse five callers each.
            Assert.True(refusals > endpoints.Count * 2, $"only {refusals} refusals over {endpoints.Count} endpoints");
        }
        finally
        {
            foreach (var client in callers.Values)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task MachinesApi_EveryPersonRoleAndTerminal_IsAdmitted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        foreach (string role in DomioRoles.People)
        {
            using var client = (await cloud.ApiKeyClientAsync(admin, role, ct)).Client;
            using var response = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var terminal = (await cloud.TerminalClientAsync(admin, "edge-1", ct)).Client;
        using var fromTerminal = await terminal.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, fromTerminal.StatusCode);
    }

    [Fact]
    public async Task ApiKey_Revoked_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (client, _, keyId) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Planner, ct);
        using (client)
        {
            using (var before = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            using (var revoke = await admin.DeleteAsync(new Uri($"api/security/api-keys/{keyId}", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
            }

            using var after = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }
    }

    private static void Expect(Endpoint endpoint, string caller, HttpResponseMessage response, HttpStatusCode expected, List<string> failures)
    {
        if (response.StatusCode != expected)
        {
            failures.Add($"{endpoint.Route} as {caller}: {(int)response.StatusCode}, expected {(int)expected} ({endpoint.Policy})");
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Endpoint endpoint, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), new Uri(endpoint.Path.TrimStart('/'), UriKind.Relative));
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request, ct);
    }

    private List<Endpoint> Endpoints()
    {
        var source = cloud.App.Services.GetRequiredService<EndpointDataSource>();
        var list = new List<Endpoint>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            bool anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
            if (policies.Count == 0)
            {
                policies.Add(SecurityPolicies.Admin); // the fallback policy
            }

            // A caller is admitted only by every policy on the endpoint.
            var everyone = SecurityPolicies.Roles.Values.SelectMany(r => r).ToHashSet();
            var roles = policies.Aggregate(everyone, (admitted, policy) =>
                admitted.Intersect(SecurityPolicies.Roles.TryGetValue(policy, out var r) ? r : everyone).ToHashSet());
            string template = "/" + endpoint.RoutePattern.RawText?.TrimStart('/');
            string path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternParameterPart => "x",
                RoutePatternSeparatorPart separator => separator.Content,
                _ => "",
            }))));
            foreach (string method in methods.Where(m => m != "OPTIONS"))
            {
                list.Add(new Endpoint($"{method} {template}", method, path, anonymous, string.Join("+", policies), roles));
            }
        }

        return list;
    }

    private sealed record Endpoint(string Route, string Method, string Path, bool Anonymous, string Policy, HashSet<string> Roles);
}

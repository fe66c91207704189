using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Cloud.Tests.Security;

[Collection(SecureCloudGroup.Name)]
public sealed class SignInTests(SecureCloud cloud)
{
    private const string Password = "Correct-Horse-42";

    [Fact]
    public void Totp_Rfc6238Vector_Matches()
    {
        // RFC 6238 appendix B gives 94287082 for 8 digits at T = 59 s; 6 digits are its last six.
        Assert.Equal("287082", Totp.Code(Totp.Rfc6238Key, DateTimeOffset.FromUnixTimeSeconds(59)));
    }

    [Fact]
    public async Task SignIn_UnknownUserName_ChecksAPasswordLikeAKnownOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("timing-known", Password, DomioRoles.Operator);
        using var client = cloud.Client();
        var checks = new List<int>();
        foreach (var userName in new[] { "timing-known", "timing-nobody" })
        {
            var before = cloud.PasswordChecks;
            using var response = await client.PostAsJsonAsync("api/account/sign-in", new { userName, password = "Wrong-Guess-1" }, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            checks.Add(cloud.PasswordChecks - before);
        }

        // One password hash check each: the time to answer does not tell whether the name exists.
        Assert.Equal([1, 1], checks);
    }

    [Fact]
    public async Task SignIn_RepeatedWrongPasswords_LocksTheAccountEvenForTheRightOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("brute-target", Password, DomioRoles.Operator);
        using var client = cloud.Client();
        for (var attempt = 1; attempt < 5; attempt++)
        {
            using var wrong = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "brute-target", password = $"Wrong-Guess-{attempt}" }, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var fifth = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "brute-target", password = "Wrong-Guess-5" }, ct))
        {
            Assert.Equal(HttpStatusCode.Locked, fifth.StatusCode);
        }

        using var right = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "brute-target", password = Password }, ct);
        Assert.Equal(HttpStatusCode.Locked, right.StatusCode);
        using var machines = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, machines.StatusCode);
    }

    [Fact]
    public async Task SignIn_TwoFactorEnabled_RequiresTheCodeAfterThePassword()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("planner-2fa", Password, DomioRoles.Planner);
        string key;
        using (var first = await cloud.SignInAsync("planner-2fa", Password, ct))
        {
            key = (await first.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!.SharedKey!;
            using var wrongCode = await first.PostAsJsonAsync("api/account/two-factor/enable", new { code = "000000" == Totp.Code(key, DateTimeOffset.UtcNow) ? "111111" : "000000" }, ct);
            Assert.Equal(HttpStatusCode.BadRequest, wrongCode.StatusCode);
            using var enable = await first.PostAsJsonAsync("api/account/two-factor/enable", new { code = Totp.Code(key, DateTimeOffset.UtcNow) }, ct);
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
            Assert.Equal(10, (await enable.Content.ReadFromJsonAsync<string[]>(ct))!.Length);
        }

        using var client = cloud.Client();
        using (var password = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "planner-2fa", password = Password }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, password.StatusCode);
            Assert.Equal(new SignInResponse(false, true), await password.Content.ReadFromJsonAsync<SignInResponse>(ct));
        }

        // The password alone is not a session.
        using (var early = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, early.StatusCode);
        }

        using (var wrong = await client.PostAsJsonAsync("api/account/sign-in/two-factor", new { code = "12345" }, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // The next 30 s step is inside the accepted window and differs from the code used to enable.
        using (var code = await client.PostAsJsonAsync("api/account/sign-in/two-factor", new { code = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)) }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, code.StatusCode);
        }

        using var machines = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, machines.StatusCode);
    }

    [Fact]
    public async Task SignIn_RecoveryCode_WorksOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("maint-recovery", Password, DomioRoles.Maintenance);
        string[] codes;
        using (var first = await cloud.SignInAsync("maint-recovery", Password, ct))
        {
            var key = (await first.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!.SharedKey!;
            using var enable = await first.PostAsJsonAsync("api/account/two-factor/enable", new { code = Totp.Code(key, DateTimeOffset.UtcNow) }, ct);
            codes = (await enable.Content.ReadFromJsonAsync<string[]>(ct))!;
        }

        foreach (var expected in new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized })
        {
            using var client = cloud.Client();
            using var password = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "maint-recovery", password = Password }, ct);
            Assert.True((await password.Content.ReadFromJsonAsync<SignInResponse>(ct))!.RequiresTwoFactor);
            using var recovery = await client.PostAsJsonAsync("api/account/sign-in/two-factor", new { recoveryCode = codes[0] }, ct);
            Assert.Equal(expected, recovery.StatusCode);
        }
    }

    [Fact]
    public async Task Authorization_RoleRequiringTwoFactor_RefusedUntilEnrolled()
    {
        var ct = TestContext.Current.CancellationToken;
        // The fixture requires two-factor for Office.
        await cloud.CreateUserAsync("office-2fa", Password, DomioRoles.Office);
        using var client = await cloud.SignInAsync("office-2fa", Password, ct);
        using (var refused = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var me = (await client.GetFromJsonAsync<Me>("api/account/me", ct))!;
        Assert.False(me.TwoFactorSatisfied);
        var status = (await client.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!;
        Assert.True(status.RequiredByRole);
        using (var enable = await client.PostAsJsonAsync("api/account/two-factor/enable", new { code = Totp.Code(status.SharedKey!, DateTimeOffset.UtcNow) }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }

        using var admitted = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        using var disable = await client.PostAsync(new Uri("api/account/two-factor/disable", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.Forbidden, disable.StatusCode);
    }

    [Fact]
    public async Task SignIn_OversizedBody_Refused413()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = cloud.Client();
        string padding = new('x', (int)SignInSizeLimit.Bytes + 1);
        using var response = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password = padding }, ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Api_BodyOverTheGlobalLimit_Refused413()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        string padding = new('x', (1 << 20) + 1);
        using var response = await admin.PostAsJsonAsync("api/security/users", new { userName = "big", password = padding, roles = Array.Empty<string>() }, ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task TotpTokenProvider_StepsAroundNow_AcceptsOnlyTheNeighboursAndEachOnce()
    {
        await cloud.CreateUserAsync("totp-window", Password, DomioRoles.Planner);
        await using var scope = cloud.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = (await users.FindByNameAsync("totp-window"))!;
        await users.ResetAuthenticatorKeyAsync(user);
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        // 10:00:15 UTC on 2026-03-02 is 1 772 445 615 s: 15 s into step 59 081 520.
        var now = new DateTimeOffset(2026, 3, 2, 10, 0, 15, TimeSpan.Zero);
        var provider = new TotpTokenProvider(scope.ServiceProvider.GetRequiredService<SecurityDbContext>(), new FakeTimeProvider(now));
        Task<bool> Accepts(int stepsFromNow) => provider.ValidateAsync("TwoFactor", Totp.Code(key, now.AddSeconds(30 * stepsFromNow)), users, user);

        // Identity's own provider accepts two steps either side; at most one is allowed.
        Assert.False(await Accepts(-2));
        Assert.False(await Accepts(+2));
        Assert.True(await Accepts(-1));
        Assert.False(await Accepts(-1));
        Assert.True(await Accepts(0));
        Assert.False(await Accepts(-1));
        Assert.False(await Accepts(0));
        Assert.True(await Accepts(+1));
    }

    [Fact]
    public async Task SignInTwoFactor_CodeTwoStepsOld_Refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("planner-old-code", Password, DomioRoles.Planner);
        string key;
        using (var first = await cloud.SignInAsync("planner-old-code", Password, ct))
        {
            key = await Totp.EnrolAsync(first, ct);
        }

        using var client = cloud.Client();
        using (var password = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "planner-old-code", password = Password }, ct))
        {
            Assert.True((await password.Content.ReadFromJsonAsync<SignInResponse>(ct))!.RequiresTwoFactor);
        }

        // 60 s ago is two steps back (or three, should a step begin before the server looks): outside the window either way.
        using var old = await client.PostAsJsonAsync("api/account/sign-in/two-factor", new { code = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(-60)) }, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
    }

    [Fact]
    public async Task SignInTwoFactor_CodeUsedAlready_Refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("planner-replay", Password, DomioRoles.Planner);
        string key, used;
        using (var first = await cloud.SignInAsync("planner-replay", Password, ct))
        {
            key = (await first.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!.SharedKey!;
            used = Totp.Code(key, DateTimeOffset.UtcNow);
            using var enable = await first.PostAsJsonAsync("api/account/two-factor/enable", new { code = used }, ct);
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }

        using var client = cloud.Client();
        using (var password = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "planner-replay", password = Password }, ct))
        {
            Assert.True((await password.Content.ReadFromJsonAsync<SignInResponse>(ct))!.RequiresTwoFactor);
        }

        // The code that turned two-factor on, seen on the wire or over a shoulder, does not sign in.
        using (var replay = await client.PostAsJsonAsync("api/account/sign-in/two-factor", new { code = used }, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        }

        // The next step's code, taken once: a 30 s boundary passing before the second use must not make it another code.
        var next = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30));
        using (var signedIn = await client.PostAsJsonAsync("api/account/sign-in/two-factor", new { code = next }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }

        // And a code, once it signed in, does not sign in again.
        using var again = cloud.Client();
        using (var password = await again.PostAsJsonAsync("api/account/sign-in", new { userName = "planner-replay", password = Password }, ct))
        {
            Assert.True((await password.Content.ReadFromJsonAsync<SignInResponse>(ct))!.RequiresTwoFactor);
        }

        using var twice = await again.PostAsJsonAsync("api/account/sign-in/two-factor", new { code = next }, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, twice.StatusCode);
    }

    [Fact]
    public async Task TwoFactorStatus_AfterEnrolment_ShowsNoKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("planner-no-key", Password, DomioRoles.Planner);
        using var client = await cloud.SignInAsync("planner-no-key", Password, ct);
        var before = (await client.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!;
        Assert.Equal((false, 32), (before.Enabled, before.SharedKey!.Length));
        await Totp.EnrolAsync(client, ct);

        var after = (await client.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!;
        Assert.Equal(new TwoFactorStatus(true, null, null, 10, false), after);
    }

    [Fact]
    public async Task DisableTwoFactor_WithoutAFreshCode_Refused400()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("planner-disable", Password, DomioRoles.Planner);
        using var client = await cloud.SignInAsync("planner-disable", Password, ct);
        var key = await Totp.EnrolAsync(client, ct);

        using (var bare = await client.PostAsJsonAsync("api/account/two-factor/disable", new { }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        }

        using (var wrong = await client.PostAsJsonAsync("api/account/two-factor/disable", new { code = "12345x" }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        Assert.True((await client.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!.Enabled);
        using (var fresh = await client.PostAsJsonAsync("api/account/two-factor/disable", new { code = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)) }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, fresh.StatusCode);
        }

        Assert.False((await client.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!.Enabled);
    }

    [Fact]
    public async Task RenewRecoveryCodes_WithoutAFreshCode_Refused400()
    {
        var ct = TestContext.Current.CancellationToken;
        await cloud.CreateUserAsync("planner-renew", Password, DomioRoles.Planner);
        using var client = await cloud.SignInAsync("planner-renew", Password, ct);
        var key = await Totp.EnrolAsync(client, ct);

        using (var bare = await client.PostAsJsonAsync("api/account/two-factor/recovery-codes", new { }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        }

        using var fresh = await client.PostAsJsonAsync("api/account/two-factor/recovery-codes", new { code = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)) }, ct);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(10, (await fresh.Content.ReadFromJsonAsync<string[]>(ct))!.Length);
    }

    [Fact]
    public async Task Authorization_AdminAndMaintenanceByDefault_RequireTwoFactor()
    {
        var ct = TestContext.Current.CancellationToken;
        // The fixture's administrator has set up two-factor: a password alone no longer signs them in.
        using (var client = cloud.Client())
        using (var password = await client.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password = cloud.AdminPassword }, ct))
        {
            Assert.Equal(new SignInResponse(false, true), await password.Content.ReadFromJsonAsync<SignInResponse>(ct));
        }

        // With no configuration at all, Admin and Maintenance require a second factor, and the others do not.
        var defaults = new SecurityOptions();
        Assert.False(TwoFactorRequirementHandler.IsSatisfied(Person(DomioRoles.Admin), defaults));
        Assert.False(TwoFactorRequirementHandler.IsSatisfied(Person(DomioRoles.Maintenance), defaults));
        Assert.True(TwoFactorRequirementHandler.IsSatisfied(Person(DomioRoles.Planner), defaults));
        Assert.True(TwoFactorRequirementHandler.IsSatisfied(Person(DomioRoles.Operator), defaults));
        // A configured list replaces the default; "None" turns it off.
        Assert.True(TwoFactorRequirementHandler.IsSatisfied(Person(DomioRoles.Admin), new SecurityOptions { RequireTwoFactorRoles = [DomioRoles.Office] }));
        Assert.True(TwoFactorRequirementHandler.IsSatisfied(Person(DomioRoles.Admin), new SecurityOptions { RequireTwoFactorRoles = ["None"] }));
    }

    private static System.Security.Claims.ClaimsPrincipal Person(string role) =>
        new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Role, role)], "test"));

    private sealed record TwoFactorStatus(bool Enabled, string? SharedKey, string? AuthenticatorUri, int RecoveryCodesLeft, bool RequiredByRole);

    private sealed record SignInResponse(bool SignedIn, bool RequiresTwoFactor);

    private sealed record Me(string? UserName, string[] Roles, string Credential, bool TwoFactorSatisfied, string? WorkCentre, string? Operator);
}

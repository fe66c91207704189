using System.Net;
using System.Net.Http.Json;

using DomioOps.Cloud.Security;

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
        foreach (string userName in new[] { "timing-known", "timing-nobody" })
        {
            int before = cloud.PasswordChecks;
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
        for (int attempt = 1; attempt < 5; attempt++)
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
            key = (await first.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!.SharedKey;
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
            string key = (await first.GetFromJsonAsync<TwoFactorStatus>("api/account/two-factor", ct))!.SharedKey;
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
        using (var enable = await client.PostAsJsonAsync("api/account/two-factor/enable", new { code = Totp.Code(status.SharedKey, DateTimeOffset.UtcNow) }, ct))
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

    private sealed record TwoFactorStatus(bool Enabled, string SharedKey, string AuthenticatorUri, int RecoveryCodesLeft, bool RequiredByRole);

    private sealed record SignInResponse(bool SignedIn, bool RequiresTwoFactor);

    private sealed record Me(string? UserName, string[] Roles, string Credential, bool TwoFactorSatisfied, string? WorkCentre, string? Operator);
}

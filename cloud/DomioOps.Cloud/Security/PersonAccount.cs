using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;

using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary>
/// A person's own account, for the account API and the web application alike: sign in with a password, then an
/// authenticator code or a recovery code when two-factor is on; set up two-factor (turning it off or renewing recovery
/// codes takes a current code); change the password; sign out. Every outcome is audited here, whichever door it came by.
/// </summary>
internal sealed class PersonAccount(
    SignInManager<IdentityUser> signIn,
    AuditTrail audit,
    IHttpContextAccessor accessor,
    IOptionsMonitor<SecurityOptions> options)
{
    private UserManager<IdentityUser> Users => signIn.UserManager;

    private HttpContext Http => accessor.HttpContext ?? throw new InvalidOperationException("The account is reached through an HTTP request");

    public async Task<SignInOutcome> SignInAsync(string? userName, string? password, bool rememberMe = false)
    {
        var user = await Users.FindByNameAsync(userName ?? "");
        if (user is null)
        {
            SignInTiming.VerifyUnknownUser(Users.PasswordHasher, password);
            return SignInOutcome.Failed;
        }

        var result = await signIn.PasswordSignInAsync(user, password ?? "", rememberMe, lockoutOnFailure: true);
        return await OutcomeAsync(result, user, "password");
    }

    /// <summary>The second step: <paramref name="recoveryCode"/> when given, else the authenticator <paramref name="code"/>.</summary>
    public async Task<SignInOutcome> SignInTwoFactorAsync(string? code, string? recoveryCode)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return SignInOutcome.PasswordFirst;
        }

        if (!string.IsNullOrWhiteSpace(recoveryCode))
        {
            var recovered = await signIn.TwoFactorRecoveryCodeSignInAsync(recoveryCode.Replace(" ", "", StringComparison.Ordinal));
            return await OutcomeAsync(recovered, user, "recovery-code");
        }

        var result = await signIn.TwoFactorAuthenticatorSignInAsync(Normalize(code), isPersistent: false, rememberClient: false);
        return await OutcomeAsync(result, user, "authenticator");
    }

    private async Task<SignInOutcome> OutcomeAsync(SignInResult result, IdentityUser user, string method)
    {
        var actor = new AuditActor("person", user.Id, Http.Connection.RemoteIpAddress?.ToString());
        if (result.Succeeded)
        {
            await audit.AppendAsync(actor, "session.signed-in", "user", user.Id, null, new { method }, Http.RequestAborted);
            // The language the person chose on any browser becomes this one's.
            await Components.UiCulture.RestoreAsync(Http, Users, user);
            return SignInOutcome.SignedIn;
        }

        if (result.RequiresTwoFactor)
        {
            return SignInOutcome.RequiresTwoFactor;
        }

        if (result.IsLockedOut)
        {
            await audit.AppendAsync(actor, "session.locked-out", "user", user.Id, null, new { method }, Http.RequestAborted);
            return SignInOutcome.LockedOut;
        }

        await audit.AppendAsync(actor, "session.sign-in-failed", "user", user.Id, null, new { method }, Http.RequestAborted);
        return SignInOutcome.Failed;
    }

    /// <summary>The user a successful sign-in just signed in (the cookie is not in this request's principal yet).</summary>
    public Task<IdentityUser?> FindByNameAsync(string userName) => Users.FindByNameAsync(userName);

    public async Task SignOutAsync(ClaimsPrincipal principal)
    {
        if (principal.FindFirstValue(SecurityClaims.CredentialKind) is null)
        {
            await signIn.SignOutAsync();
            await audit.AppendAsync(AuditActor.From(Http), "session.signed-out", "user", principal.FindFirstValue(ClaimTypes.NameIdentifier), null, null, Http.RequestAborted);
        }
    }

    /// <summary>The state of two-factor sign-in; while it is off, a shared key (made now if missing) to set it up with.</summary>
    public async Task<AccountResult<TwoFactorStatus>> TwoFactorStatusAsync(ClaimsPrincipal principal)
    {
        if (await PersonAsync(principal) is not { } user)
        {
            return AccountError.NotAPerson;
        }

        var requiredByRole = RequiredByRole(principal);
        if (await Users.GetTwoFactorEnabledAsync(user))
        {
            return new TwoFactorStatus(true, null, null, await Users.CountRecoveryCodesAsync(user), requiredByRole);
        }

        var key = await Users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await Users.ResetAuthenticatorKeyAsync(user);
            key = await Users.GetAuthenticatorKeyAsync(user);
            // A new key changes the security stamp: the session is renewed with it, or its next check would end it.
            await signIn.RefreshSignInAsync(user);
        }

        var name = await Users.GetUserNameAsync(user) ?? user.Id;
        var uri = $"otpauth://totp/{UrlEncoder.Default.Encode("DomioOps")}:{UrlEncoder.Default.Encode(name)}?secret={key}&issuer=DomioOps&digits=6";
        return new TwoFactorStatus(false, key!, uri, await Users.CountRecoveryCodesAsync(user), requiredByRole);
    }

    /// <summary>Turns two-factor on once <paramref name="code"/> proves the authenticator holds the key; returns the recovery codes.</summary>
    public async Task<AccountResult<string[]>> EnableTwoFactorAsync(ClaimsPrincipal principal, string? code)
    {
        if (await PersonAsync(principal) is not { } user)
        {
            return AccountError.NotAPerson;
        }

        if (await Users.GetTwoFactorEnabledAsync(user))
        {
            return AccountError.AlreadyEnabled;
        }

        if (!await Users.VerifyTwoFactorTokenAsync(user, Users.Options.Tokens.AuthenticatorTokenProvider, Normalize(code)))
        {
            return AccountError.CodeMismatch;
        }

        await Users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await Users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToArray();
        // The person just proved the second factor: their session now carries it.
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(TwoFactorRequirementHandler.AuthenticationMethodClaim, "mfa")]);
        await audit.AppendAsync(AuditActor.From(Http), "user.two-factor-enabled", "user", user.Id, new { twoFactor = false }, new { twoFactor = true }, Http.RequestAborted);
        return codes;
    }

    public async Task<AccountResult<string[]>> NewRecoveryCodesAsync(ClaimsPrincipal principal, string? code)
    {
        if (await PersonAsync(principal) is not { } user)
        {
            return AccountError.NotAPerson;
        }

        if (!await Users.GetTwoFactorEnabledAsync(user))
        {
            return AccountError.NotEnabled;
        }

        if (await FreshCodeErrorAsync(code, user) is { } error)
        {
            return error;
        }

        var codes = (await Users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToArray();
        await audit.AppendAsync(AuditActor.From(Http), "user.recovery-codes-renewed", "user", user.Id, null, null, Http.RequestAborted);
        return codes;
    }

    public async Task<AccountResult<bool>> DisableTwoFactorAsync(ClaimsPrincipal principal, string? code)
    {
        if (await PersonAsync(principal) is not { } user)
        {
            return AccountError.NotAPerson;
        }

        if (RequiredByRole(principal))
        {
            return AccountError.RequiredByRole;
        }

        if (!await Users.GetTwoFactorEnabledAsync(user))
        {
            return AccountError.NotEnabled;
        }

        if (await FreshCodeErrorAsync(code, user) is { } error)
        {
            return error;
        }

        await Users.SetTwoFactorEnabledAsync(user, false);
        await Users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.AppendAsync(AuditActor.From(Http), "user.two-factor-disabled", "user", user.Id, new { twoFactor = true }, new { twoFactor = false }, Http.RequestAborted);
        return true;
    }

    /// <summary>Changes the password; on failure, Identity's reasons (in the server's language: the page shows its own).</summary>
    public async Task<AccountResult<bool>> ChangePasswordAsync(ClaimsPrincipal principal, string? currentPassword, string? newPassword)
    {
        if (await PersonAsync(principal) is not { } user)
        {
            return AccountError.NotAPerson;
        }

        var result = await Users.ChangePasswordAsync(user, currentPassword ?? "", newPassword ?? "");
        if (!result.Succeeded)
        {
            return new AccountResult<bool>(false, AccountError.PasswordRefused, [.. result.Errors.Select(e => e.Code)], string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        await signIn.RefreshSignInAsync(user);
        await audit.AppendAsync(AuditActor.From(Http), "user.password-changed", "user", user.Id, null, null, Http.RequestAborted);
        return true;
    }

    /// <summary>
    /// Turning the second factor off or renewing the recovery codes takes a current authenticator code, so that a stolen
    /// session alone cannot do it; a wrong code counts toward the account's lockout, so the code cannot be guessed either.
    /// </summary>
    private async Task<AccountError?> FreshCodeErrorAsync(string? code, IdentityUser user)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return AccountError.CodeMissing;
        }

        if (await Users.VerifyTwoFactorTokenAsync(user, Users.Options.Tokens.AuthenticatorTokenProvider, Normalize(code)))
        {
            return null;
        }

        await Users.AccessFailedAsync(user);
        return AccountError.CodeMismatchOrUsed;
    }

    /// <summary>The Identity user behind a person's own session; null for an API key or a terminal.</summary>
    private async Task<IdentityUser?> PersonAsync(ClaimsPrincipal principal) =>
        principal.FindFirstValue(SecurityClaims.CredentialKind) is null ? await Users.GetUserAsync(principal) : null;

    private bool RequiredByRole(ClaimsPrincipal principal) => options.CurrentValue.TwoFactorRoles.Any(principal.IsInRole);

    private static string Normalize(string? code) =>
        new StringBuilder(code ?? "").Replace(" ", "").Replace("-", "").ToString();
}

internal enum SignInOutcome
{
    SignedIn,
    RequiresTwoFactor,
    LockedOut,
    Failed,

    /// <summary>A second factor was sent without a password sign-in before it.</summary>
    PasswordFirst,
}

/// <summary>Why an account operation was refused; the API and the pages each say it in their own words.</summary>
internal enum AccountError
{
    NotAPerson,
    AlreadyEnabled,
    NotEnabled,
    CodeMismatch,
    CodeMissing,
    CodeMismatchOrUsed,
    RequiredByRole,
    PasswordRefused,
}

/// <summary>The shared key and its link only while two-factor is being set up: once on, the key is never shown again.</summary>
internal sealed record TwoFactorStatus(bool Enabled, string? SharedKey, string? AuthenticatorUri, int RecoveryCodesLeft, bool RequiredByRole);

/// <summary>A value, or the reason there is none (with Identity's error codes and description for a refused password).</summary>
internal readonly record struct AccountResult<T>(T? Value, AccountError? Error, string[] IdentityErrors, string? Description)
{
    public bool Succeeded => Error is null;

    public static implicit operator AccountResult<T>(T value) => new(value, null, [], null);

    public static implicit operator AccountResult<T>(AccountError error) => new(default, error, [], null);
}

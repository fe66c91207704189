using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;

using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary>
/// <c>/api/account</c>: a person signs in (password, then an authenticator code or a recovery code when two-factor is on),
/// sees who they are, sets up two-factor (turning it off or renewing recovery codes takes a current code), changes their
/// password, signs out.
/// </summary>
internal static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/account").WithTags("Account").WithMetadata(AuditsItself.Instance);

        var anonymous = account.MapGroup("/").AllowAnonymous().RequireRateLimiting(SecurityExtensions.SignInLimit).WithMetadata(new SignInSizeLimit());
        anonymous.MapPost("/sign-in", SignInAsync);
        anonymous.MapPost("/sign-in/two-factor", SignInTwoFactorAsync);

        var own = account.MapGroup("/").RequireAuthorization(SecurityPolicies.SignedIn);
        own.MapPost("/sign-out", SignOutAsync);
        own.MapGet("/me", Me);
        own.MapGet("/two-factor", TwoFactorStatusAsync);
        own.MapPost("/two-factor/enable", EnableTwoFactorAsync);
        own.MapPost("/two-factor/recovery-codes", NewRecoveryCodesAsync);
        own.MapPost("/two-factor/disable", DisableTwoFactorAsync);
        own.MapPost("/password", ChangePasswordAsync);
        return app;
    }

    internal sealed record SignInRequest(string UserName, string Password, bool RememberMe = false);

    internal sealed record TwoFactorRequest(string? Code, string? RecoveryCode);

    internal sealed record CodeRequest(string? Code);

    internal sealed record PasswordRequest(string CurrentPassword, string NewPassword);

    internal sealed record SignInResponse(bool SignedIn, bool RequiresTwoFactor);

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignInAsync(
        SignInRequest request, SignInManager<IdentityUser> signIn, AuditTrail audit, HttpContext http)
    {
        var user = await signIn.UserManager.FindByNameAsync(request.UserName ?? "");
        if (user is null)
        {
            SignInTiming.VerifyUnknownUser(signIn.UserManager.PasswordHasher, request.Password);
            return Failed();
        }

        var result = await signIn.PasswordSignInAsync(user, request.Password ?? "", request.RememberMe, lockoutOnFailure: true);
        return await OutcomeAsync(result, user, "password", audit, http);
    }

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignInTwoFactorAsync(
        TwoFactorRequest request, SignInManager<IdentityUser> signIn, AuditTrail audit, HttpContext http)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return TypedResults.Problem("Sign in with your password first", statusCode: StatusCodes.Status401Unauthorized);
        }

        SignInResult result;
        string method;
        if (!string.IsNullOrWhiteSpace(request.RecoveryCode))
        {
            result = await signIn.TwoFactorRecoveryCodeSignInAsync(request.RecoveryCode.Replace(" ", "", StringComparison.Ordinal));
            method = "recovery-code";
        }
        else
        {
            result = await signIn.TwoFactorAuthenticatorSignInAsync(Normalize(request.Code), isPersistent: false, rememberClient: false);
            method = "authenticator";
        }

        return await OutcomeAsync(result, user, method, audit, http);
    }

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> OutcomeAsync(
        SignInResult result, IdentityUser user, string method, AuditTrail audit, HttpContext http)
    {
        var actor = new AuditActor("person", user.Id, http.Connection.RemoteIpAddress?.ToString());
        if (result.Succeeded)
        {
            await audit.AppendAsync(actor, "session.signed-in", "user", user.Id, null, new { method }, http.RequestAborted);
            return TypedResults.Ok(new SignInResponse(true, false));
        }

        if (result.RequiresTwoFactor)
        {
            return TypedResults.Ok(new SignInResponse(false, true));
        }

        if (result.IsLockedOut)
        {
            await audit.AppendAsync(actor, "session.locked-out", "user", user.Id, null, new { method }, http.RequestAborted);
            return TypedResults.Problem("Too many failed attempts: the account is locked for a while", statusCode: StatusCodes.Status423Locked);
        }

        await audit.AppendAsync(actor, "session.sign-in-failed", "user", user.Id, null, new { method }, http.RequestAborted);
        return Failed();
    }

    private static ProblemHttpResult Failed() =>
        TypedResults.Problem("Wrong user name, password or code", statusCode: StatusCodes.Status401Unauthorized);

    private static async Task<NoContent> SignOutAsync(SignInManager<IdentityUser> signIn, AuditTrail audit, HttpContext http)
    {
        if (http.User.FindFirstValue(SecurityClaims.CredentialKind) is null)
        {
            await signIn.SignOutAsync();
            await audit.AppendAsync(AuditActor.From(http), "session.signed-out", "user", http.User.FindFirstValue(ClaimTypes.NameIdentifier), null, null, http.RequestAborted);
        }

        return TypedResults.NoContent();
    }

    internal sealed record MeResponse(string? UserName, string[] Roles, string Credential, bool TwoFactorSatisfied, string? WorkCentre, string? Operator);

    private static Ok<MeResponse> Me(ClaimsPrincipal user, IOptionsMonitor<SecurityOptions> options) => TypedResults.Ok(new MeResponse(
        user.Identity?.Name,
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray(),
        user.FindFirstValue(SecurityClaims.CredentialKind) ?? SecurityClaims.PasswordCredential,
        TwoFactorRequirementHandler.IsSatisfied(user, options.CurrentValue),
        user.FindFirstValue(SecurityClaims.WorkCentre),
        user.FindFirstValue(SecurityClaims.OperatorName)));

    /// <summary>The shared key and its link only while two-factor is being set up: once on, the key is never shown again.</summary>
    internal sealed record TwoFactorStatus(bool Enabled, string? SharedKey, string? AuthenticatorUri, int RecoveryCodesLeft, bool RequiredByRole);

    private static async Task<Results<Ok<TwoFactorStatus>, ProblemHttpResult>> TwoFactorStatusAsync(
        ClaimsPrincipal principal, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, IOptionsMonitor<SecurityOptions> options)
    {
        if (await PersonAsync(principal, users) is not { } user)
        {
            return NotAPerson();
        }

        bool requiredByRole = RequiredByRole(principal, options.CurrentValue);
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            return TypedResults.Ok(new TwoFactorStatus(true, null, null, await users.CountRecoveryCodesAsync(user), requiredByRole));
        }

        string? key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
            // A new key changes the security stamp: the session is renewed with it, or its next check would end it.
            await signIn.RefreshSignInAsync(user);
        }

        string name = await users.GetUserNameAsync(user) ?? user.Id;
        string uri = $"otpauth://totp/{UrlEncoder.Default.Encode("DomioOps")}:{UrlEncoder.Default.Encode(name)}?secret={key}&issuer=DomioOps&digits=6";
        return TypedResults.Ok(new TwoFactorStatus(false, key!, uri, await users.CountRecoveryCodesAsync(user), requiredByRole));
    }

    private static async Task<Results<Ok<string[]>, ProblemHttpResult>> EnableTwoFactorAsync(
        CodeRequest request, ClaimsPrincipal principal, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, AuditTrail audit, HttpContext http)
    {
        if (await PersonAsync(principal, users) is not { } user)
        {
            return NotAPerson();
        }

        if (await users.GetTwoFactorEnabledAsync(user))
        {
            return TypedResults.Problem("Two-factor sign-in is already enabled", statusCode: StatusCodes.Status400BadRequest);
        }

        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Normalize(request.Code)))
        {
            return TypedResults.Problem("The code does not match the authenticator key", statusCode: StatusCodes.Status400BadRequest);
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToArray();
        // The person just proved the second factor: their session now carries it.
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(TwoFactorRequirementHandler.AuthenticationMethodClaim, "mfa")]);
        await audit.AppendAsync(AuditActor.From(http), "user.two-factor-enabled", "user", user.Id, new { twoFactor = false }, new { twoFactor = true }, http.RequestAborted);
        return TypedResults.Ok(codes);
    }

    private static async Task<Results<Ok<string[]>, ProblemHttpResult>> NewRecoveryCodesAsync(
        CodeRequest? request, ClaimsPrincipal principal, UserManager<IdentityUser> users, AuditTrail audit, HttpContext http)
    {
        if (await PersonAsync(principal, users) is not { } user)
        {
            return NotAPerson();
        }

        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            return TypedResults.Problem("Two-factor sign-in is not enabled", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await FreshCodeProblemAsync(request, user, users) is { } problem)
        {
            return problem;
        }

        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToArray();
        await audit.AppendAsync(AuditActor.From(http), "user.recovery-codes-renewed", "user", user.Id, null, null, http.RequestAborted);
        return TypedResults.Ok(codes);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableTwoFactorAsync(
        CodeRequest? request, ClaimsPrincipal principal, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, IOptionsMonitor<SecurityOptions> options, AuditTrail audit, HttpContext http)
    {
        if (await PersonAsync(principal, users) is not { } user)
        {
            return NotAPerson();
        }

        if (RequiredByRole(principal, options.CurrentValue))
        {
            return TypedResults.Problem("Your role requires two-factor sign-in", statusCode: StatusCodes.Status403Forbidden);
        }

        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            return TypedResults.Problem("Two-factor sign-in is not enabled", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await FreshCodeProblemAsync(request, user, users) is { } problem)
        {
            return problem;
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.AppendAsync(AuditActor.From(http), "user.two-factor-disabled", "user", user.Id, new { twoFactor = true }, new { twoFactor = false }, http.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Turning the second factor off or renewing the recovery codes takes a current authenticator code, so that a stolen
    /// session alone cannot do it; a wrong code counts toward the account's lockout, so the code cannot be guessed either.
    /// </summary>
    private static async Task<ProblemHttpResult?> FreshCodeProblemAsync(CodeRequest? request, IdentityUser user, UserManager<IdentityUser> users)
    {
        if (string.IsNullOrWhiteSpace(request?.Code))
        {
            return TypedResults.Problem("Enter the code your authenticator app shows now", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Normalize(request.Code)))
        {
            return null;
        }

        await users.AccessFailedAsync(user);
        return TypedResults.Problem("The code does not match the authenticator key, or was used already", statusCode: StatusCodes.Status400BadRequest);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        PasswordRequest request, ClaimsPrincipal principal, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, AuditTrail audit, HttpContext http)
    {
        if (await PersonAsync(principal, users) is not { } user)
        {
            return NotAPerson();
        }

        var result = await users.ChangePasswordAsync(user, request.CurrentPassword ?? "", request.NewPassword ?? "");
        if (!result.Succeeded)
        {
            return TypedResults.Problem(string.Join(" ", result.Errors.Select(e => e.Description)), statusCode: StatusCodes.Status400BadRequest);
        }

        await signIn.RefreshSignInAsync(user);
        await audit.AppendAsync(AuditActor.From(http), "user.password-changed", "user", user.Id, null, null, http.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>The Identity user behind a person's own session; null for an API key or a terminal.</summary>
    private static async Task<IdentityUser?> PersonAsync(ClaimsPrincipal principal, UserManager<IdentityUser> users) =>
        principal.FindFirstValue(SecurityClaims.CredentialKind) is null ? await users.GetUserAsync(principal) : null;

    private static ProblemHttpResult NotAPerson() =>
        TypedResults.Problem("Only a person signed in with a password manages an account", statusCode: StatusCodes.Status400BadRequest);

    private static bool RequiredByRole(ClaimsPrincipal principal, SecurityOptions options) => options.TwoFactorRoles.Any(principal.IsInRole);

    private static string Normalize(string? code) =>
        new StringBuilder(code ?? "").Replace(" ", "").Replace("-", "").ToString();
}

/// <summary>Sign-in bodies are tiny: anything larger is refused (413) before it is read.</summary>
internal sealed class SignInSizeLimit : Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata
{
    public const long Bytes = 16 * 1024;

    public long? MaxRequestBodySize => Bytes;
}

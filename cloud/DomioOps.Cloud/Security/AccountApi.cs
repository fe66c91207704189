using System.Security.Claims;

using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Http.HttpResults;
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

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignInAsync(SignInRequest request, PersonAccount account) =>
        Outcome(await account.SignInAsync(request.UserName, request.Password, request.RememberMe));

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignInTwoFactorAsync(TwoFactorRequest request, PersonAccount account) =>
        Outcome(await account.SignInTwoFactorAsync(request.Code, request.RecoveryCode));

    private static Results<Ok<SignInResponse>, ProblemHttpResult> Outcome(SignInOutcome outcome) => outcome switch
    {
        SignInOutcome.SignedIn => TypedResults.Ok(new SignInResponse(true, false)),
        SignInOutcome.RequiresTwoFactor => TypedResults.Ok(new SignInResponse(false, true)),
        SignInOutcome.LockedOut => TypedResults.Problem("Too many failed attempts: the account is locked for a while", statusCode: StatusCodes.Status423Locked),
        SignInOutcome.PasswordFirst => TypedResults.Problem("Sign in with your password first", statusCode: StatusCodes.Status401Unauthorized),
        _ => TypedResults.Problem("Wrong user name, password or code", statusCode: StatusCodes.Status401Unauthorized),
    };

    private static async Task<NoContent> SignOutAsync(PersonAccount account, ClaimsPrincipal user)
    {
        await account.SignOutAsync(user);
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

    private static async Task<Results<Ok<TwoFactorStatus>, ProblemHttpResult>> TwoFactorStatusAsync(ClaimsPrincipal principal, PersonAccount account) =>
        Result(await account.TwoFactorStatusAsync(principal));

    private static async Task<Results<Ok<string[]>, ProblemHttpResult>> EnableTwoFactorAsync(CodeRequest request, ClaimsPrincipal principal, PersonAccount account) =>
        Result(await account.EnableTwoFactorAsync(principal, request.Code));

    private static async Task<Results<Ok<string[]>, ProblemHttpResult>> NewRecoveryCodesAsync(CodeRequest? request, ClaimsPrincipal principal, PersonAccount account) =>
        Result(await account.NewRecoveryCodesAsync(principal, request?.Code));

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableTwoFactorAsync(CodeRequest? request, ClaimsPrincipal principal, PersonAccount account) =>
        Done(await account.DisableTwoFactorAsync(principal, request?.Code));

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(PasswordRequest request, ClaimsPrincipal principal, PersonAccount account) =>
        Done(await account.ChangePasswordAsync(principal, request.CurrentPassword, request.NewPassword));

    private static Results<Ok<T>, ProblemHttpResult> Result<T>(AccountResult<T> result) =>
        result.Succeeded ? TypedResults.Ok(result.Value!) : Problem(result);

    private static Results<NoContent, ProblemHttpResult> Done(AccountResult<bool> result) =>
        result.Succeeded ? TypedResults.NoContent() : Problem(result);

    private static ProblemHttpResult Problem<T>(AccountResult<T> result) => result.Error switch
    {
        AccountError.NotAPerson => TypedResults.Problem("Only a person signed in with a password manages an account", statusCode: StatusCodes.Status400BadRequest),
        AccountError.AlreadyEnabled => TypedResults.Problem("Two-factor sign-in is already enabled", statusCode: StatusCodes.Status400BadRequest),
        AccountError.NotEnabled => TypedResults.Problem("Two-factor sign-in is not enabled", statusCode: StatusCodes.Status400BadRequest),
        AccountError.CodeMismatch => TypedResults.Problem("The code does not match the authenticator key", statusCode: StatusCodes.Status400BadRequest),
        AccountError.CodeMissing => TypedResults.Problem("Enter the code your authenticator app shows now", statusCode: StatusCodes.Status400BadRequest),
        AccountError.CodeMismatchOrUsed => TypedResults.Problem("The code does not match the authenticator key, or was used already", statusCode: StatusCodes.Status400BadRequest),
        AccountError.RequiredByRole => TypedResults.Problem("Your role requires two-factor sign-in", statusCode: StatusCodes.Status403Forbidden),
        _ => TypedResults.Problem(result.Description ?? "The new password was refused", statusCode: StatusCodes.Status400BadRequest),
    };
}

/// <summary>Sign-in bodies (the API's and the sign-in page's form) are tiny: anything larger is refused (413) before it is read.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SignInSizeLimit : Attribute, Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata
{
    public const long Bytes = 16 * 1024;

    public long? MaxRequestBodySize => Bytes;
}

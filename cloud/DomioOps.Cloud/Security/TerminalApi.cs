using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Security;

/// <summary><c>/api/terminal</c>: a shop-floor terminal signs in with its key; operators identify at it with badge or PIN.</summary>
internal static class TerminalApi
{
    internal sealed record TerminalSignIn(string Key);

    internal sealed record OperatorSignIn(string? Badge, string? UserName, string? Pin);

    public static IEndpointRouteBuilder MapTerminalApi(this IEndpointRouteBuilder app)
    {
        // Sign-in and operator identification record themselves; a terminal's sign-out or operator change of shift is not a change of data.
        var terminal = app.MapGroup("/api/terminal").WithTags("Terminal").WithMetadata(Audit.AuditsItself.Instance);
        terminal.MapPost("/sign-in", async Task<Results<NoContent, ProblemHttpResult>> (TerminalSignIn request, TerminalSession session, HttpContext http) =>
                await session.SignInAsync(http, request.Key)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem("Unknown or revoked terminal key", statusCode: StatusCodes.Status401Unauthorized))
            .AllowAnonymous().RequireRateLimiting(SecurityExtensions.SignInLimit).WithMetadata(new SignInSizeLimit());

        var own = terminal.MapGroup("/").RequireAuthorization(SecurityPolicies.Terminal);
        own.MapPost("/operator", async Task<Results<NoContent, ProblemHttpResult>> (OperatorSignIn request, TerminalSession session, TimeProvider time, HttpContext http) =>
            {
                var (outcome, lockedUntil) = await session.IdentifyOperatorAsync(http, request.Badge, request.UserName, request.Pin);
                if (lockedUntil is { } until)
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return outcome switch
                {
                    IdentifyOutcome.Identified => TypedResults.NoContent(),
                    IdentifyOutcome.LockedOut => TypedResults.Problem("Too many wrong PINs at this terminal: your PIN is locked here for a while", statusCode: StatusCodes.Status423Locked),
                    IdentifyOutcome.TerminalLocked => TypedResults.Problem("Too many failed sign-ins at this terminal: it refuses operators for a while", statusCode: StatusCodes.Status429TooManyRequests),
                    _ => TypedResults.Problem("Unknown badge, or wrong user name or PIN", statusCode: StatusCodes.Status401Unauthorized),
                };
            })
            .RequireRateLimiting(SecurityExtensions.SignInLimit).WithMetadata(new SignInSizeLimit());
        own.MapDelete("/operator", async (TerminalSession session, HttpContext http) =>
        {
            await session.ForgetOperatorAsync(http);
            return TypedResults.NoContent();
        });
        own.MapPost("/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(TerminalSession.Scheme);
            return TypedResults.NoContent();
        });
        return app;
    }
}

using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Security;

/// <summary>
/// <c>/api/security</c>, administrators only: users and their roles, API keys, terminals, operator badges and PINs. The
/// work is <see cref="PeopleAdministration"/>'s and <see cref="TerminalAdministration"/>'s, which the pages call too.
/// </summary>
internal static class SecurityAdminApi
{
    public static IEndpointRouteBuilder MapSecurityAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/security").WithTags("Security").RequireAuthorization(SecurityPolicies.Admin).WithMetadata(AuditsItself.Instance);
        admin.MapGet("/users", (PeopleAdministration people, CancellationToken ct) => people.AllAsync(ct));
        admin.MapPost("/users", CreateUserAsync);
        admin.MapPut("/users/{id}/roles", SetRolesAsync);
        admin.MapPost("/users/{id}/lock", LockAsync);
        admin.MapPost("/users/{id}/unlock", UnlockAsync);
        admin.MapPost("/users/{id}/api-keys", CreateApiKeyAsync);
        admin.MapGet("/api-keys", (PeopleAdministration people, CancellationToken ct) => people.ApiKeysAsync(ct));
        admin.MapDelete("/api-keys/{id}", RevokeApiKeyAsync);
        admin.MapPut("/users/{id}/operator-credential", SetOperatorCredentialAsync);
        admin.MapGet("/terminals", (TerminalAdministration terminals, CancellationToken ct) => terminals.AllAsync(ct));
        admin.MapPost("/terminals", CreateTerminalAsync);
        admin.MapDelete("/terminals/{id}", RevokeTerminalAsync);
        return app;
    }

    internal sealed record CreateUserRequest(string UserName, string? Email, string Password, string[] Roles);

    internal sealed record RolesRequest(string[] Roles);

    internal sealed record NameRequest(string Name);

    internal sealed record OperatorCredentialRequest(string? Badge, string? Pin);

    internal sealed record TerminalRequest(string Name, string WorkCentre);

    private static async Task<Results<Created<UserView>, ProblemHttpResult>> CreateUserAsync(CreateUserRequest request, PeopleAdministration people, HttpContext http)
    {
        var result = await people.CreateAsync(AuditActor.From(http), new NewPerson(request.UserName, request.Email, request.Password, request.Roles), http.RequestAborted);
        return result.Value is { } user ? TypedResults.Created($"/api/security/users/{user.Id}", user) : result.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<UserView>, NotFound, ProblemHttpResult>> SetRolesAsync(string id, RolesRequest request, PeopleAdministration people, HttpContext http)
    {
        var result = await people.SetRolesAsync(AuditActor.From(http), id, request.Roles, http.RequestAborted);
        if (result.Value is { } user)
        {
            return TypedResults.Ok(user);
        }

        return result.Failure!.Problem == AdminProblem.NotFound ? TypedResults.NotFound() : result.Failure.ToProblem();
    }

    private static async Task<Results<NoContent, NotFound>> LockAsync(string id, PeopleAdministration people, HttpContext http) =>
        (await people.LockAsync(AuditActor.From(http), id, http.RequestAborted)).Succeeded ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> UnlockAsync(string id, PeopleAdministration people, HttpContext http) =>
        (await people.UnlockAsync(AuditActor.From(http), id, http.RequestAborted)).Succeeded ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<Created<NewKey>, NotFound, ProblemHttpResult>> CreateApiKeyAsync(string id, NameRequest request, PeopleAdministration people, HttpContext http)
    {
        var result = await people.CreateApiKeyAsync(AuditActor.From(http), id, request.Name, http.RequestAborted);
        // The only time the secret is shown.
        if (result.Value is { } key)
        {
            return TypedResults.Created($"/api/security/api-keys/{key.Id}", key);
        }

        return result.Failure!.Problem == AdminProblem.NotFound ? TypedResults.NotFound() : result.Failure.ToProblem();
    }

    private static async Task<Results<NoContent, NotFound>> RevokeApiKeyAsync(string id, PeopleAdministration people, HttpContext http) =>
        (await people.RevokeApiKeyAsync(AuditActor.From(http), id, http.RequestAborted)).Succeeded ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> SetOperatorCredentialAsync(
        string id, OperatorCredentialRequest request, PeopleAdministration people, HttpContext http)
    {
        var result = await people.SetOperatorCredentialAsync(AuditActor.From(http), id, new OperatorCredentialChange(request.Badge, request.Pin), http.RequestAborted);
        if (result.Succeeded)
        {
            return TypedResults.NoContent();
        }

        return result.Failure!.Problem == AdminProblem.NotFound ? TypedResults.NotFound() : result.Failure.ToProblem();
    }

    private static async Task<Results<Created<NewKey>, ProblemHttpResult>> CreateTerminalAsync(TerminalRequest request, TerminalAdministration terminals, HttpContext http)
    {
        var result = await terminals.CreateAsync(AuditActor.From(http), request.Name, request.WorkCentre, http.RequestAborted);
        return result.Value is { } key ? TypedResults.Created($"/api/security/terminals/{key.Id}", key) : result.Failure!.ToProblem();
    }

    private static async Task<Results<NoContent, NotFound>> RevokeTerminalAsync(string id, TerminalAdministration terminals, HttpContext http) =>
        (await terminals.RevokeAsync(AuditActor.From(http), id, http.RequestAborted)).Succeeded ? TypedResults.NoContent() : TypedResults.NotFound();
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace DomioOps.Cloud.Security;

/// <summary>Why an administration change was refused; the API and the pages each say it in their own words.</summary>
internal enum AdminProblem
{
    /// <summary>No user, API key or terminal of that id.</summary>
    NotFound,
    Missing,
    TooLong,
    TooMany,
    UnknownRole,

    /// <summary>Identity refused it (<see cref="AdminFailure.IdentityErrors"/>: a taken or invalid user name, a weak password).</summary>
    Refused,
    PinFormat,
    WorkCentreFormat,

    /// <summary>The badge is someone else's.</summary>
    BadgeTaken,
}

/// <summary>
/// A refused change: the problem, the request field it is about (its JSON name, null when none), the API's message, and
/// Identity's error codes when Identity refused it.
/// </summary>
internal sealed record AdminFailure(AdminProblem Problem, string? Field, string Message, IReadOnlyList<string> IdentityErrors)
{
    public static AdminFailure NotFound { get; } = new(AdminProblem.NotFound, null, "Not found", []);

    public static AdminFailure From(FieldError error) => new(
        error.Fault switch
        {
            FieldFault.Missing => AdminProblem.Missing,
            FieldFault.TooMany => AdminProblem.TooMany,
            _ => AdminProblem.TooLong,
        },
        error.Field, error.Message, []);

    /// <summary>Identity's refusal, about the field its first error names (user name, e-mail or password).</summary>
    public static AdminFailure From(IdentityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string[] codes = [.. result.Errors.Select(e => e.Code)];
        var field = codes.FirstOrDefault() switch
        {
            { } code when code.Contains("UserName", StringComparison.Ordinal) => "userName",
            { } code when code.Contains("Email", StringComparison.Ordinal) => "email",
            { } code when code.StartsWith("Password", StringComparison.Ordinal) => "password",
            _ => null,
        };
        return new AdminFailure(AdminProblem.Refused, field, string.Join(" ", result.Errors.Select(e => e.Description)), codes);
    }

    /// <summary>The API's answer to a refusal other than <see cref="AdminProblem.NotFound"/>: 409 for a taken badge, else 400.</summary>
    public ProblemHttpResult ToProblem() =>
        TypedResults.Problem(Message, statusCode: Problem == AdminProblem.BadgeTaken ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
}

/// <summary>The outcome of an administration change: its value, or why it was refused.</summary>
internal readonly record struct AdminResult<T>(T? Value, AdminFailure? Failure)
{
    public bool Succeeded => Failure is null;

    public static implicit operator AdminResult<T>(T value) => new(value, null);

    public static implicit operator AdminResult<T>(AdminFailure failure) => new(default, failure);
}

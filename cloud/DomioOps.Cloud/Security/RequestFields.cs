using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Security;

/// <summary>Presence and length of the string fields of a request, checked before anything is looked up: a bad field is a 400 that names it, never a 500.</summary>
internal static class RequestFields
{
    /// <summary>A field: its JSON name, its value, whether it must be given, and its longest accepted length.</summary>
    public readonly record struct Field(string Name, string? Value, bool Required, int MaxLength);

    public static Field Required(string name, string? value, int maxLength) => new(name, value, true, maxLength);

    public static Field Optional(string name, string? value, int maxLength) => new(name, value, false, maxLength);

    public static ProblemHttpResult? Check(params ReadOnlySpan<Field> fields)
    {
        foreach (var field in fields)
        {
            if (field.Value is null ? field.Required : field.Value.Length > field.MaxLength)
            {
                return TypedResults.Problem(
                    field.Value is null ? $"{field.Name} is required" : $"{field.Name} is at most {field.MaxLength} characters",
                    statusCode: StatusCodes.Status400BadRequest);
            }
        }

        return null;
    }

    /// <summary>A list of short strings (e.g. roles): present, at most <paramref name="maxCount"/> entries, none null or longer than <paramref name="maxLength"/>.</summary>
    public static ProblemHttpResult? CheckList(string name, string[]? values, int maxCount, int maxLength) =>
        values is null ? TypedResults.Problem($"{name} is required", statusCode: StatusCodes.Status400BadRequest)
        : values.Length > maxCount ? TypedResults.Problem($"{name} has at most {maxCount} entries", statusCode: StatusCodes.Status400BadRequest)
        : values.Any(v => v is null || v.Length > maxLength) ? TypedResults.Problem($"every entry of {name} is a string of at most {maxLength} characters", statusCode: StatusCodes.Status400BadRequest)
        : null;
}

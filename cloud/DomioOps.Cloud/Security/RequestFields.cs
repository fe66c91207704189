using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Security;

/// <summary>Presence and length of the string fields of a request, checked before anything is looked up: a bad field is a 400 that names it, never a 500.</summary>
internal static class RequestFields
{
    /// <summary>A field: its JSON name, its value, whether it must be given, and its longest accepted length.</summary>
    public readonly record struct Field(string Name, string? Value, bool Required, int MaxLength);

    public static Field Required(string name, string? value, int maxLength) => new(name, value, true, maxLength);

    public static Field Optional(string name, string? value, int maxLength) => new(name, value, false, maxLength);

    public static ProblemHttpResult? Check(params ReadOnlySpan<Field> fields) => Problem(Find(fields));

    /// <summary>The first field that is missing or too long, and what is wrong with it; null when every field is fine.</summary>
    public static FieldError? Find(params ReadOnlySpan<Field> fields)
    {
        foreach (var field in fields)
        {
            if (field.Value is null ? field.Required : field.Value.Length > field.MaxLength)
            {
                return field.Value is null
                    ? new FieldError(field.Name, FieldFault.Missing, $"{field.Name} is required")
                    : new FieldError(field.Name, FieldFault.TooLong, $"{field.Name} is at most {field.MaxLength} characters");
            }
        }

        return null;
    }

    /// <summary>A list of short strings (e.g. roles): present, at most <paramref name="maxCount"/> entries, none null or longer than <paramref name="maxLength"/>.</summary>
    public static ProblemHttpResult? CheckList(string name, string[]? values, int maxCount, int maxLength) => Problem(FindInList(name, values, maxCount, maxLength));

    public static FieldError? FindInList(string name, string[]? values, int maxCount, int maxLength) =>
        values is null ? new FieldError(name, FieldFault.Missing, $"{name} is required")
        : values.Length > maxCount ? new FieldError(name, FieldFault.TooMany, $"{name} has at most {maxCount} entries")
        : values.Any(v => v is null || v.Length > maxLength) ? new FieldError(name, FieldFault.TooLong, $"every entry of {name} is a string of at most {maxLength} characters")
        : null;

    private static ProblemHttpResult? Problem(FieldError? error) =>
        error is { } e ? TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest) : null;
}

internal enum FieldFault
{
    Missing,
    TooLong,
    TooMany,
}

/// <summary>What is wrong with a field of a request: its JSON name, the fault, and the API's words for it.</summary>
internal readonly record struct FieldError(string Field, FieldFault Fault, string Message);

namespace DomioOps.Cloud.Office;

/// <summary>Text as the office's forms take it: trimmed, empty as null, a field too long or missing named with its limit.</summary>
internal static class DraftText
{
    public static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public static string? Text(string? value, string field, int maxLength, Dictionary<string, string[]> errors, bool required = false)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = Clean(value);
        if (text is null && required)
        {
            errors[field] = [$"{field} is required."];
        }
        else if (text?.Length > maxLength)
        {
            errors[field] = [$"{field} has at most {maxLength} characters; got {text.Length}."];
        }

        return text;
    }
}

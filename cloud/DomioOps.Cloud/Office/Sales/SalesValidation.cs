namespace DomioOps.Cloud.Office.Sales;

/// <summary>Text as the sales forms take it: trimmed, empty as null, each wrong field named.</summary>
internal static class SalesValidation
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

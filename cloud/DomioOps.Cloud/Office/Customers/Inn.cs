namespace DomioOps.Cloud.Office.Customers;

/// <summary>
/// The Russian taxpayer number (ИНН): 10 digits for an organisation, 12 for a person (and an individual entrepreneur),
/// the last digit (or two) a checksum. The public control-digit algorithm of the Federal Tax Service: each check digit is
/// the weighted sum of the digits before it, modulo 11, then modulo 10 (worked examples in InnTests).
/// </summary>
internal static class Inn
{
    private static readonly int[] Organisation = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    private static readonly int[] PersonFirst = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    private static readonly int[] PersonSecond = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

    /// <summary>The length an INN has for <paramref name="kind"/>.</summary>
    public static int LengthFor(CustomerKind kind) => kind == CustomerKind.Company ? 10 : 12;

    /// <summary>What is wrong with <paramref name="value"/> as the INN of a <paramref name="kind"/>, or null when it is valid.</summary>
    public static string? Problem(string value, CustomerKind kind)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = LengthFor(kind);
        if (!value.All(char.IsAsciiDigit))
        {
            return $"taxId (INN) must be digits only; got '{value}'.";
        }

        if (value.Length != length)
        {
            return kind == CustomerKind.Company
                ? $"taxId (INN) of a company has 10 digits; got {value.Length}."
                : $"taxId (INN) of a private person has 12 digits; got {value.Length}.";
        }

        return HasValidChecksum(value) ? null : $"taxId (INN) '{value}' fails its checksum: a digit is mistyped.";
    }

    /// <summary>Whether the check digits of a 10- or 12-digit INN are right.</summary>
    public static bool HasValidChecksum(ReadOnlySpan<char> digits) => digits.Length switch
    {
        10 => Check(digits, Organisation) == digits[9] - '0',
        12 => Check(digits, PersonFirst) == digits[10] - '0' && Check(digits, PersonSecond) == digits[11] - '0',
        _ => false,
    };

    private static int Check(ReadOnlySpan<char> digits, int[] weights)
    {
        var sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i] * (digits[i] - '0');
        }

        return sum % 11 % 10;
    }
}

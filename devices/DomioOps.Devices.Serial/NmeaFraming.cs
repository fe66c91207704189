using System.Globalization;

namespace DomioOps.Devices.Serial;

/// <summary>
/// The framing of an NMEA 0183 sentence, which vendors borrow for their ASCII status lines:
/// <c>$&lt;text&gt;*hh\r\n</c>, where hh is the XOR of the characters of &lt;text&gt; (between <c>$</c> and <c>*</c>)
/// as two hex digits (NMEA 0183, "checksum field").
/// </summary>
public static class NmeaFraming
{
    /// <summary>The XOR of the characters of <paramref name="text"/> (each taken as a byte).</summary>
    public static byte Checksum(ReadOnlySpan<char> text)
    {
        byte sum = 0;
        foreach (var c in text)
        {
            sum ^= (byte)c;
        }

        return sum;
    }

    /// <summary>The line for <paramref name="text"/>: <c>$</c>, the text, <c>*</c>, its checksum in upper-case hex, CR LF.</summary>
    public static string Frame(string text) => string.Create(CultureInfo.InvariantCulture, $"${text}*{Checksum(text):X2}\r\n");

    /// <summary>
    /// The text between <c>$</c> and the last <c>*</c> of <paramref name="line"/>, or null when the line has no such
    /// frame or the two hex digits after <c>*</c> are not the text's checksum. What follows the digits is ignored.
    /// </summary>
    public static string? Unframe(string line)
    {
        var start = line.IndexOf('$', StringComparison.Ordinal);
        var star = line.LastIndexOf('*');
        if (start < 0 || star < start || star + 3 > line.Length
            || !byte.TryParse(line.AsSpan(star + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var expected))
        {
            return null;
        }

        var text = line[(start + 1)..star];
        return Checksum(text) == expected ? text : null;
    }
}

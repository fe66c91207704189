using System.Globalization;
using System.Text.RegularExpressions;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Takes the configured fields out of one ASCII line: the value of a <c>KEY=value</c> pair, or a group of a regular
/// expression; text values go through the field's Values table, then must be numbers (invariant culture, '.' decimals).
/// </summary>
internal sealed class LineParser
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
    private readonly LineDeviceOptions device;
    private readonly Regex?[] patterns;

    public LineParser(LineDeviceOptions device)
    {
        this.device = device;
        patterns = [.. device.Fields.Select(f => f.Pattern is null ? null : new Regex(f.Pattern, RegexOptions.CultureInvariant, RegexTimeout))];
    }

    /// <summary>The line's text without its framing, or null when its checksum is wrong or missing.</summary>
    public string? Unframe(string line)
    {
        if (device.Checksum == LineChecksum.None)
        {
            return line;
        }

        // NMEA 0183: $<text>*<two hex digits>; the checksum is the XOR of the characters of <text>.
        var start = line.IndexOf('$', StringComparison.Ordinal);
        var star = line.LastIndexOf('*');
        if (start < 0 || star < start || star + 3 > line.Length
            || !byte.TryParse(line.AsSpan(star + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var expected))
        {
            return null;
        }

        var text = line[(start + 1)..star];
        var sum = 0;
        foreach (var c in text)
        {
            sum ^= c;
        }

        return sum == expected ? text : null;
    }

    /// <summary>The raw value of every field found in <paramref name="text"/> (an unframed line), by field index.</summary>
    public List<(int Field, double Raw)> Parse(string text)
    {
        var values = new List<(int, double)>();
        Dictionary<string, string>? pairs = null;
        for (var f = 0; f < device.Fields.Count; f++)
        {
            var field = device.Fields[f];
            string? found = null;
            if (field.Key is not null)
            {
                pairs ??= Pairs(text);
                found = pairs.GetValueOrDefault(field.Key);
            }
            else
            {
                try
                {
                    var match = patterns[f]!.Match(text);
                    if (match.Success)
                    {
                        var group = field.Group is null ? match.Groups[1] : match.Groups[field.Group];
                        found = group.Success ? group.Value : null;
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    found = null;
                }
            }

            if (found is not null && Number(field, found.Trim()) is { } raw)
            {
                values.Add((f, raw));
            }
        }

        return values;
    }

    private Dictionary<string, string> Pairs(string text)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in text.Split(device.PairSeparators.ToCharArray(), StringSplitOptions.RemoveEmptyEntries))
        {
            var at = token.IndexOf(device.KeyValueSeparator, StringComparison.Ordinal);
            if (at > 0)
            {
                pairs[token[..at]] = token[(at + 1)..];
            }
        }

        return pairs;
    }

    private static double? Number(LineFieldOptions field, string text) =>
        field.Values.TryGetValue(text, out var mapped) ? mapped
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number
        : null;
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace DomioOps.Devices.Serial;

/// <summary>
/// Takes the fields out of one ASCII line: the value of a <c>KEY=value</c> pair, or a group of a regular expression;
/// text values go through the field's Values table, then must be numbers (invariant culture, '.' decimals).
/// </summary>
public sealed class LineParser
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
    private readonly LineFormat _format;
    private readonly IReadOnlyList<LineField> _fields;
    private readonly Regex?[] _patterns;

    public LineParser(LineFormat format, IReadOnlyList<LineField> fields)
    {
        (this._format, this._fields) = (format, fields);
        _patterns = [.. fields.Select(f => f.Pattern is null ? null : new Regex(f.Pattern, RegexOptions.CultureInvariant, RegexTimeout))];
    }

    /// <summary>The line's text without its framing, or null when its checksum is wrong or missing.</summary>
    public string? Unframe(string line) => _format.Checksum == LineChecksum.None ? line : NmeaFraming.Unframe(line);

    /// <summary>The raw value of every field found in <paramref name="text"/> (an unframed line), by field index.</summary>
    public List<(int Field, double Raw)> Parse(string text)
    {
        var values = new List<(int, double)>();
        Dictionary<string, string>? pairs = null;
        for (var f = 0; f < _fields.Count; f++)
        {
            var field = _fields[f];
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
                    var match = _patterns[f]!.Match(text);
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
        foreach (var token in text.Split(_format.PairSeparators.ToCharArray(), StringSplitOptions.RemoveEmptyEntries))
        {
            var at = token.IndexOf(_format.KeyValueSeparator, StringComparison.Ordinal);
            if (at > 0)
            {
                pairs[token[..at]] = token[(at + 1)..];
            }
        }

        return pairs;
    }

    private static double? Number(LineField field, string text) =>
        field.Values.TryGetValue(text, out var mapped) ? mapped
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number
        : null;
}

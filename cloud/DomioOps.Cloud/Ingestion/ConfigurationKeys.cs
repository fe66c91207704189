using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// A remote device configuration as the edge's configuration sees it: one row per value under its configuration key
/// (<c>Devices:ModbusTcp:0:Port</c>, relative to the edge's <c>Edge</c> section, the way <see cref="DeviceSecrets"/> names
/// them), each with the errors that name that key, so an error is read next to the value it is about. The edge names
/// keys in its errors as <c>{where}: Edge:Devices:ModbusTcp:0:Port: {problem}</c>; keys compare without case, as in
/// .NET configuration.
/// </summary>
internal static partial class ConfigurationKeys
{
    /// <summary>
    /// The rows of <paramref name="configuration"/> in document order, with <paramref name="errors"/> placed at their keys.
    /// An error naming a key the configuration lacks gets a row of its own (no value) after its nearest relative; an
    /// error naming no key is left in <see cref="ConfigurationKeyList.Unplaced"/>. Secrets read as <see cref="DeviceSecrets.Mask"/>.
    /// </summary>
    public static ConfigurationKeyList Place(JsonNode? configuration, IEnumerable<ConfigurationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var rows = new List<Row>();
        Flatten(configuration, "", rows);
        var unplaced = new List<string>();
        foreach (var error in errors)
        {
            if (string.IsNullOrEmpty(error.Key))
            {
                unplaced.Add(error.Message);
                continue;
            }

            var row = rows.Find(r => string.Equals(r.Key, error.Key, StringComparison.OrdinalIgnoreCase));
            if (row is null)
            {
                row = new Row(error.Key, null, Present: false);
                rows.Insert(InsertionPoint(rows, error.Key), row);
            }

            row.Errors.Add(error.Message);
        }

        return new ConfigurationKeyList([.. rows.Select(r => new ConfigurationKeyRow(r.Key, r.Value, r.Present, r.Errors))], unplaced);
    }

    /// <summary>
    /// An error the edge reported: its key relative to <c>Edge</c> (null when it names none, as "remote configuration is
    /// off" does) and the problem without the file or source it came from.
    /// </summary>
    public static ConfigurationError FromEdge(string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var match = EdgeKey().Match(error);
        return match.Success ? new ConfigurationError(match.Groups["key"].Value, match.Groups["problem"].Value) : new ConfigurationError(null, error);
    }

    /// <summary>After the last row under the longest ancestor of <paramref name="key"/> that has rows; at the end when none has.</summary>
    private static int InsertionPoint(List<Row> rows, string key)
    {
        for (var ancestor = Parent(key); ancestor is not null; ancestor = Parent(ancestor))
        {
            var last = rows.FindLastIndex(r => r.Key.StartsWith(ancestor + ":", StringComparison.OrdinalIgnoreCase));
            if (last >= 0)
            {
                return last + 1;
            }
        }

        return rows.Count;
    }

    private static string? Parent(string key) => key.LastIndexOf(':') is var colon and > 0 ? key[..colon] : null;

    private static void Flatten(JsonNode? node, string path, List<Row> rows)
    {
        switch (node)
        {
            case JsonObject { Count: > 0 } o:
                foreach (var (name, child) in o)
                {
                    var childPath = path.Length == 0 ? name : $"{path}:{name}";
                    if (DeviceSecrets.IsSecret(name) && child is JsonValue)
                    {
                        rows.Add(new Row(childPath, DeviceSecrets.Mask));
                    }
                    else
                    {
                        Flatten(child, childPath, rows);
                    }
                }

                break;
            case JsonArray { Count: > 0 } a:
                for (var i = 0; i < a.Count; i++)
                {
                    Flatten(a[i], string.Create(CultureInfo.InvariantCulture, $"{path}:{i}"), rows);
                }

                break;
            case JsonObject or JsonArray when path.Length > 0:
                rows.Add(new Row(path, node.ToJsonString()));
                break;
            case JsonValue value when path.Length > 0:
                rows.Add(new Row(path, value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()));
                break;
            case null when path.Length > 0:
                rows.Add(new Row(path, "null"));
                break;
        }
    }

    [GeneratedRegex(@"(?:^|: )Edge:(?<key>[A-Za-z0-9_]+(?::[A-Za-z0-9_]+)*): (?<problem>.+)$", RegexOptions.Singleline)]
    private static partial Regex EdgeKey();

    private sealed record Row(string Key, string? Value, bool Present = true)
    {
        public List<string> Errors { get; } = [];
    }
}

/// <summary>An error about a configuration, at its <paramref name="Key"/> (relative to <c>Edge</c>; null when it names none).</summary>
internal sealed record ConfigurationError(string? Key, string Message);

/// <summary>A configuration key, its value (null where the configuration lacks the key an error names) and the errors at it.</summary>
internal sealed record ConfigurationKeyRow(string Key, string? Value, bool Present, IReadOnlyList<string> Errors);

/// <summary>The rows of a configuration with their errors, and the errors that name no key.</summary>
internal sealed record ConfigurationKeyList(IReadOnlyList<ConfigurationKeyRow> Rows, IReadOnlyList<string> Unplaced);

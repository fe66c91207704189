using System.Text.Json;
using System.Text.Json.Nodes;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Passwords inside an edge's remote device configuration (e.g. <c>Devices:OpcUa:0:Password</c>) never leave the cloud
/// through the API: they read as <see cref="Mask"/>. A configuration sent back with the mask keeps the stored password,
/// provided the device at that place is still the same device (same <c>Machine</c> and <c>EndpointUrl</c>).
/// </summary>
internal static class DeviceSecrets
{
    public const string Mask = "********";

    private static readonly string[] Identity = ["Machine", "EndpointUrl", "Host", "SerialPort"];

    /// <summary><paramref name="devicesJson"/> with every secret replaced by <see cref="Mask"/>.</summary>
    public static JsonNode? Redact(string devicesJson)
    {
        var root = JsonNode.Parse(devicesJson);
        Walk(root, "", (parent, name, _) => parent[name] = Mask);
        return root;
    }

    /// <summary>
    /// <paramref name="incoming"/> with each <see cref="Mask"/> put back to the secret stored at the same key of
    /// <paramref name="storedJson"/>; the keys it could not restore (no stored secret, or another device there now).
    /// </summary>
    public static (string Json, IReadOnlyList<string> Unresolved) Restore(JsonElement incoming, string? storedJson)
    {
        var root = JsonNode.Parse(incoming.GetRawText());
        var stored = storedJson is null ? null : JsonNode.Parse(storedJson);
        var unresolved = new List<string>();
        Walk(root, "", (parent, name, path) =>
        {
            if (parent[name]?.GetValueKind() != JsonValueKind.String || parent[name]!.GetValue<string>() != Mask)
            {
                return;
            }

            var previous = Find(stored, path[..path.LastIndexOf(':')]) as JsonObject;
            if (previous?[name] is JsonValue secret && Identity.All(key => JsonNode.DeepEquals(previous[key], parent[key])))
            {
                parent[name] = secret.DeepClone();
            }
            else
            {
                unresolved.Add(path);
            }
        });
        return (root?.ToJsonString() ?? "null", unresolved);
    }

    public static bool IsSecret(string name) => name.EndsWith("Password", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Secret", StringComparison.OrdinalIgnoreCase);

    /// <summary>Calls <paramref name="found"/> for every secret property, with its configuration key (<c>Devices:OpcUa:0:Password</c>).</summary>
    private static void Walk(JsonNode? node, string path, Action<JsonObject, string, string> found)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    var childPath = path.Length == 0 ? name : $"{path}:{name}";
                    if (IsSecret(name) && child is JsonValue)
                    {
                        found(o, name, childPath);
                    }
                    else
                    {
                        Walk(child, childPath, found);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    Walk(a[i], $"{path}:{i}", found);
                }

                break;
        }
    }

    private static JsonNode? Find(JsonNode? node, string path)
    {
        foreach (var part in path.Split(':'))
        {
            node = node switch
            {
                JsonObject o => o.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase)).Value,
                JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
        }

        return node;
    }
}

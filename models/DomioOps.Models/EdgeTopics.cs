namespace DomioOps.Models;

/// <summary>
/// The MQTT topic scheme between edges and the cloud: <c>domio/v1/{site}/{edge}/{kind}</c>, where kind is
/// <c>telemetry</c>, <c>status</c> or <c>cmd/…</c>. Site and edge ids are restricted to characters that are
/// safe in a topic level and in a file name.
/// </summary>
public static class EdgeTopics
{
    public const string Prefix = "domio/v1/";
    public const string TelemetryKind = "telemetry";
    public const string StatusKind = "status";
    public const string CommandKind = "cmd";
    public const string AcknowledgementKind = "cmd/ack";
    public const string ConfigurationKind = "cmd/config";

    public static string Telemetry(string site, string edge) => $"{Prefix}{site}/{edge}/{TelemetryKind}";

    public static string Status(string site, string edge) => $"{Prefix}{site}/{edge}/{StatusKind}";

    public static string Commands(string site, string edge) => $"{Prefix}{site}/{edge}/{CommandKind}/#";

    /// <summary>Where the cloud acknowledges committed telemetry (<c>TelemetryAck</c>).</summary>
    public static string Acknowledgement(string site, string edge) => $"{Prefix}{site}/{edge}/{AcknowledgementKind}";

    /// <summary>Where the cloud keeps the edge's desired configuration, retained (<c>EdgeConfiguration</c>).</summary>
    public static string Configuration(string site, string edge) => $"{Prefix}{site}/{edge}/{ConfigurationKind}";

    /// <summary>The filter the cloud subscribes to for every edge's telemetry.</summary>
    public const string AllTelemetry = Prefix + "+/+/" + TelemetryKind;

    /// <summary>Splits <c>domio/v1/{site}/{edge}/{kind}</c>; false for any other shape.</summary>
    public static bool TryParse(string topic, out string site, out string edge, out string kind)
    {
        ArgumentNullException.ThrowIfNull(topic);
        site = edge = kind = "";
        if (!topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = topic[Prefix.Length..].Split('/');
        if (parts.Length < 3 || !IsValidId(parts[0]) || !IsValidId(parts[1]))
        {
            return false;
        }

        (site, edge, kind) = (parts[0], parts[1], string.Join('/', parts[2..]));
        return true;
    }

    /// <summary>A site, edge or machine id: 1–64 of <c>[A-Za-z0-9_.-]</c>, not starting with a dot.</summary>
    public static bool IsValidId(string id) =>
        id is { Length: > 0 and <= 64 } && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

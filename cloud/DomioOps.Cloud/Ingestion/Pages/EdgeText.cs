using System.Globalization;

using DomioOps.Cloud.Resources;

using Microsoft.Extensions.Localization;

namespace DomioOps.Cloud.Ingestion.Pages;

/// <summary>The edges pages' figures in the reader's language and culture.</summary>
internal static class EdgeText
{
    /// <summary>A moment in the culture's short form, in the server's time zone (the plant's); "never" when there was none.</summary>
    public static string When(DateTimeOffset? at, IStringLocalizer<Ui> T) =>
        at is { } moment ? moment.ToLocalTime().ToString("g", CultureInfo.CurrentCulture) : T["Edges.Never"].Value;

    /// <summary>The applied, desired and refused configuration versions; a dash for none.</summary>
    public static string Versions(EdgeSnapshot status, IStringLocalizer<Ui> T) =>
        T["Edges.VersionsValue", Version(status.AppliedConfigVersion), Version(status.DesiredConfigVersion), Version(status.RejectedConfigVersion)].Value;

    public static string Version(ulong version) => version == 0 ? "—" : version.ToString("N0", CultureInfo.CurrentCulture);
}

using System.Globalization;

using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Security;

using Npgsql;

namespace DomioOps.Cloud.Tests.Office.Quotes;

/// <summary>
/// The real host on real PostgreSQL for projects and quotes, with a small shop whose standard times the tests price by
/// hand: a panel saw (10 min set-up, 30 s a piece), an edgebander (15 min, 60 s) and a CNC router (5 min, 120 s).
/// </summary>
public sealed class QuotesCloud : SecureCloud
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        .. Centre(0, "saw", "Раскрой", "PanelSaw", "saw-01", "10", "30"),
        .. Centre(1, "edging", "Кромление", "Edgebander", "edgebander-01", "15", "60"),
        .. Centre(2, "cnc", "Присадка ЧПУ", "CncRouter", "cnc-01", "5", "120"),
    ];

    internal async Task<HttpClient> OfficeClientAsync(CancellationToken ct)
    {
        using var admin = await AdminAsync(ct);
        return (await ApiKeyClientAsync(admin, DomioRoles.Office, ct)).Client;
    }

    /// <summary>One number from the database (a count), for what the API does not show.</summary>
    internal async Task<long> ScalarAsync(string sql, long id, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = id });
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static IEnumerable<KeyValuePair<string, string>> Centre(int index, string id, string name, string kind, string machine, string setup, string cycle) =>
    [
        new($"Production:WorkCentres:{index}:Id", id),
        new($"Production:WorkCentres:{index}:Name", name),
        new($"Production:WorkCentres:{index}:Kind", kind),
        new($"Production:WorkCentres:{index}:Machines:0", machine),
        new($"Production:WorkCentres:{index}:SetupMinutes", setup),
        new($"Production:WorkCentres:{index}:CycleSeconds", cycle),
    ];
}

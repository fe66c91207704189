using System.Globalization;

using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Security;

using Npgsql;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>The real host on real PostgreSQL, for the office: clients of the office and planner roles, and the audit trail read under the application.</summary>
public sealed class OfficeCloud : SecureCloud
{
    /// <summary>A client with an API key of a new person in the office role.</summary>
    internal async Task<HttpClient> OfficeClientAsync(CancellationToken ct) => await RoleClientAsync(DomioRoles.Office, ct);

    internal async Task<HttpClient> RoleClientAsync(string role, CancellationToken ct)
    {
        using var admin = await AdminAsync(ct);
        return (await ApiKeyClientAsync(admin, role, ct)).Client;
    }

    /// <summary>The audit rows about one entity, oldest first: action and the JSON after (or before, for a deletion).</summary>
    internal async Task<IReadOnlyList<(string Action, string? Before, string? After)>> AuditAsync(string entityType, long id, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT action, before::text, after::text FROM domio_audit WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq", connection);
        command.Parameters.Add(new() { Value = entityType });
        command.Parameters.Add(new() { Value = id.ToString(CultureInfo.InvariantCulture) });
        var rows = new List<(string, string?, string?)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return rows;
    }

    /// <summary>How many rows a table has whose text columns contain <paramref name="marker"/> (customers: their notes; contacts: theirs).</summary>
    internal async Task<long> CountAsync(string table, string marker, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""SELECT count(*) FROM {table} WHERE "Notes" LIKE '%' || $1 || '%'""", connection);
        command.Parameters.Add(new() { Value = marker });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

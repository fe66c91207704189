using System.Globalization;

using DomioOps.Cloud.Security;
using DomioOps.Cloud.Tests.Production;

using Npgsql;

namespace DomioOps.Cloud.Tests.Office.Materials;

/// <summary>The real host on real PostgreSQL with a small shop (to route production orders), for the office's materials and purchasing.</summary>
public sealed class MaterialsCloud : ProductionCloud
{
    internal async Task<HttpClient> OfficeClientAsync(CancellationToken ct)
    {
        using var admin = await AdminAsync(ct);
        return (await ApiKeyClientAsync(admin, DomioRoles.Office, ct)).Client;
    }

    internal async Task<HttpClient> PlannerClientAsync(CancellationToken ct)
    {
        using var admin = await AdminAsync(ct);
        return (await ApiKeyClientAsync(admin, DomioRoles.Planner, ct)).Client;
    }

    /// <summary>The audit actions about one entity, oldest first.</summary>
    internal async Task<IReadOnlyList<string>> AuditAsync(string entityType, long id, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT action FROM domio_audit WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq", connection);
        command.Parameters.Add(new() { Value = entityType });
        command.Parameters.Add(new() { Value = id.ToString(CultureInfo.InvariantCulture) });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>The ledger of a material: (kind, quantity) oldest first.</summary>
    internal async Task<IReadOnlyList<(short Kind, decimal Quantity)>> MovementsAsync(long materialId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""SELECT "Kind", "Quantity" FROM office_material_movements WHERE "MaterialId" = $1 ORDER BY "Id" """, connection);
        command.Parameters.Add(new() { Value = materialId });
        var rows = new List<(short, decimal)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetInt16(0), reader.GetDecimal(1)));
        }

        return rows;
    }

    /// <summary>Marks a production order done, as the shop floor does when its last operation finishes.</summary>
    internal async Task CompleteAsync(long orderId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""UPDATE production_orders SET "CompletedAt" = now() WHERE "Id" = $1""", connection);
        command.Parameters.Add(new() { Value = orderId });
        await command.ExecuteNonQueryAsync(ct);
    }
}

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Production;

using Npgsql;

namespace DomioOps.Cloud.Office.Materials;

internal sealed partial class MaterialStock
{
    /// <summary>An advisory lock class for reservations (the migration's number): one reservation of an order at a time.</summary>
    private const int ReservationLock = 20;

    /// <summary>
    /// Makes what production order <paramref name="orderId"/> holds reserved equal to what its cut list needs now (nothing
    /// when the order is done, or when <paramref name="release"/>): each difference is one reservation or release
    /// movement. Calling it again changes nothing. Null when there is no such order.
    /// </summary>
    public async Task<Reservation?> ReserveAsync(AuditActor actor, string who, long orderId, bool release, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockOrder = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, $2)", connection, transaction))
        {
            lockOrder.Parameters.Add(new() { Value = ReservationLock });
            lockOrder.Parameters.Add(new() { Value = unchecked((int)orderId) });
            await lockOrder.ExecuteNonQueryAsync(ct);
        }

        string number;
        bool done;
        await using (var order = new NpgsqlCommand("""SELECT "Number", "CompletedAt" IS NOT NULL FROM production_orders WHERE "Id" = $1""", connection, transaction))
        {
            order.Parameters.Add(new() { Value = orderId });
            await using var reader = await order.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            (number, done) = (reader.GetString(0), reader.GetBoolean(1));
        }

        var catalogue = await CatalogueAsync(connection, transaction, ct);
        var (needs, unknown) = MaterialNeeds.Of(await PartsAsync(connection, transaction, orderId, ct), catalogue);
        var warehouseId = await MainWarehouseAsync(connection, transaction, ct);
        var held = await HeldAsync(connection, transaction, orderId, ct);
        var target = release || done ? [] : needs.ToDictionary(n => (n.Key, warehouseId), n => n.Value);
        var now = time.GetUtcNow();
        var changed = 0;
        foreach (var key in held.Keys.Union(target.Keys).Order())
        {
            var delta = target.GetValueOrDefault(key) - held.GetValueOrDefault(key);
            if (delta == 0)
            {
                continue;
            }

            await LockAsync(connection, transaction, key.Item1, key.Item2, ct);
            await ApplyAsync(connection, transaction, new(key.Item1, key.Item2, delta > 0 ? MovementKind.Reservation : MovementKind.Release, delta, orderId, null, number),
                now, who, ct);
            await using var hold = new NpgsqlCommand(target.TryGetValue(key, out var quantity)
                ? """
                  INSERT INTO office_material_reservations ("ProductionOrderId", "MaterialId", "WarehouseId", "Quantity") VALUES ($1, $2, $3, $4)
                  ON CONFLICT ("ProductionOrderId", "MaterialId", "WarehouseId") DO UPDATE SET "Quantity" = $4
                  """
                : """DELETE FROM office_material_reservations WHERE "ProductionOrderId" = $1 AND "MaterialId" = $2 AND "WarehouseId" = $3""", connection, transaction);
            hold.Parameters.Add(new() { Value = orderId });
            hold.Parameters.Add(new() { Value = key.Item1 });
            hold.Parameters.Add(new() { Value = key.Item2 });
            if (target.ContainsKey(key))
            {
                hold.Parameters.Add(new() { Value = quantity });
            }

            await hold.ExecuteNonQueryAsync(ct);
            changed++;
        }

        await transaction.CommitAsync(ct);
        if (changed > 0)
        {
            await audit.AppendAsync(actor, target.Count == 0 ? "office.materials.released" : "office.materials.reserved", "office-reservation", Key(orderId),
                new { materials = held.Count }, new { materials = target.Count, changed, unknown = unknown.Count, done }, ct);
        }

        return Answer(orderId, number, target.Count == 0, target, catalogue, unknown);
    }

    /// <summary>What production order <paramref name="orderId"/> holds reserved now, and its cut list's unknown materials; null when there is no such order.</summary>
    public async Task<Reservation?> ReservationAsync(long orderId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var order = new NpgsqlCommand("""SELECT "Number" FROM production_orders WHERE "Id" = $1""", connection, transaction);
        order.Parameters.Add(new() { Value = orderId });
        if (await order.ExecuteScalarAsync(ct) is not string number)
        {
            return null;
        }

        var catalogue = await CatalogueAsync(connection, transaction, ct);
        var (_, unknown) = MaterialNeeds.Of(await PartsAsync(connection, transaction, orderId, ct), catalogue);
        var held = await HeldAsync(connection, transaction, orderId, ct);
        return Answer(orderId, number, held.Count == 0, held, catalogue, unknown);
    }

    private static Reservation Answer(long orderId, string number, bool released, Dictionary<(long, long), decimal> held, IReadOnlyList<Material> catalogue,
        IReadOnlyList<UnknownMaterial> unknown)
    {
        var byId = catalogue.ToDictionary(m => m.Id);
        return new(orderId, number, released,
            [.. held.Select(h => (Material: byId[h.Key.Item1], Warehouse: h.Key.Item2, Quantity: h.Value)).OrderBy(h => h.Material.Kind).ThenBy(h => h.Material.Name, StringComparer.CurrentCulture)
                .Select(h => new ReservedMaterial(h.Material.Id, h.Material.Kind, h.Material.Name, h.Material.Unit, h.Warehouse, h.Quantity))],
            unknown);
    }

    private static async Task<IReadOnlyList<Material>> CatalogueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""SELECT {MaterialColumns} FROM office_materials m""", connection, transaction);
        return await ReadAllAsync(command, ReadMaterial, ct);
    }

    private static async Task<List<Part>> PartsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long orderId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "Line", "Name", "Material", "Thickness", "Length", "Width", "Quantity", "EdgeL1", "EdgeL2", "EdgeW1", "EdgeW2"
            FROM production_parts WHERE "OrderId" = $1 ORDER BY "Line", "Id"
            """, connection, transaction);
        command.Parameters.Add(new() { Value = orderId });
        return await ReadAllAsync(command, r => new Part
        {
            Line = r.GetInt32(0),
            Name = r.GetString(1),
            Material = r.GetString(2),
            Thickness = r.GetDecimal(3),
            Length = r.GetDecimal(4),
            Width = r.GetDecimal(5),
            Quantity = r.GetInt32(6),
            EdgeL1 = Text(r, 7),
            EdgeL2 = Text(r, 8),
            EdgeW1 = Text(r, 9),
            EdgeW2 = Text(r, 10),
        }, ct);
    }

    private static async Task<Dictionary<(long, long), decimal>> HeldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long orderId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT "MaterialId", "WarehouseId", "Quantity" FROM office_material_reservations WHERE "ProductionOrderId" = $1
            """, connection, transaction);
        command.Parameters.Add(new() { Value = orderId });
        return (await ReadAllAsync(command, r => (Key: (r.GetInt64(0), r.GetInt64(1)), Quantity: r.GetDecimal(2)), ct)).ToDictionary(r => r.Key, r => r.Quantity);
    }

    private static async Task<long> MainWarehouseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""SELECT "Id" FROM office_warehouses ORDER BY "Code" = 'main' DESC, "Id" LIMIT 1""", connection, transaction);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

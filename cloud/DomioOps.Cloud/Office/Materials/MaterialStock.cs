using System.Globalization;

using DomioOps.Cloud.Audit;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Materials;

/// <summary>
/// The materials catalogue and the stock of each material in each warehouse (<c>office_materials</c>,
/// <c>office_material_stock</c>), kept with its ledger (<c>office_material_movements</c>): every change of on-hand or
/// reserved is a movement row written in the same transaction as the change. Every change is audited.
/// </summary>
internal sealed partial class MaterialStock(NpgsqlDataSource dataSource, AuditTrail audit, TimeProvider time)
{
    /// <summary>The largest quantity of one movement or line: the ledger's numeric(14,3) with room to add up.</summary>
    public const decimal MaxQuantity = 1_000_000_000m;

    private const string MaterialColumns = """
        m."Id", m."Kind", m."Name", m."Article", m."Unit", m."Thickness", m."SheetLength", m."SheetWidth", m."WasteFactor", m."TapeWidth"
        """;

    public async Task<IReadOnlyList<Material>> MaterialsAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""SELECT {MaterialColumns} FROM office_materials m ORDER BY m."Kind", lower(m."Name"), m."Thickness", m."Id" """);
        return await ReadAllAsync(command, ReadMaterial, ct);
    }

    public async Task<IReadOnlyList<Warehouse>> WarehousesAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT "Id", "Code", "Name", "NameEn" FROM office_warehouses ORDER BY "Id" """);
        return await ReadAllAsync(command, r => new Warehouse(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)), ct);
    }

    /// <summary>Every material in every warehouse (or in <paramref name="warehouseId"/>), with no stock row counted as zero.</summary>
    public async Task<IReadOnlyList<StockRow>> StockAsync(long? warehouseId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT m."Id", m."Kind", m."Name", m."Article", m."Unit", m."Thickness", w."Id", CASE WHEN $2 THEN w."Name" ELSE w."NameEn" END,
                COALESCE(s."OnHand", 0), COALESCE(s."Reserved", 0), COALESCE(s."Minimum", 0), s."ReorderQuantity"
            FROM office_materials m CROSS JOIN office_warehouses w
            LEFT JOIN office_material_stock s ON s."MaterialId" = m."Id" AND s."WarehouseId" = w."Id"
            WHERE $1::bigint IS NULL OR w."Id" = $1
            ORDER BY w."Id", m."Kind", lower(m."Name"), m."Thickness", m."Id"
            """);
        command.Parameters.Add(new() { Value = (object?)warehouseId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = Russian() });
        return await ReadAllAsync(command, r => new StockRow(r.GetInt64(0), (MaterialKind)r.GetInt16(1), r.GetString(2), Text(r, 3), (MaterialUnit)r.GetInt16(4),
            r.IsDBNull(5) ? null : r.GetDecimal(5), r.GetInt64(6), r.GetString(7), r.GetDecimal(8), r.GetDecimal(9), r.GetDecimal(10),
            r.IsDBNull(11) ? null : r.GetDecimal(11)), ct);
    }

    /// <summary>
    /// What to buy, from the stock as it is now: for each material whose available stock is below its minimum, the
    /// shortfall (minimum − available), or its reorder quantity when that is set and larger.
    /// </summary>
    public async Task<IReadOnlyList<PurchaseSuggestion>> SuggestionsAsync(long? warehouseId, CancellationToken ct) =>
        [.. (await StockAsync(warehouseId, ct)).Where(s => s.BelowMinimum).Select(s => new PurchaseSuggestion(s.MaterialId, s.Name, s.Unit, s.WarehouseId, s.Warehouse,
            s.Available, s.Minimum, Math.Max(s.Minimum - s.Available, s.ReorderQuantity ?? 0)))];

    public async Task<IReadOnlyList<Movement>> MovementsAsync(long materialId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Id", "MaterialId", "WarehouseId", "Kind", "Quantity", "ProductionOrderId", "PurchaseOrderId", "Note", "At", "By"
            FROM office_material_movements WHERE "MaterialId" = $1 ORDER BY "Id" DESC LIMIT 1000
            """);
        command.Parameters.Add(new() { Value = materialId });
        return await ReadAllAsync(command, r => new Movement(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (MovementKind)r.GetInt16(3), r.GetDecimal(4),
            r.IsDBNull(5) ? null : r.GetInt64(5), r.IsDBNull(6) ? null : r.GetInt64(6), Text(r, 7), r.GetFieldValue<DateTimeOffset>(8), r.GetString(9)), ct);
    }

    public async Task<OfficeChange<Material>> CreateMaterialAsync(AuditActor actor, MaterialDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (MaterialValidation.Check(draft, errors) is not { } m)
        {
            return OfficeChange<Material>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO office_materials AS m ("Kind", "Name", "Article", "Unit", "Thickness", "SheetLength", "SheetWidth", "WasteFactor", "TapeWidth", "CreatedAt", "UpdatedAt")
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT DO NOTHING RETURNING {MaterialColumns}
            """);
        command.Parameters.Add(new() { Value = (short)m.Kind });
        command.Parameters.Add(new() { Value = m.Name });
        command.Parameters.Add(new() { Value = (object?)m.Article ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = (short)m.Unit });
        foreach (var size in new[] { m.Thickness, m.SheetLength, m.SheetWidth })
        {
            command.Parameters.Add(new() { Value = (object?)size ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        }

        command.Parameters.Add(new() { Value = m.WasteFactor });
        command.Parameters.Add(new() { Value = (object?)m.TapeWidth ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        command.Parameters.Add(new() { Value = now });
        var created = (await ReadAllAsync(command, ReadMaterial, ct)).SingleOrDefault();
        if (created is null)
        {
            errors["name"] = [m.Kind == MaterialKind.Sheet
                ? $"The catalogue has a sheet material '{m.Name}' of {m.Thickness} mm already: cut lists would not know which is meant."
                : $"The catalogue has a {Kind(m.Kind)} '{m.Name}' already."];
            return OfficeChange<Material>.Invalid(errors);
        }

        await audit.AppendAsync(actor, "office.material.created", "office-material", Key(created.Id), null,
            new { kind = Kind(created.Kind), unit = created.Unit, fields = MaterialValidation.Filled(draft) }, ct);
        return new(created);
    }

    /// <summary>Sets the minimum (and reorder quantity) of a material in a warehouse; missing when either is unknown.</summary>
    public async Task<OfficeChange<StockRow>> SetMinimumAsync(AuditActor actor, long materialId, MinimumDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var warehouseId = draft.WarehouseId ?? await MainWarehouseAsync(ct);
        MaterialValidation.Quantity(draft.Minimum, "minimum", errors, required: true, zero: true);
        MaterialValidation.Quantity(draft.ReorderQuantity, "reorderQuantity", errors, required: false, zero: false);
        if (errors.Count > 0)
        {
            return OfficeChange<StockRow>.Invalid(errors);
        }

        await using var command = dataSource.CreateCommand("""
            INSERT INTO office_material_stock ("MaterialId", "WarehouseId", "Minimum", "ReorderQuantity")
            SELECT m."Id", w."Id", $3, $4 FROM office_materials m, office_warehouses w WHERE m."Id" = $1 AND w."Id" = $2
            ON CONFLICT ("MaterialId", "WarehouseId") DO UPDATE SET "Minimum" = $3, "ReorderQuantity" = $4
            RETURNING (SELECT "Minimum" FROM office_material_stock WHERE "MaterialId" = $1 AND "WarehouseId" = $2)
            """);
        command.Parameters.Add(new() { Value = materialId });
        command.Parameters.Add(new() { Value = warehouseId });
        command.Parameters.Add(new() { Value = MaterialNeeds.Round(draft.Minimum!.Value) });
        command.Parameters.Add(new() { Value = draft.ReorderQuantity is { } r ? MaterialNeeds.Round(r) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        object? before;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return OfficeChange<StockRow>.Missing;
            }

            before = reader.IsDBNull(0) ? null : reader.GetDecimal(0);
        }

        await audit.AppendAsync(actor, "office.material.minimum-set", "office-material", Key(materialId), new { minimum = before },
            new { warehouseId, minimum = draft.Minimum, draft.ReorderQuantity }, ct);
        return new((await StockAsync(warehouseId, ct)).Single(s => s.MaterialId == materialId));
    }

    /// <summary>A receipt, issue or adjustment typed by a person; an issue or adjustment below zero on hand is refused naming <c>quantity</c>.</summary>
    public async Task<OfficeChange<Movement>> MoveAsync(AuditActor actor, string who, MovementDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        MovementKind? kind = draft.Kind?.Trim().ToLowerInvariant() switch
        {
            "receipt" => MovementKind.Receipt,
            "issue" => MovementKind.Issue,
            "adjustment" => MovementKind.Adjustment,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = [$"kind is 'receipt', 'issue' or 'adjustment' (reservations come from production orders); got '{draft.Kind}'."];
        }

        if (draft.MaterialId is null)
        {
            errors["materialId"] = ["materialId is required."];
        }

        if (kind == MovementKind.Adjustment)
        {
            if (draft.Quantity is null or 0m)
            {
                errors["quantity"] = ["quantity is required: the correction, positive or negative, not 0."];
            }
            else if (Math.Abs(draft.Quantity.Value) >= MaxQuantity || MaterialNeeds.Round(draft.Quantity.Value) != draft.Quantity.Value)
            {
                errors["quantity"] = [$"quantity is below {MaxQuantity} with at most 3 decimals; got {draft.Quantity}."];
            }
        }
        else
        {
            MaterialValidation.Quantity(draft.Quantity, "quantity", errors, required: true, zero: false);
        }

        var note = draft.Note?.Trim();
        if (note?.Length > 500)
        {
            errors["note"] = ["note has at most 500 characters."];
        }

        if (errors.Count > 0)
        {
            return OfficeChange<Movement>.Invalid(errors);
        }

        var warehouseId = draft.WarehouseId ?? await MainWarehouseAsync(ct);
        var delta = kind == MovementKind.Issue ? -draft.Quantity!.Value : draft.Quantity!.Value;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (!await ExistsAsync(connection, transaction, draft.MaterialId!.Value, warehouseId, ct))
        {
            return OfficeChange<Movement>.Missing;
        }

        var onHand = await LockAsync(connection, transaction, draft.MaterialId!.Value, warehouseId, ct);
        if (onHand + delta < 0)
        {
            errors["quantity"] = [$"quantity {draft.Quantity} would take on-hand below zero: {onHand} on hand."];
            return OfficeChange<Movement>.Invalid(errors);
        }

        var movement = await ApplyAsync(connection, transaction, new(draft.MaterialId.Value, warehouseId, kind!.Value, delta, null, null, string.IsNullOrEmpty(note) ? null : note),
            time.GetUtcNow(), who, ct);
        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.stock.moved", "office-material", Key(movement.MaterialId), new { onHand },
            new { movement.Id, kind = movement.Kind, movement.WarehouseId, movement.Quantity }, ct);
        return new(movement);
    }

    /// <summary>The main warehouse (the seeded <c>main</c>, or the first).</summary>
    public async Task<long> MainWarehouseAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT "Id" FROM office_warehouses ORDER BY "Code" = 'main' DESC, "Id" LIMIT 1""");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Writes a movement and changes the stock row by it (on-hand for receipts, issues and adjustments; reserved for
    /// reservations and releases), in the caller's transaction, after <see cref="LockAsync"/> of that row.
    /// </summary>
    internal static async Task<Movement> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MovementDraftRow row, DateTimeOffset at, string by, CancellationToken ct)
    {
        var reserving = row.Kind is MovementKind.Reservation or MovementKind.Release;
        await using var batch = new NpgsqlBatch(connection, transaction);
        var column = reserving ? "Reserved" : "OnHand";
        // The row exists and is locked (LockAsync): an upsert would check its negative insert values against the table's
        // CHECKs before finding the conflict.
        var stock = new NpgsqlBatchCommand($"""
            UPDATE office_material_stock SET "{column}" = "{column}" + $3 WHERE "MaterialId" = $1 AND "WarehouseId" = $2
            """);
        stock.Parameters.Add(new() { Value = row.MaterialId });
        stock.Parameters.Add(new() { Value = row.WarehouseId });
        stock.Parameters.Add(new() { Value = row.Quantity });
        batch.BatchCommands.Add(stock);
        var movement = new NpgsqlBatchCommand("""
            INSERT INTO office_material_movements ("MaterialId", "WarehouseId", "Kind", "Quantity", "ProductionOrderId", "PurchaseOrderId", "Note", "At", "By")
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING "Id"
            """);
        movement.Parameters.Add(new() { Value = row.MaterialId });
        movement.Parameters.Add(new() { Value = row.WarehouseId });
        movement.Parameters.Add(new() { Value = (short)row.Kind });
        movement.Parameters.Add(new() { Value = row.Quantity });
        movement.Parameters.Add(new() { Value = (object?)row.ProductionOrderId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        movement.Parameters.Add(new() { Value = (object?)row.PurchaseOrderId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        movement.Parameters.Add(new() { Value = (object?)row.Note ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        movement.Parameters.Add(new() { Value = at });
        movement.Parameters.Add(new() { Value = by.Length <= 256 ? by : by[..256] });
        batch.BatchCommands.Add(movement);
        var id = (long)(await batch.ExecuteScalarAsync(ct))!;
        return new(id, row.MaterialId, row.WarehouseId, row.Kind, row.Quantity, row.ProductionOrderId, row.PurchaseOrderId, row.Note, at, by);
    }

    /// <summary>Locks the stock row of a material in a warehouse (creating it at zero) and gives its on-hand.</summary>
    internal static async Task<decimal> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long materialId, long warehouseId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO office_material_stock ("MaterialId", "WarehouseId") VALUES ($1, $2) ON CONFLICT DO NOTHING;
            """, connection, transaction);
        command.Parameters.Add(new() { Value = materialId });
        command.Parameters.Add(new() { Value = warehouseId });
        await command.ExecuteNonQueryAsync(ct);
        await using var read = new NpgsqlCommand("""SELECT "OnHand" FROM office_material_stock WHERE "MaterialId" = $1 AND "WarehouseId" = $2 FOR UPDATE""", connection, transaction);
        read.Parameters.Add(new() { Value = materialId });
        read.Parameters.Add(new() { Value = warehouseId });
        return (decimal)(await read.ExecuteScalarAsync(ct))!;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long materialId, long warehouseId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM office_materials WHERE "Id" = $1) AND EXISTS (SELECT 1 FROM office_warehouses WHERE "Id" = $2)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = materialId });
        command.Parameters.Add(new() { Value = warehouseId });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    internal static string Kind(MaterialKind kind) => kind switch
    {
        MaterialKind.Sheet => "sheet",
        MaterialKind.Edge => "edge",
        _ => "hardware",
    };

    internal static bool Russian() => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru";

    internal static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    internal static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal static Material ReadMaterial(NpgsqlDataReader r) => new(r.GetInt64(0), (MaterialKind)r.GetInt16(1), r.GetString(2), Text(r, 3), (MaterialUnit)r.GetInt16(4),
        r.IsDBNull(5) ? null : r.GetDecimal(5), r.IsDBNull(6) ? null : r.GetDecimal(6), r.IsDBNull(7) ? null : r.GetDecimal(7), r.GetDecimal(8),
        r.IsDBNull(9) ? null : r.GetDecimal(9));

    internal static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

/// <summary>A movement to write: <see cref="Quantity"/> signed, what it adds to on-hand or reserved.</summary>
internal sealed record MovementDraftRow(long MaterialId, long WarehouseId, MovementKind Kind, decimal Quantity, long? ProductionOrderId, long? PurchaseOrderId, string? Note);

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Office.Customers;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Materials;

/// <summary>
/// Suppliers and purchase orders (<c>office_suppliers</c>, <c>office_purchase_orders</c>, <c>..._lines</c>): draft →
/// ordered → partially received → received, or cancelled before anything came. A receipt adds its quantities to the
/// lines and to stock (receipt movements) in one transaction; a line received over what was ordered refuses the whole
/// receipt, naming the line. Every change is audited.
/// </summary>
internal sealed class PurchaseOrders(NpgsqlDataSource dataSource, MaterialStock stock, AuditTrail audit, TimeProvider time)
{
    public const int MaxLines = 200;

    private const string OrderColumns = """
        o."Id", o."SupplierId", s."Name", o."WarehouseId", o."Status", o."Notes", o."CreatedAt", o."CreatedBy", o."UpdatedAt"
        """;

    public async Task<IReadOnlyList<Supplier>> SuppliersAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT "Id", "Name", "TaxId", "Email", "Phone" FROM office_suppliers ORDER BY lower("Name"), "Id" """);
        return await MaterialStock.ReadAllAsync(command, r => new Supplier(r.GetInt64(0), r.GetString(1), MaterialStock.Text(r, 2), MaterialStock.Text(r, 3),
            MaterialStock.Text(r, 4)), ct);
    }

    public async Task<OfficeChange<Supplier>> CreateSupplierAsync(AuditActor actor, SupplierDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        // The customers' checks: a supplier is a company with an INN (10 digits) or a sole trader (12).
        var fields = CustomerValidation.CheckCustomer(new CustomerDraft(TaxKind(draft.TaxId), draft.Name, TaxId: draft.TaxId, Email: draft.Email, Phone: draft.Phone),
            errors, versionRequired: false);
        if (fields is null)
        {
            return OfficeChange<Supplier>.Invalid(errors);
        }

        await using var command = dataSource.CreateCommand("""
            INSERT INTO office_suppliers ("Name", "TaxId", "Email", "Phone", "CreatedAt") VALUES ($1, $2, $3, $4, $5) RETURNING "Id"
            """);
        command.Parameters.Add(new() { Value = fields.Name });
        foreach (var text in new[] { fields.TaxId, fields.Email, fields.Phone })
        {
            command.Parameters.Add(new() { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        }

        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        var id = (long)(await command.ExecuteScalarAsync(ct))!;
        await audit.AppendAsync(actor, "office.supplier.created", "office-supplier", MaterialStock.Key(id), null,
            new { fields = new[] { ("taxId", fields.TaxId), ("email", fields.Email), ("phone", fields.Phone) }.Where(p => p.Item2 is not null).Select(p => p.Item1).Prepend("name") }, ct);
        return new(new Supplier(id, fields.Name, fields.TaxId, fields.Email, fields.Phone));
    }

    public async Task<IReadOnlyList<PurchaseOrderSummary>> ListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT o."Id", s."Name", o."Status", count(l."Id")::int, COALESCE(sum(l."Quantity" * l."Price"), 0), o."CreatedAt"
            FROM office_purchase_orders o JOIN office_suppliers s ON s."Id" = o."SupplierId" LEFT JOIN office_purchase_order_lines l ON l."PurchaseOrderId" = o."Id"
            GROUP BY o."Id", s."Name" ORDER BY o."Id" DESC LIMIT 500
            """);
        return await MaterialStock.ReadAllAsync(command, r => new PurchaseOrderSummary(r.GetInt64(0), r.GetString(1), (PurchaseOrderStatus)r.GetInt16(2), r.GetInt32(3),
            r.GetDecimal(4), r.GetFieldValue<DateTimeOffset>(5)), ct);
    }

    public async Task<PurchaseOrder?> GetAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ReadAsync(connection, null, id, false, ct);
    }

    /// <summary>A new draft: its lines as given, or one per purchase suggestion of its warehouse.</summary>
    public async Task<OfficeChange<PurchaseOrder>> CreateAsync(AuditActor actor, string who, PurchaseOrderDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (draft.SupplierId is null)
        {
            errors["supplierId"] = ["supplierId is required."];
        }

        var notes = DraftText.Text(draft.Notes, "notes", 2000, errors, required: false);
        var warehouseId = draft.WarehouseId ?? await stock.MainWarehouseAsync(ct);
        var lines = new List<(long MaterialId, decimal Quantity, decimal Price)>();
        if (draft.FromSuggestions)
        {
            if (draft.Lines is { Count: > 0 })
            {
                errors["lines"] = ["Give lines or fromSuggestions, not both."];
            }

            lines.AddRange((await stock.SuggestionsAsync(warehouseId, ct)).Select(s => (s.MaterialId, s.Quantity, 0m)));
            if (lines.Count == 0 && errors.Count == 0)
            {
                errors["lines"] = ["No material of the warehouse is below its minimum: there is nothing to suggest."];
            }
        }
        else if (draft.Lines is not { Count: > 0 and <= MaxLines })
        {
            errors["lines"] = [$"lines is required: 1 to {MaxLines} lines of materialId, quantity and price."];
        }
        else
        {
            for (var i = 0; i < draft.Lines.Count; i++)
            {
                var line = draft.Lines[i];
                if (line.MaterialId is null)
                {
                    errors[$"lines[{i}].materialId"] = [$"lines[{i}].materialId is required."];
                }

                MaterialValidation.Quantity(line.Quantity, $"lines[{i}].quantity", errors, required: true, zero: false);
                if (line.Price is < 0 || (line.Price is { } p && (p >= MaterialStock.MaxQuantity || Math.Round(p, 2) != p)))
                {
                    errors[$"lines[{i}].price"] = [$"lines[{i}].price is 0 or more, with at most 2 decimals; got {line.Price}."];
                }

                lines.Add((line.MaterialId ?? 0, line.Quantity ?? 0, line.Price ?? 0));
            }
        }

        if (errors.Count > 0)
        {
            return OfficeChange<PurchaseOrder>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var known = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM office_suppliers WHERE "Id" = $1), (SELECT count(*) FROM office_warehouses WHERE "Id" = $2),
                ARRAY(SELECT i FROM unnest($3::bigint[]) WITH ORDINALITY AS u(id, i) WHERE NOT EXISTS (SELECT 1 FROM office_materials m WHERE m."Id" = u.id))
            """, connection, transaction))
        {
            known.Parameters.Add(new() { Value = draft.SupplierId!.Value });
            known.Parameters.Add(new() { Value = warehouseId });
            known.Parameters.Add(new() { Value = lines.Select(l => l.MaterialId).ToArray() });
            await using var reader = await known.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (reader.GetInt64(0) == 0)
            {
                errors["supplierId"] = [$"There is no supplier {draft.SupplierId}."];
            }

            if (reader.GetInt64(1) == 0)
            {
                errors["warehouseId"] = [$"There is no warehouse {warehouseId}."];
            }

            foreach (var i in reader.GetFieldValue<long[]>(2))
            {
                errors[$"lines[{i - 1}].materialId"] = [$"There is no material {lines[(int)i - 1].MaterialId}."];
            }
        }

        if (errors.Count > 0)
        {
            return OfficeChange<PurchaseOrder>.Invalid(errors);
        }

        long id;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO office_purchase_orders ("SupplierId", "WarehouseId", "Status", "Notes", "CreatedAt", "CreatedBy", "UpdatedAt")
            VALUES ($1, $2, 0, $3, $4, $5, $4) RETURNING "Id"
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = draft.SupplierId!.Value });
            insert.Parameters.Add(new() { Value = warehouseId });
            insert.Parameters.Add(new() { Value = (object?)notes ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = who.Length <= 256 ? who : who[..256] });
            id = (long)(await insert.ExecuteScalarAsync(ct))!;
        }

        await using (var insertLines = new NpgsqlCommand("""
            INSERT INTO office_purchase_order_lines ("PurchaseOrderId", "Line", "MaterialId", "Quantity", "Price")
            SELECT $1, i, m, q, p FROM unnest($2::bigint[], $3::numeric[], $4::numeric[]) WITH ORDINALITY AS u(m, q, p, i)
            """, connection, transaction))
        {
            insertLines.Parameters.Add(new() { Value = id });
            insertLines.Parameters.Add(new() { Value = lines.Select(l => l.MaterialId).ToArray() });
            insertLines.Parameters.Add(new() { Value = lines.Select(l => l.Quantity).ToArray() });
            insertLines.Parameters.Add(new() { Value = lines.Select(l => l.Price).ToArray() });
            await insertLines.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.purchase-order.created", "office-purchase-order", MaterialStock.Key(id), null,
            new { supplierId = draft.SupplierId, warehouseId, lines = lines.Count, fromSuggestions = draft.FromSuggestions }, ct);
        return new(await GetAsync(id, ct));
    }

    /// <summary>Sends a draft to its supplier (draft → ordered), or cancels an order nothing has come in for.</summary>
    public async Task<OfficeChange<PurchaseOrder>> ChangeStatusAsync(AuditActor actor, long id, PurchaseOrderStatus to, CancellationToken ct)
    {
        PurchaseOrderStatus[] from = to == PurchaseOrderStatus.Ordered ? [PurchaseOrderStatus.Draft] : [PurchaseOrderStatus.Draft, PurchaseOrderStatus.Ordered];
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (await ReadAsync(connection, transaction, id, true, ct) is not { } order)
        {
            return OfficeChange<PurchaseOrder>.Missing;
        }

        if (!from.Contains(order.Status))
        {
            return new(null, Conflict: $"Purchase order {id} is {Status(order.Status)}: only a {string.Join(" or ", from.Select(Status))} order can be {(to == PurchaseOrderStatus.Ordered ? "ordered" : "cancelled")}.");
        }

        await SetStatusAsync(connection, transaction, id, to, ct);
        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, to == PurchaseOrderStatus.Ordered ? "office.purchase-order.ordered" : "office.purchase-order.cancelled", "office-purchase-order",
            MaterialStock.Key(id), new { status = Status(order.Status) }, new { status = Status(to) }, ct);
        return new(await GetAsync(id, ct));
    }

    /// <summary>
    /// Receives quantities per line into the order's warehouse: each line's received grows, a receipt movement per line
    /// adds to on-hand, the status becomes partially received or received. Over-receipt of any line refuses all of it.
    /// </summary>
    public async Task<OfficeChange<PurchaseOrder>> ReceiveAsync(AuditActor actor, string who, long id, ReceiptDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var note = DraftText.Text(draft.Note, "note", 500, errors, required: false);
        if (draft.Lines is not { Count: > 0 and <= MaxLines })
        {
            errors["lines"] = [$"lines is required: 1 to {MaxLines} of line (its number) and quantity received."];
        }

        for (var i = 0; i < (errors.ContainsKey("lines") ? 0 : draft.Lines!.Count); i++)
        {
            if (draft.Lines![i].Line is null)
            {
                errors[$"lines[{i}].line"] = [$"lines[{i}].line is required: the number of the purchase order's line."];
            }

            MaterialValidation.Quantity(draft.Lines[i].Quantity, $"lines[{i}].quantity", errors, required: true, zero: true);
        }

        if (errors.Count > 0)
        {
            return OfficeChange<PurchaseOrder>.Invalid(errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (await ReadAsync(connection, transaction, id, true, ct) is not { } order)
        {
            return OfficeChange<PurchaseOrder>.Missing;
        }

        if (order.Status is not (PurchaseOrderStatus.Ordered or PurchaseOrderStatus.PartiallyReceived))
        {
            return new(null, Conflict: $"Purchase order {id} is {Status(order.Status)}: only an ordered or partially received order can be received.");
        }

        var received = new Dictionary<int, decimal>();
        for (var i = 0; i < draft.Lines!.Count; i++)
        {
            var (number, quantity) = (draft.Lines[i].Line!.Value, draft.Lines[i].Quantity!.Value);
            if (order.Lines.FirstOrDefault(l => l.Line == number) is not { } line)
            {
                errors[$"lines[{i}].line"] = [$"Purchase order {id} has no line {number}."];
            }
            else if (received.GetValueOrDefault(number) + quantity > line.Remaining)
            {
                errors[$"lines[{i}].quantity"] = [$"Line {number} ({line.Material}): ordered {line.Quantity}, received {line.Received}, so at most {line.Remaining} "
                    + $"more can come in; got {received.GetValueOrDefault(number) + quantity}. Nothing was received."];
            }
            else
            {
                received[number] = received.GetValueOrDefault(number) + quantity;
            }
        }

        if (errors.Count == 0 && received.Values.All(q => q == 0))
        {
            errors["lines"] = ["Every quantity is 0: nothing came in."];
        }

        if (errors.Count > 0)
        {
            return OfficeChange<PurchaseOrder>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        foreach (var (number, quantity) in received.Where(r => r.Value > 0).OrderBy(r => r.Key))
        {
            var line = order.Lines.Single(l => l.Line == number);
            await using (var update = new NpgsqlCommand("""UPDATE office_purchase_order_lines SET "Received" = "Received" + $2 WHERE "Id" = $1""", connection, transaction))
            {
                update.Parameters.Add(new() { Value = line.Id });
                update.Parameters.Add(new() { Value = quantity });
                await update.ExecuteNonQueryAsync(ct);
            }

            await MaterialStock.LockAsync(connection, transaction, line.MaterialId, order.WarehouseId, ct);
            await MaterialStock.ApplyAsync(connection, transaction, new(line.MaterialId, order.WarehouseId, MovementKind.Receipt, quantity, null, id, note), now, who, ct);
        }

        var complete = order.Lines.All(l => l.Received + received.GetValueOrDefault(l.Line) == l.Quantity);
        var status = complete ? PurchaseOrderStatus.Received : PurchaseOrderStatus.PartiallyReceived;
        await SetStatusAsync(connection, transaction, id, status, ct);
        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.purchase-order.received", "office-purchase-order", MaterialStock.Key(id), new { status = Status(order.Status) },
            new { status = Status(status), lines = received.Where(r => r.Value > 0).Select(r => r.Key) }, ct);
        return new(await GetAsync(id, ct));
    }

    public static string Status(PurchaseOrderStatus status) => status switch
    {
        PurchaseOrderStatus.Draft => "draft",
        PurchaseOrderStatus.Ordered => "ordered",
        PurchaseOrderStatus.PartiallyReceived => "partiallyReceived",
        PurchaseOrderStatus.Received => "received",
        _ => "cancelled",
    };

    /// <summary>A 12-digit INN is a sole trader's (a person's), any other a company's: the customers' INN check needs to know which.</summary>
    private static string TaxKind(string? taxId) => taxId?.Trim().Length == 12 ? "person" : "company";

    private async Task SetStatusAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, PurchaseOrderStatus status, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""UPDATE office_purchase_orders SET "Status" = $2, "UpdatedAt" = $3 WHERE "Id" = $1""", connection, transaction);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = (short)status });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<PurchaseOrder?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, bool forUpdate, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var head = new NpgsqlBatchCommand($"""
            SELECT {OrderColumns} FROM office_purchase_orders o JOIN office_suppliers s ON s."Id" = o."SupplierId" WHERE o."Id" = $1{(forUpdate ? " FOR UPDATE OF o" : "")}
            """);
        head.Parameters.Add(new() { Value = id });
        batch.BatchCommands.Add(head);
        var lines = new NpgsqlBatchCommand("""
            SELECT l."Id", l."Line", l."MaterialId", m."Name", m."Unit", l."Quantity", l."Price", l."Received"
            FROM office_purchase_order_lines l JOIN office_materials m ON m."Id" = l."MaterialId" WHERE l."PurchaseOrderId" = $1 ORDER BY l."Line"
            """);
        lines.Parameters.Add(new() { Value = id });
        batch.BatchCommands.Add(lines);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var order = (Id: reader.GetInt64(0), SupplierId: reader.GetInt64(1), Supplier: reader.GetString(2), WarehouseId: reader.GetInt64(3),
            Status: (PurchaseOrderStatus)reader.GetInt16(4), Notes: MaterialStock.Text(reader, 5), CreatedAt: reader.GetFieldValue<DateTimeOffset>(6),
            CreatedBy: reader.GetString(7), UpdatedAt: reader.GetFieldValue<DateTimeOffset>(8));
        await reader.NextResultAsync(ct);
        var list = new List<PurchaseOrderLine>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(new(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3), (MaterialUnit)reader.GetInt16(4), reader.GetDecimal(5),
                reader.GetDecimal(6), reader.GetDecimal(7)));
        }

        return new(order.Id, order.SupplierId, order.Supplier, order.WarehouseId, order.Status, order.Notes, order.CreatedAt, order.CreatedBy, order.UpdatedAt, list);
    }
}

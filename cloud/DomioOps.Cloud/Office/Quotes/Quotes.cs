using System.Globalization;
using System.Text.Json;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Production;

using Microsoft.EntityFrameworkCore;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// Quotes for projects (<c>office_quotes</c>, <c>office_quote_revisions</c>) and the price lists they are priced from,
/// on PostgreSQL. A change is checked whole before anything is written, runs in one transaction with the quote's row
/// locked, and is audited (<c>office.quote.*</c>). Editing a sent quote makes its next revision and keeps the one sent.
/// </summary>
internal sealed partial class Quotes(NpgsqlDataSource dataSource, IServiceScopeFactory scopes, ProductionImport import, AuditTrail audit, TimeProvider time)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string QuoteColumns = """
        q."Id", q."ProjectId", p."Title", p."CustomerId", c."Name", q."PriceListId", l."Name", q."Status", q."Revision", q."CutListFile",
        coalesce(jsonb_array_length(q."CutList" -> 'parts'), 0), o."Id", q."CreatedAt", q."CreatedBy", q."UpdatedAt", q."Version",
        r."Lines"::text, r."DiscountPercent", r."VatPercent", r."Subtotal", r."Discount", r."Vat", r."Total", r."CreatedAt", r."SentAt"
        """;

    private const string QuoteFrom = """
        office_quotes q
        JOIN office_projects p ON p."Id" = q."ProjectId"
        JOIN office_customers c ON c."Id" = p."CustomerId"
        JOIN office_price_lists l ON l."Id" = q."PriceListId"
        JOIN office_quote_revisions r ON r."QuoteId" = q."Id" AND r."Revision" = q."Revision"
        LEFT JOIN office_orders o ON o."QuoteId" = q."Id"
        """;

    public async Task<IReadOnlyList<PriceList>> PriceListsAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT l."Id", l."Name", l."IsDefault", p."Kind", p."Item", p."Thickness", p."Price"
            FROM office_price_lists l LEFT JOIN office_prices p ON p."PriceListId" = l."Id"
            ORDER BY l."IsDefault" DESC, l."Name", p."Kind", p."Item", p."Thickness"
            """);
        var lists = new List<(long Id, string Name, bool IsDefault, List<PriceItem> Items)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt64(0);
            if (lists.Count == 0 || lists[^1].Id != id)
            {
                lists.Add((id, reader.GetString(1), reader.GetBoolean(2), []));
            }

            if (!reader.IsDBNull(3))
            {
                lists[^1].Items.Add(new(reader.GetString(3), reader.GetString(4), reader.GetDecimal(5), reader.GetDecimal(6)));
            }
        }

        return [.. lists.Select(l => new PriceList(l.Id, l.Name, l.IsDefault, l.Items))];
    }

    public async Task<IReadOnlyList<QuoteSummary>> ListForProjectAsync(long projectId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT q."Id", q."Status", q."Revision", r."Total", q."UpdatedAt" FROM office_quotes q
            JOIN office_quote_revisions r ON r."QuoteId" = q."Id" AND r."Revision" = q."Revision"
            WHERE q."ProjectId" = $1 ORDER BY q."Id" DESC
            """);
        command.Parameters.Add(new() { Value = projectId });
        var rows = new List<QuoteSummary>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetDecimal(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return rows;
    }

    /// <summary>The quote with its current revision, the numbers of all its revisions and its production orders, or null.</summary>
    public async Task<Quote?> GetAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ReadAsync(connection, null, id, ct);
    }

    /// <summary>One revision of a quote as it was priced, or null.</summary>
    public async Task<QuoteRevision?> RevisionAsync(long id, int revision, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Revision", "Lines"::text, "DiscountPercent", "VatPercent", "Subtotal", "Discount", "Vat", "Total", "CreatedAt", "SentAt"
            FROM office_quote_revisions WHERE "QuoteId" = $1 AND "Revision" = $2
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = revision });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadRevision(reader, 0) : null;
    }

    /// <summary>The parts of the cut list the quote was priced from, or null.</summary>
    public async Task<StoredCutList?> CutListAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT "CutList"::text FROM office_quotes WHERE "Id" = $1""");
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<StoredCutList>(json, Json) : null;
    }

    /// <summary>A new draft quote (revision 1) for a project, priced from its price list (the default one when none is named).</summary>
    public async Task<OfficeChange<Quote>> CreateAsync(AuditActor actor, string who, QuoteDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var lists = await PriceListsAsync(ct);
        var prices = draft.PriceListId is { } listId ? lists.FirstOrDefault(l => l.Id == listId) : lists.FirstOrDefault(l => l.IsDefault) ?? (lists.Count > 0 ? lists[0] : null);
        if (prices is null)
        {
            errors["priceListId"] = [$"There is no price list {draft.PriceListId}."];
        }

        if (draft.ProjectId is not > 0)
        {
            errors["projectId"] = ["projectId is required: the project the quote is for."];
        }

        var (discount, vat) = QuoteValidation.CheckFigures(draft, errors);
        var lines = prices is null ? null : QuoteValidation.CheckLines(draft.Lines, prices, errors);
        if (errors.Count > 0)
        {
            return OfficeChange<Quote>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        long id;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO office_quotes ("ProjectId", "PriceListId", "Status", "Revision", "CreatedAt", "CreatedBy", "UpdatedAt")
            SELECT $1, $2, 'draft', 1, $3, $4, $3 WHERE EXISTS (SELECT 1 FROM office_projects WHERE "Id" = $1) RETURNING "Id"
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = draft.ProjectId!.Value });
            insert.Parameters.Add(new() { Value = prices!.Id });
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = who.Length <= 256 ? who : who[..256] });
            if (await insert.ExecuteScalarAsync(ct) is not long created)
            {
                errors["projectId"] = [$"There is no project {draft.ProjectId}."];
                return OfficeChange<Quote>.Invalid(errors);
            }

            id = created;
        }

        await WriteRevisionAsync(connection, transaction, id, 1, lines!, discount, vat, now, insert: true, ct);
        await transaction.CommitAsync(ct);
        var quote = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, "office.quote.created", "office-quote", Key(id), null,
            new { quote.ProjectId, quote.PriceListId, revision = 1, lines = lines!.Count, quote.Version }, ct);
        return new(quote);
    }

    /// <summary>
    /// Saves new lines and figures made to version <see cref="QuoteDraft.Version"/>: a draft's revision is replaced; a sent
    /// quote gets revision N+1 (a draft again) and the sent one stays as it was; an accepted or rejected quote is not changed.
    /// </summary>
    public Task<OfficeChange<Quote>> UpdateAsync(AuditActor actor, long id, QuoteDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (draft.Version is not > 0)
        {
            errors["version"] = ["version is required: the version of the quote the change starts from (as read)."];
        }

        if (draft.ProjectId is not null)
        {
            errors["projectId"] = ["a quote stays with its project; make a new quote for another."];
        }

        return ReviseAsync(actor, id, draft, draft.Lines, null, errors, "office.quote.updated", ct);
    }

    /// <summary>
    /// Prices the quote from a cut list (CSV or XLSX, read by the production import's <see cref="CutListReader"/>): its
    /// lines become the cut list's material, edge and labour lines, and its parts are kept with the quote for production.
    /// A file with any error is refused whole, each error named (<c>file</c>, <c>file.row12.Длина</c>).
    /// </summary>
    public async Task<OfficeChange<CutListQuote>> FromCutListAsync(AuditActor actor, long id, int? version, Stream content, string fileName, CancellationToken ct)
    {
        var read = CutListReader.Read(content, fileName);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!read.IsValid)
        {
            errors["file"] = read.Errors.Count == 0 ? ["The cut list has no parts."] : [.. read.Errors.Select(e => e.Message)];
            return OfficeChange<CutListQuote>.Invalid(errors);
        }

        var current = await GetAsync(id, ct);
        if (current is null)
        {
            return OfficeChange<CutListQuote>.Missing;
        }

        var prices = (await PriceListsAsync(ct)).Single(l => l.Id == current.PriceListId);
        List<WorkCentre> centres;
        await using (var scope = scopes.CreateAsyncScope())
        {
            centres = await scope.ServiceProvider.GetRequiredService<ProductionDbContext>().WorkCentres.AsNoTracking().ToListAsync(ct);
        }

        var priced = QuoteFromCutList.Price(read.Parts, centres, prices);
        var draft = new QuoteDraft(null, null, priced.Lines, current.Current.DiscountPercent, current.Current.VatPercent, version ?? current.Version);
        var change = await ReviseAsync(actor, id, draft, priced.Lines, new StoredCutList(Path.GetFileName(fileName), read.Parts), errors, "office.quote.priced-from-cut-list", ct);
        return change.Value is { } quote ? new(new CutListQuote(quote, priced.Unpriced)) : new(null, change.Errors, change.Conflict);
    }

    private async Task<OfficeChange<Quote>> ReviseAsync(AuditActor actor, long id, QuoteDraft draft, IReadOnlyList<QuoteLineDraft>? lineDrafts, StoredCutList? cutList,
        Dictionary<string, string[]> errors, string action, CancellationToken ct)
    {
        var lists = await PriceListsAsync(ct);
        var (discount, vat) = QuoteValidation.CheckFigures(draft, errors);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var before = await ReadAsync(connection, transaction, id, ct, forUpdate: true);
        if (before is null)
        {
            return OfficeChange<Quote>.Missing;
        }

        var prices = lists.FirstOrDefault(l => l.Id == (draft.PriceListId ?? before.PriceListId));
        if (prices is null)
        {
            errors["priceListId"] = [$"There is no price list {draft.PriceListId}."];
        }

        var lines = prices is null ? null : QuoteValidation.CheckLines(lineDrafts, prices, errors);
        if (errors.Count > 0)
        {
            return OfficeChange<Quote>.Invalid(errors);
        }

        if (before.Version != draft.Version)
        {
            return new(null, Conflict: $"Quote {id} was changed by someone else since you read it (you edited version {draft.Version}, it is now version "
                + $"{before.Version}, saved at {before.UpdatedAt:u}). Reload it and make your change again.");
        }

        if (before.Status is "accepted" or "rejected")
        {
            return new(null, Conflict: $"Quote {id} is {before.Status}: it is not changed any more. Make a new quote for the project.");
        }

        var now = time.GetUtcNow();
        var revision = before.Status == "sent" ? before.Current.Revision + 1 : before.Current.Revision;
        await WriteRevisionAsync(connection, transaction, id, revision, lines!, discount, vat, now, insert: revision != before.Current.Revision, ct);
        await using (var update = new NpgsqlCommand("""
            UPDATE office_quotes SET "Status" = 'draft', "Revision" = $2, "PriceListId" = $3, "UpdatedAt" = $4, "Version" = "Version" + 1,
                "CutList" = CASE WHEN $5::jsonb IS NULL THEN "CutList" ELSE $5::jsonb END, "CutListFile" = coalesce($6, "CutListFile")
            WHERE "Id" = $1
            """, connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = revision });
            update.Parameters.Add(new() { Value = prices!.Id });
            update.Parameters.Add(new() { Value = now });
            update.Parameters.Add(new() { Value = cutList is null ? DBNull.Value : JsonSerializer.Serialize(cutList, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
            update.Parameters.Add(new() { Value = (object?)cutList?.FileName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
            await update.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        var after = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, action, "office-quote", Key(id), new { before.Version, revision = before.Current.Revision, before.Status },
            new { after.Version, revision, lines = lines!.Count, cutListParts = cutList?.Parts.Count }, ct);
        return new(after);
    }

    private static async Task WriteRevisionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, int revision, IReadOnlyList<QuoteLine> lines,
        decimal discount, decimal vat, DateTimeOffset now, bool insert, CancellationToken ct)
    {
        var totals = QuotePricing.Totals(lines, discount, vat);
        await using var command = new NpgsqlCommand(insert
            ? """
                INSERT INTO office_quote_revisions ("QuoteId", "Revision", "Lines", "DiscountPercent", "VatPercent", "Subtotal", "Discount", "Vat", "Total", "CreatedAt")
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """
            : """
                UPDATE office_quote_revisions SET "Lines" = $3, "DiscountPercent" = $4, "VatPercent" = $5, "Subtotal" = $6, "Discount" = $7, "Vat" = $8,
                    "Total" = $9, "CreatedAt" = $10
                WHERE "QuoteId" = $1 AND "Revision" = $2
                """, connection, transaction);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = revision });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(lines, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        foreach (var value in new[] { discount, vat, totals.Subtotal, totals.Discount, totals.Vat, totals.Total })
        {
            command.Parameters.Add(new() { Value = value });
        }

        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<Quote?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, CancellationToken ct, bool forUpdate = false)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var quote = new NpgsqlBatchCommand($"""SELECT {QuoteColumns} FROM {QuoteFrom} WHERE q."Id" = $1{(forUpdate ? " FOR UPDATE OF q" : "")}""");
        quote.Parameters.Add(new() { Value = id });
        batch.BatchCommands.Add(quote);
        var revisions = new NpgsqlBatchCommand("""SELECT "Revision" FROM office_quote_revisions WHERE "QuoteId" = $1 ORDER BY "Revision" """);
        revisions.Parameters.Add(new() { Value = id });
        batch.BatchCommands.Add(revisions);
        var production = new NpgsqlBatchCommand("""
            SELECT l."ProductionOrderId" FROM office_orders o JOIN office_order_production l ON l."OrderId" = o."Id" WHERE o."QuoteId" = $1 ORDER BY 1
            """);
        production.Parameters.Add(new() { Value = id });
        batch.BatchCommands.Add(production);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var r = reader;
        var current = ReadRevision(r, 16, r.GetInt32(8));
        var found = new Quote(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetInt64(5), r.GetString(6), r.GetString(7),
            current, [], r.IsDBNull(9) ? null : r.GetString(9), r.GetInt32(10), r.IsDBNull(11) ? null : r.GetInt64(11), [],
            r.GetFieldValue<DateTimeOffset>(12), r.GetString(13), r.GetFieldValue<DateTimeOffset>(14), r.GetInt32(15));
        await reader.NextResultAsync(ct);
        var numbers = new List<int>();
        while (await reader.ReadAsync(ct))
        {
            numbers.Add(reader.GetInt32(0));
        }

        await reader.NextResultAsync(ct);
        var orders = new List<long>();
        while (await reader.ReadAsync(ct))
        {
            orders.Add(reader.GetInt64(0));
        }

        return found with { Revisions = numbers, ProductionOrderIds = orders };
    }

    /// <summary>A revision from <paramref name="at"/> on: (revision,) lines, discount %, VAT %, subtotal, discount, VAT, total, created, sent.</summary>
    private static QuoteRevision ReadRevision(NpgsqlDataReader r, int at, int? revision = null)
    {
        var offset = revision is null ? 1 : 0;
        var number = revision ?? r.GetInt32(at);
        var lines = JsonSerializer.Deserialize<List<QuoteLine>>(r.GetString(at + offset), Json) ?? [];
        var totals = new QuoteTotals(r.GetDecimal(at + offset + 3), r.GetDecimal(at + offset + 4), r.GetDecimal(at + offset + 3) - r.GetDecimal(at + offset + 4),
            r.GetDecimal(at + offset + 5), r.GetDecimal(at + offset + 6));
        return new(number, lines, r.GetDecimal(at + offset + 1), r.GetDecimal(at + offset + 2), totals, r.GetFieldValue<DateTimeOffset>(at + offset + 7),
            r.IsDBNull(at + offset + 8) ? null : r.GetFieldValue<DateTimeOffset>(at + offset + 8));
    }

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A quote priced from a cut list, and the items its price list had no price for (priced at zero, to be typed).</summary>
internal sealed record CutListQuote(Quote Quote, IReadOnlyList<string> Unpriced);

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Production;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

using Npgsql;

namespace DomioOps.Cloud.Office.Quotes;

internal sealed partial class Quotes
{
    /// <summary>How far ahead production is due when the acceptance does not say.</summary>
    public static readonly TimeSpan DefaultLeadTime = TimeSpan.FromDays(14);

    /// <summary>A draft is sent: its current revision is what the customer sees (and stays so when the quote is edited later).</summary>
    public Task<OfficeChange<Quote>> SendAsync(AuditActor actor, long id, CancellationToken ct) =>
        MoveAsync(actor, id, "draft", "sent", "office.quote.sent", ct);

    /// <summary>The customer said no to a sent quote.</summary>
    public Task<OfficeChange<Quote>> RejectAsync(AuditActor actor, long id, CancellationToken ct) =>
        MoveAsync(actor, id, "sent", "rejected", "office.quote.rejected", ct);

    private async Task<OfficeChange<Quote>> MoveAsync(AuditActor actor, long id, string from, string to, string action, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var before = await ReadAsync(connection, transaction, id, ct, forUpdate: true);
        if (before is null)
        {
            return OfficeChange<Quote>.Missing;
        }

        if (before.Status != from)
        {
            return new(null, Conflict: $"Quote {id} is {before.Status}; only a {from} quote can be made {to}.");
        }

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            var now = time.GetUtcNow();
            var status = new NpgsqlBatchCommand("""UPDATE office_quotes SET "Status" = $2, "UpdatedAt" = $3, "Version" = "Version" + 1 WHERE "Id" = $1""");
            status.Parameters.Add(new() { Value = id });
            status.Parameters.Add(new() { Value = to });
            status.Parameters.Add(new() { Value = now });
            batch.BatchCommands.Add(status);
            if (to == "sent")
            {
                var sent = new NpgsqlBatchCommand("""UPDATE office_quote_revisions SET "SentAt" = $2 WHERE "QuoteId" = $1 AND "Revision" = $3""");
                sent.Parameters.Add(new() { Value = id });
                sent.Parameters.Add(new() { Value = now });
                sent.Parameters.Add(new() { Value = before.Current.Revision });
                batch.BatchCommands.Add(sent);
            }

            await batch.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        var after = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, action, "office-quote", Key(id), new { before.Status, before.Version }, new { after.Status, after.Version, revision = after.Current.Revision }, ct);
        return new(after);
    }

    /// <summary>
    /// The customer accepts a sent quote: an office order for it, and a production order whose parts are the quote's cut
    /// list (made by the production import's own <see cref="ProductionImport.CreateOrderAsync"/>), released — all in one
    /// transaction with the quote's row locked, so a second acceptance waits for the first and is then refused (409).
    /// </summary>
    public async Task<OfficeChange<Quote>> AcceptAsync(AuditActor actor, string who, long id, QuoteAcceptance acceptance, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(acceptance);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var npgsql = (NpgsqlTransaction)transaction.GetDbTransaction();
        var quote = await ReadAsync(connection, npgsql, id, ct, forUpdate: true);
        if (quote is null)
        {
            return OfficeChange<Quote>.Missing;
        }

        if (quote.Status == "accepted")
        {
            return new(null, Conflict: $"Quote {id} was accepted already (office order {quote.OrderId}); its production orders exist. Nothing was changed.");
        }

        if (quote.Status != "sent")
        {
            return new(null, Conflict: $"Quote {id} is {quote.Status}; only a sent quote can be accepted. Send it first.");
        }

        StoredCutList? cutList = null;
        await using (var read = new NpgsqlCommand("""SELECT "CutList"::text FROM office_quotes WHERE "Id" = $1""", connection, npgsql))
        {
            read.Parameters.Add(new() { Value = id });
            if (await read.ExecuteScalarAsync(ct) is string json)
            {
                cutList = System.Text.Json.JsonSerializer.Deserialize<StoredCutList>(json, Json);
            }
        }

        var now = time.GetUtcNow();
        var production = new List<ImportResult>();
        if (cutList is { Parts.Count: > 0 })
        {
            var header = new OrderHeader($"P{quote.ProjectId}-Q{quote.Id}", Limit(quote.CustomerName, ProductionOrder.MaxCustomerLength),
                acceptance.DueDate ?? DateOnly.FromDateTime(now.Add(DefaultLeadTime).UtcDateTime), acceptance.Priority);
            var created = await import.CreateOrderAsync(db, header, cutList.Parts, [], $"quote {quote.Id} r{quote.Current.Revision}: {cutList.FileName}", null, ct);
            if (!created.Imported)
            {
                var errors = created.FieldErrors.ToDictionary(e => e.Key, e => new[] { e.Value }, StringComparer.Ordinal);
                if (created.FileErrors.Count > 0)
                {
                    errors["cutList"] = [.. created.FileErrors.Select(e => e.Message)];
                }

                return OfficeChange<Quote>.Invalid(errors);
            }

            production.Add(created);
        }

        await using (var command = new NpgsqlCommand("""
            WITH o AS (
                INSERT INTO office_orders ("QuoteId", "Revision", "ProjectId", "CustomerId", "Total", "CreatedAt", "CreatedBy")
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "Id"),
            l AS (INSERT INTO office_order_production ("OrderId", "ProductionOrderId") SELECT o."Id", unnest($8::bigint[]) FROM o)
            UPDATE office_quotes SET "Status" = 'accepted', "UpdatedAt" = $6, "Version" = "Version" + 1 WHERE "Id" = $1
            """, connection, npgsql))
        {
            command.Parameters.Add(new() { Value = id });
            command.Parameters.Add(new() { Value = quote.Current.Revision });
            command.Parameters.Add(new() { Value = quote.ProjectId });
            command.Parameters.Add(new() { Value = quote.CustomerId });
            command.Parameters.Add(new() { Value = quote.Current.Totals.Total });
            command.Parameters.Add(new() { Value = now });
            command.Parameters.Add(new() { Value = Limit(who, 256) });
            command.Parameters.Add(new() { Value = production.Select(p => p.OrderId!.Value).ToArray() });
            await command.ExecuteNonQueryAsync(ct);
        }

        await using (var status = new NpgsqlCommand("""
            UPDATE office_projects SET "Status" = 'ordered', "UpdatedAt" = $2, "Version" = "Version" + 1
            WHERE "Id" = $1 AND "Status" IN ('enquiry', 'measuring', 'quoting')
            """, connection, npgsql))
        {
            status.Parameters.Add(new() { Value = quote.ProjectId });
            status.Parameters.Add(new() { Value = now });
            await status.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        foreach (var created in production)
        {
            await import.CreatedAsync(actor, created, ct);
        }

        var after = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, "office.quote.accepted", "office-quote", Key(id), new { quote.Status, quote.Version },
            new { after.Status, after.Version, revision = after.Current.Revision, order = after.OrderId, productionOrders = after.ProductionOrderIds }, ct);
        return new(after);
    }

    private static string Limit(string text, int length) => text.Length <= length ? text : text[..length];
}

using DomioOps.Cloud.Audit;

namespace DomioOps.Cloud.Office.Customers;

internal sealed partial class Customers
{
    /// <summary>
    /// Erases what identifies people in a customer, in one transaction: its contacts and its documents (every version's
    /// file and text) are deleted; a private person's every field is cleared and its name becomes "Erased customer N";
    /// a company keeps its name, legal name, INN and address (not personal data) and loses its e-mail, phone and notes,
    /// which may name people. The customer row stays, so the projects, quotes and orders that point at it still do.
    /// The audit trail already holds only field names: it keeps a row of the erasure with what was removed, counted.
    /// False when there is no such customer.
    /// </summary>
    public async Task<bool> EraseAsync(AuditActor actor, long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new Npgsql.NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("""SELECT "Kind" FROM office_customers WHERE "Id" = $1 FOR UPDATE"""),
                new("""DELETE FROM office_contacts WHERE "CustomerId" = $1"""),
                new("""DELETE FROM office_documents WHERE "OwnerKind" = 'customer' AND "OwnerId" = $1"""),
                new("""
                    UPDATE office_customers SET
                        "Name" = CASE WHEN "Kind" = 1 THEN 'Erased customer ' || "Id" ELSE "Name" END,
                        "LegalName" = CASE WHEN "Kind" = 1 THEN NULL ELSE "LegalName" END,
                        "TaxId" = CASE WHEN "Kind" = 1 THEN NULL ELSE "TaxId" END,
                        "Address" = CASE WHEN "Kind" = 1 THEN NULL ELSE "Address" END,
                        "Email" = NULL, "Phone" = NULL, "Notes" = NULL, "UpdatedAt" = $2, "Version" = "Version" + 1
                    WHERE "Id" = $1
                    RETURNING "Version"
                    """),
            },
        };
        foreach (var command in batch.BatchCommands)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        }

        batch.BatchCommands[3].Parameters.Add(new Npgsql.NpgsqlParameter { Value = time.GetUtcNow() });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return false;
        }

        var kind = (CustomerKind)reader.GetInt16(0);
        // The deletions have no result set: the next one is the update's.
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var version = reader.GetInt32(0);
        await reader.CloseAsync();
        var (contacts, documents) = (batch.BatchCommands[1].RecordsAffected, batch.BatchCommands[2].RecordsAffected);
        await transaction.CommitAsync(ct);
        string[] cleared = kind == CustomerKind.Person
            ? ["name", "legalName", "taxId", "address", "email", "phone", "notes"]
            : ["email", "phone", "notes"];
        await audit.AppendAsync(actor, "office.customer.erased", "office-customer", Key(id), null, new { version, fields = cleared, contacts, documents }, ct);
        return true;
    }
}

using DomioOps.Cloud.Audit;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Customers;

/// <summary>A customer's contacts: added, edited and removed one at a time, each audited (<c>office.contact.*</c>).</summary>
internal sealed partial class Customers
{
    private const string ContactColumns = """ "Id", "CustomerId", "Name", "Position", "Email", "Phone", "Notes" """;

    /// <summary>Adds a contact to customer <paramref name="customerId"/>; missing when there is no such customer.</summary>
    public async Task<OfficeChange<Contact>> AddContactAsync(AuditActor actor, long customerId, ContactDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (CustomerValidation.CheckContact(draft, errors) is not { } fields)
        {
            return OfficeChange<Contact>.Invalid(errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        Contact? contact;
        try
        {
            contact = await InsertContactAsync(connection, null, customerId, fields, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // The customer was deleted between the check and the insert.
            contact = null;
        }

        if (contact is null)
        {
            return OfficeChange<Contact>.Missing;
        }

        await audit.AppendAsync(actor, "office.contact.created", "office-contact", Key(contact.Id), null,
            new { contact.CustomerId, fields = Filled(fields) }, ct);
        return new(contact);
    }

    /// <summary>Replaces the fields of a contact of customer <paramref name="customerId"/>.</summary>
    public async Task<OfficeChange<Contact>> UpdateContactAsync(AuditActor actor, long customerId, long contactId, ContactDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (CustomerValidation.CheckContact(draft, errors) is not { } fields)
        {
            return OfficeChange<Contact>.Invalid(errors);
        }

        // The old row comes back beside the new one (a self-join on the row as it was), so the audit names what changed.
        await using var command = dataSource.CreateCommand($"""
            UPDATE office_contacts c SET "Name" = $3, "Position" = $4, "Email" = $5, "Phone" = $6, "Notes" = $7
            FROM office_contacts old WHERE c."Id" = $1 AND c."CustomerId" = $2 AND old."Id" = c."Id"
            RETURNING c."Id", c."CustomerId", c."Name", c."Position", c."Email", c."Phone", c."Notes",
                old."Name", old."Position", old."Email", old."Phone", old."Notes"
            """);
        command.Parameters.Add(new() { Value = contactId });
        command.Parameters.Add(new() { Value = customerId });
        AddContactFields(command.Parameters, fields);
        Contact contact;
        string[] changed;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return OfficeChange<Contact>.Missing;
            }

            contact = ReadContact(reader);
            changed =
            [
                .. new (string Name, int Ordinal)[] { ("name", 2), ("position", 3), ("email", 4), ("phone", 5), ("notes", 6) }
                    .Where(f => Text(reader, f.Ordinal) != Text(reader, f.Ordinal + 5)).Select(f => f.Name),
            ];
        }

        await audit.AppendAsync(actor, "office.contact.updated", "office-contact", Key(contactId), null, new { contact.CustomerId, fields = changed }, ct);
        return new(contact);
    }

    /// <summary>Removes a contact of customer <paramref name="customerId"/>; false when there is no such contact.</summary>
    public async Task<bool> DeleteContactAsync(AuditActor actor, long customerId, long contactId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""DELETE FROM office_contacts WHERE "Id" = $1 AND "CustomerId" = $2 RETURNING "Id" """);
        command.Parameters.Add(new() { Value = contactId });
        command.Parameters.Add(new() { Value = customerId });
        if (await command.ExecuteScalarAsync(ct) is null)
        {
            return false;
        }

        await audit.AppendAsync(actor, "office.contact.deleted", "office-contact", Key(contactId), new { customerId }, null, ct);
        return true;
    }

    private static async Task<Contact?> InsertContactAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long customerId, ContactFields fields, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO office_contacts ("CustomerId", "Name", "Position", "Email", "Phone", "Notes")
            SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT FROM office_customers WHERE "Id" = $1)
            RETURNING {ContactColumns}
            """, connection, transaction);
        command.Parameters.Add(new() { Value = customerId });
        AddContactFields(command.Parameters, fields);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadContact(reader) : null;
    }

    private static void AddContactFields(NpgsqlParameterCollection parameters, ContactFields fields)
    {
        parameters.Add(new() { Value = fields.Name });
        foreach (var text in new[] { fields.Position, fields.Email, fields.Phone, fields.Notes })
        {
            parameters.Add(new() { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        }
    }

    private static string[] Filled(ContactFields f) =>
    [
        .. new (string Name, string? Value)[] { ("name", f.Name), ("position", f.Position), ("email", f.Email), ("phone", f.Phone), ("notes", f.Notes) }
            .Where(p => p.Value is not null).Select(p => p.Name),
    ];

    private static Contact ReadContact(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), Text(reader, 3), Text(reader, 4), Text(reader, 5), Text(reader, 6));
}

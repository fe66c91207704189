using System.Globalization;

using DomioOps.Cloud.Audit;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Customers;

/// <summary>
/// Customers and their contacts (<c>office_customers</c>, <c>office_contacts</c>) on PostgreSQL: the list with search,
/// filter, sort and paging; a customer with its contacts; changes checked whole before anything is written, an edit
/// refused when the customer changed since it was read (<see cref="Customer.Version"/>). Every change is audited
/// (<c>office.customer.*</c>, <c>office.contact.*</c>) with the names of the fields it changed, never their values: the
/// trail is kept for years, a private person's details may have to be erased.
/// </summary>
internal sealed partial class Customers(NpgsqlDataSource dataSource, AuditTrail audit, TimeProvider time)
{
    /// <summary>The most rows a CSV export holds.</summary>
    public const int MaxExportRows = 100_000;

    private const string Columns = """
        "Id", "Kind", "Name", "LegalName", "TaxId", "Email", "Phone", "Address", "Notes", "CreatedAt", "CreatedBy", "UpdatedAt", "Version"
        """;

    /// <summary>
    /// The search words ($1) as a query over the stored vector: web-search syntax in each configuration, every lexeme
    /// made a prefix (so "мебель", stemmed "мебел", finds "мебельная", stemmed "мебельн"), the two OR'ed.
    /// </summary>
    private const string SearchQuery = """
        (regexp_replace(websearch_to_tsquery('russian'::regconfig, $1)::text, '''(?:[^'']|'''')*''', '\&:*', 'g')::tsquery
            || regexp_replace(websearch_to_tsquery('english'::regconfig, $1)::text, '''(?:[^'']|'''')*''', '\&:*', 'g')::tsquery)
        """;

    private const string Filter = $"""($1::text IS NULL OR "Search" @@ {SearchQuery}) AND ($2::smallint IS NULL OR "Kind" = $2)""";

    /// <summary>One page of customers matching <paramref name="query"/> and how many match in all.</summary>
    public async Task<CustomerPage> ListAsync(CustomerQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var batch = dataSource.CreateBatch();
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM office_customers WHERE {Filter}");
        AddFilter(count.Parameters, query);
        batch.BatchCommands.Add(count);

        // Relevance ranks only the newest RankedMatches hits (their ids from the GIN index), never every match.
        var page = new NpgsqlBatchCommand(query.Sort == CustomerSort.Relevance
            ? $"""
                WITH matches AS MATERIALIZED (
                    SELECT "Id" FROM office_customers WHERE {Filter} ORDER BY "Id" DESC LIMIT {CustomerQuery.RankedMatches})
                SELECT {Columns} FROM matches JOIN office_customers USING ("Id")
                ORDER BY ts_rank("Search", {SearchQuery}) DESC, "Id" DESC LIMIT $3 OFFSET $4
                """
            : $"""SELECT {Columns} FROM office_customers WHERE {Filter} ORDER BY {OrderBy(query.Sort)} LIMIT $3 OFFSET $4""");
        AddFilter(page.Parameters, query);
        page.Parameters.Add(new() { Value = query.PageSize });
        page.Parameters.Add(new() { Value = query.Offset });
        batch.BatchCommands.Add(page);

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(ct);
        var items = new List<Customer>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(Read(reader));
        }

        return new(total, items);
    }

    /// <summary>Every customer matching <paramref name="query"/> (its page aside), at most <see cref="MaxExportRows"/>; relevance is the name order here.</summary>
    public async Task<IReadOnlyList<Customer>> ExportAsync(CustomerQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var command = dataSource.CreateCommand(
            $"""SELECT {Columns} FROM office_customers WHERE {Filter} ORDER BY {OrderBy(query.Sort)} LIMIT {MaxExportRows}""");
        AddFilter(command.Parameters, query);
        var customers = new List<Customer>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            customers.Add(Read(reader));
        }

        return customers;
    }

    /// <summary>The customer with its contacts, or null.</summary>
    public async Task<Customer?> GetAsync(long id, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        var customer = new NpgsqlBatchCommand($"""SELECT {Columns} FROM office_customers WHERE "Id" = $1""");
        customer.Parameters.Add(new() { Value = id });
        batch.BatchCommands.Add(customer);
        var contacts = new NpgsqlBatchCommand($"""SELECT {ContactColumns} FROM office_contacts WHERE "CustomerId" = $1 ORDER BY "Id" """);
        contacts.Parameters.Add(new() { Value = id });
        batch.BatchCommands.Add(contacts);

        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var found = Read(reader);
        await reader.NextResultAsync(ct);
        var list = new List<Contact>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadContact(reader));
        }

        return found with { Contacts = list };
    }

    /// <summary>Creates a customer and the contacts it brings along, all or nothing.</summary>
    public async Task<OfficeChange<Customer>> CreateAsync(AuditActor actor, string who, CustomerDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (CustomerValidation.CheckCustomer(draft, errors, versionRequired: false) is not { } fields)
        {
            return OfficeChange<Customer>.Invalid(errors);
        }

        var contacts = (draft.Contacts ?? []).Select(c => CustomerValidation.CheckContact(c, errors)!).ToList();
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        Customer customer;
        await using (var insert = new NpgsqlCommand($"""
            INSERT INTO office_customers ("Kind", "Name", "LegalName", "TaxId", "Email", "Phone", "Address", "Notes", "CreatedAt", "CreatedBy", "UpdatedAt")
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING {Columns}
            """, connection, transaction))
        {
            AddFields(insert.Parameters, fields);
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = Truncate(who, 256) });
            await using var reader = await insert.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            customer = Read(reader);
        }

        var saved = new List<Contact>();
        foreach (var contact in contacts)
        {
            saved.Add(await InsertContactAsync(connection, transaction, customer.Id, contact, ct) ?? throw new InvalidOperationException("The new customer vanished."));
        }

        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.customer.created", "office-customer", Key(customer.Id), null,
            new { kind = customer.Kind, customer.Version, fields = Filled(fields), contacts = saved.Count }, ct);
        return new(customer with { Contacts = saved });
    }

    /// <summary>Saves an edit made to version <see cref="CustomerDraft.Version"/> of the customer; refused when someone saved a later one.</summary>
    public async Task<OfficeChange<Customer>> UpdateAsync(AuditActor actor, long id, CustomerDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (draft.Contacts is not null)
        {
            errors["contacts"] = ["contacts are changed through /contacts, not with the customer."];
        }

        if (CustomerValidation.CheckCustomer(draft, errors, versionRequired: true) is not { } fields || errors.Count > 0)
        {
            return OfficeChange<Customer>.Invalid(errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        Customer before;
        await using (var read = new NpgsqlCommand($"""SELECT {Columns} FROM office_customers WHERE "Id" = $1 FOR UPDATE""", connection, transaction))
        {
            read.Parameters.Add(new() { Value = id });
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return OfficeChange<Customer>.Missing;
            }

            before = Read(reader);
        }

        if (before.Version != draft.Version)
        {
            return new(null, Conflict: $"Customer {id} was changed by someone else since you read it (you edited version {draft.Version}, "
                + $"it is now version {before.Version}, saved at {before.UpdatedAt:u}). Reload it and make your change again.");
        }

        Customer after;
        await using (var update = new NpgsqlCommand($"""
            UPDATE office_customers SET "Kind" = $1, "Name" = $2, "LegalName" = $3, "TaxId" = $4, "Email" = $5, "Phone" = $6, "Address" = $7,
                "Notes" = $8, "UpdatedAt" = $9, "Version" = "Version" + 1
            WHERE "Id" = $10 RETURNING {Columns}
            """, connection, transaction))
        {
            AddFields(update.Parameters, fields);
            update.Parameters.Add(new() { Value = time.GetUtcNow() });
            update.Parameters.Add(new() { Value = id });
            await using var reader = await update.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            after = Read(reader);
        }

        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.customer.updated", "office-customer", Key(id), new { before.Version },
            new { after.Version, fields = Changed(before, after) }, ct);
        return new(after);
    }

    /// <summary>Deletes a customer and its contacts; false when there is no such customer.</summary>
    public async Task<bool> DeleteAsync(AuditActor actor, long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            DELETE FROM office_customers WHERE "Id" = $1
            RETURNING "Kind", "Version", (SELECT count(*) FROM office_contacts WHERE "CustomerId" = $1)
            """);
        command.Parameters.Add(new() { Value = id });
        object? summary = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                summary = new { kind = (CustomerKind)reader.GetInt16(0), version = reader.GetInt32(1), contacts = reader.GetInt64(2) };
            }
        }

        if (summary is null)
        {
            return false;
        }

        await audit.AppendAsync(actor, "office.customer.deleted", "office-customer", Key(id), summary, null, ct);
        return true;
    }

    private static string OrderBy(CustomerSort sort) => sort switch
    {
        CustomerSort.NameDescending => """lower("Name") DESC, "Id" DESC""",
        CustomerSort.Created => """ "CreatedAt", "Id" """,
        CustomerSort.CreatedDescending => """ "CreatedAt" DESC, "Id" DESC""",
        _ => """lower("Name"), "Id" """,
    };

    private static void AddFilter(NpgsqlParameterCollection parameters, CustomerQuery query)
    {
        parameters.Add(new() { Value = (object?)query.Text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new() { Value = query.Kind is { } kind ? (short)kind : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
    }

    private static void AddFields(NpgsqlParameterCollection parameters, CustomerFields fields)
    {
        parameters.Add(new() { Value = (short)fields.Kind });
        parameters.Add(new() { Value = fields.Name });
        foreach (var text in new[] { fields.LegalName, fields.TaxId, fields.Email, fields.Phone, fields.Address, fields.Notes })
        {
            parameters.Add(new() { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        }
    }

    /// <summary>The names of the fields a new customer has (for the audit: which, never what).</summary>
    private static string[] Filled(CustomerFields f) =>
    [
        .. new (string Name, string? Value)[]
        {
            ("name", f.Name), ("legalName", f.LegalName), ("taxId", f.TaxId), ("email", f.Email), ("phone", f.Phone), ("address", f.Address), ("notes", f.Notes),
        }.Where(p => p.Value is not null).Select(p => p.Name),
    ];

    /// <summary>The names of the fields an edit changed.</summary>
    private static string[] Changed(Customer before, Customer after) =>
    [
        .. new (string Name, bool Changed)[]
        {
            ("kind", before.Kind != after.Kind), ("name", before.Name != after.Name), ("legalName", before.LegalName != after.LegalName),
            ("taxId", before.TaxId != after.TaxId), ("email", before.Email != after.Email), ("phone", before.Phone != after.Phone),
            ("address", before.Address != after.Address), ("notes", before.Notes != after.Notes),
        }.Where(p => p.Changed).Select(p => p.Name),
    ];

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static Customer Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), (CustomerKind)reader.GetInt16(1), reader.GetString(2), Text(reader, 3), Text(reader, 4), Text(reader, 5),
        Text(reader, 6), Text(reader, 7), Text(reader, 8), reader.GetFieldValue<DateTimeOffset>(9), reader.GetString(10),
        reader.GetFieldValue<DateTimeOffset>(11), reader.GetInt32(12));
}

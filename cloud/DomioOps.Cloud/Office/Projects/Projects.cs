using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Planning;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Projects;

/// <summary>
/// Projects (<c>office_projects</c>) on PostgreSQL: the list with filter and paging, one project, changes checked whole
/// and refused when stale (<see cref="Project.Version"/>), each audited with the names of the fields it changed
/// (<c>office.project.*</c>); and the production of a project's accepted quotes as it goes, with the planner's forecast.
/// </summary>
internal sealed class Projects(NpgsqlDataSource dataSource, AuditTrail audit, TimeProvider time, Planner planner)
{
    private const string Columns = """
        p."Id", p."CustomerId", c."Name", p."Kind", p."Title", p."Address", p."Measurements", p."Materials", p."Notes", p."Status",
        p."CreatedAt", p."CreatedBy", p."UpdatedAt", p."Version"
        """;

    private const string From = """office_projects p JOIN office_customers c ON c."Id" = p."CustomerId" """;

    private const string Filter = """
        ($1::text IS NULL OR p."Title" ILIKE '%' || $1 || '%' OR p."Address" ILIKE '%' || $1 || '%' OR c."Name" ILIKE '%' || $1 || '%')
        AND ($2::text IS NULL OR p."Status" = $2) AND ($3::bigint IS NULL OR p."CustomerId" = $3)
        """;

    public async Task<ProjectPage> ListAsync(ProjectQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var batch = dataSource.CreateBatch();
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM {From} WHERE {Filter}");
        AddFilter(count.Parameters, query);
        batch.BatchCommands.Add(count);
        var page = new NpgsqlBatchCommand($"""SELECT {Columns} FROM {From} WHERE {Filter} ORDER BY p."UpdatedAt" DESC, p."Id" DESC LIMIT $4 OFFSET $5""");
        AddFilter(page.Parameters, query);
        page.Parameters.Add(new() { Value = query.PageSize });
        page.Parameters.Add(new() { Value = (long)(query.Page - 1) * query.PageSize });
        batch.BatchCommands.Add(page);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(ct);
        var items = new List<Project>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(Read(reader));
        }

        return new(total, items);
    }

    public async Task<Project?> GetAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""SELECT {Columns} FROM {From} WHERE p."Id" = $1""");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<OfficeChange<Project>> CreateAsync(AuditActor actor, string who, ProjectDraft draft, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ProjectValidation.Check(draft, errors, versionRequired: false) is not { } fields)
        {
            return OfficeChange<Project>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            INSERT INTO office_projects ("CustomerId", "Kind", "Title", "Address", "Measurements", "Materials", "Notes", "Status", "CreatedAt", "CreatedBy", "UpdatedAt")
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9 WHERE EXISTS (SELECT 1 FROM office_customers WHERE "Id" = $1)
            RETURNING "Id"
            """);
        AddFields(command.Parameters, fields);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = who.Length <= 256 ? who : who[..256] });
        if (await command.ExecuteScalarAsync(ct) is not long id)
        {
            errors["customerId"] = [$"There is no customer {fields.CustomerId}."];
            return OfficeChange<Project>.Invalid(errors);
        }

        var project = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, "office.project.created", "office-project", Key(id), null,
            new { project.CustomerId, project.Kind, project.Status, project.Version, fields = Filled(fields) }, ct);
        return new(project);
    }

    public async Task<OfficeChange<Project>> UpdateAsync(AuditActor actor, long id, ProjectDraft draft, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ProjectValidation.Check(draft, errors, versionRequired: true) is not { } fields)
        {
            return OfficeChange<Project>.Invalid(errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        Project before;
        await using (var read = new NpgsqlCommand($"""SELECT {Columns} FROM {From} WHERE p."Id" = $1 FOR UPDATE OF p""", connection, transaction))
        {
            read.Parameters.Add(new() { Value = id });
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return OfficeChange<Project>.Missing;
            }

            before = Read(reader);
        }

        if (before.Version != draft.Version)
        {
            return new(null, Conflict: $"Project {id} was changed by someone else since you read it (you edited version {draft.Version}, "
                + $"it is now version {before.Version}, saved at {before.UpdatedAt:u}). Reload it and make your change again.");
        }

        await using (var update = new NpgsqlCommand("""
            UPDATE office_projects SET "CustomerId" = $1, "Kind" = $2, "Title" = $3, "Address" = $4, "Measurements" = $5, "Materials" = $6,
                "Notes" = $7, "Status" = $8, "UpdatedAt" = $9, "Version" = "Version" + 1
            WHERE "Id" = $10 AND EXISTS (SELECT 1 FROM office_customers WHERE "Id" = $1)
            """, connection, transaction))
        {
            AddFields(update.Parameters, fields);
            update.Parameters.Add(new() { Value = time.GetUtcNow() });
            update.Parameters.Add(new() { Value = id });
            if (await update.ExecuteNonQueryAsync(ct) == 0)
            {
                errors["customerId"] = [$"There is no customer {fields.CustomerId}."];
                return OfficeChange<Project>.Invalid(errors);
            }
        }

        await transaction.CommitAsync(ct);
        var after = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, "office.project.updated", "office-project", Key(id), new { before.Version, before.Status },
            new { after.Version, after.Status, fields = Changed(before, after) }, ct);
        return new(after);
    }

    /// <summary>The production orders of the project's accepted quotes: parts and operations done of planned, and the planner's forecast.</summary>
    public async Task<IReadOnlyList<ProjectProduction>> ProductionAsync(long projectId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT po."Id", po."Number", o."QuoteId",
                (SELECT count(*)::int FROM production_parts pp WHERE pp."OrderId" = po."Id"),
                (SELECT count(*)::int FROM production_parts pp WHERE pp."OrderId" = po."Id"
                    AND NOT EXISTS (SELECT 1 FROM production_operations x WHERE x."PartId" = pp."Id" AND x."State" <> 'Done')),
                (SELECT count(*)::int FROM production_operations x WHERE x."OrderId" = po."Id"),
                (SELECT count(*)::int FROM production_operations x WHERE x."OrderId" = po."Id" AND x."State" = 'Done')
            FROM office_orders o
            JOIN office_order_production l ON l."OrderId" = o."Id"
            JOIN production_orders po ON po."Id" = l."ProductionOrderId"
            WHERE o."ProjectId" = $1
            ORDER BY po."Id"
            """);
        command.Parameters.Add(new() { Value = projectId });
        var forecasts = planner.Current.Orders.ToDictionary(f => f.OrderId);
        var rows = new List<ProjectProduction>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var orderId = reader.GetInt64(0);
            forecasts.TryGetValue(orderId, out var forecast);
            rows.Add(new(orderId, reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6),
                forecast?.Projected, forecast?.P50, forecast?.P90, forecast?.AtRisk ?? false));
        }

        return rows;
    }

    private static void AddFilter(NpgsqlParameterCollection parameters, ProjectQuery query)
    {
        parameters.Add(new() { Value = (object?)query.Text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new() { Value = (object?)query.Status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new() { Value = (object?)query.CustomerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
    }

    private static void AddFields(NpgsqlParameterCollection parameters, ProjectFields f)
    {
        parameters.Add(new() { Value = f.CustomerId });
        parameters.Add(new() { Value = f.Kind });
        parameters.Add(new() { Value = f.Title });
        foreach (var text in new[] { f.Address, f.Measurements, f.Materials, f.Notes })
        {
            parameters.Add(new() { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        }

        parameters.Add(new() { Value = f.Status });
    }

    private static string[] Filled(ProjectFields f) =>
    [
        .. new (string Name, string? Value)[] { ("title", f.Title), ("address", f.Address), ("measurements", f.Measurements), ("materials", f.Materials), ("notes", f.Notes) }
            .Where(p => p.Value is not null).Select(p => p.Name),
    ];

    private static string[] Changed(Project a, Project b) =>
    [
        .. new (string Name, bool Changed)[]
        {
            ("customerId", a.CustomerId != b.CustomerId), ("kind", a.Kind != b.Kind), ("title", a.Title != b.Title), ("address", a.Address != b.Address),
            ("measurements", a.Measurements != b.Measurements), ("materials", a.Materials != b.Materials), ("notes", a.Notes != b.Notes), ("status", a.Status != b.Status),
        }.Where(p => p.Changed).Select(p => p.Name),
    ];

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static Project Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), Text(r, 5), Text(r, 6), Text(r, 7), Text(r, 8), r.GetString(9),
        r.GetFieldValue<DateTimeOffset>(10), r.GetString(11), r.GetFieldValue<DateTimeOffset>(12), r.GetInt32(13));
}

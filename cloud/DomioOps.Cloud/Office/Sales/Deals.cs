using System.Globalization;

using DomioOps.Cloud.Audit;

using Npgsql;

using NpgsqlTypes;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// Pipelines and deals (<c>office_pipelines</c>, <c>office_pipeline_stages</c>, <c>office_deals</c>) on PostgreSQL. A
/// change is checked whole before anything is written, refused when the deal changed since it was read
/// (<see cref="Deal.Version"/>), audited (<c>office.deal.*</c>, with field names and stage ids, never the title or
/// value) and told to every silo's boards (<see cref="SalesFeed"/>).
/// </summary>
internal sealed class Deals(NpgsqlDataSource dataSource, AuditTrail audit, SalesFeedPublisher feed, TimeProvider time)
{
    private const string Columns = """
        d."Id", d."CustomerId", c."Name", d."PipelineId", d."StageId", d."Title", d."Value", d."ExpectedClose", d."OwnerId",
        d."CreatedAt", d."CreatedBy", d."UpdatedAt", d."Version"
        """;

    private const string From = """office_deals d JOIN office_customers c ON c."Id" = d."CustomerId" """;

    /// <summary>Every pipeline with its stages, in order.</summary>
    public async Task<IReadOnlyList<Pipeline>> PipelinesAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT p."Id", p."Key", p."NameEn", p."NameRu", s."Id", s."Position", s."Key", s."NameEn", s."NameRu", s."Outcome"
            FROM office_pipelines p JOIN office_pipeline_stages s ON s."PipelineId" = p."Id"
            ORDER BY p."Position", p."Id", s."Position", s."Id"
            """);
        var pipelines = new List<Pipeline>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt64(0);
            if (pipelines.Count == 0 || pipelines[^1].Id != id)
            {
                pipelines.Add(new(id, reader.GetString(1), reader.GetString(2), reader.GetString(3), new List<Stage>()));
            }

            ((List<Stage>)pipelines[^1].Stages).Add(new(reader.GetInt64(4), id, reader.GetInt32(5), reader.GetString(6), reader.GetString(7), reader.GetString(8),
                (StageOutcome)reader.GetInt16(9)));
        }

        return pipelines;
    }

    /// <summary>The deals of a pipeline and/or of a customer, in stage order then newest first (at most 2,000).</summary>
    public async Task<IReadOnlyList<Deal>> ListAsync(long? pipelineId, long? customerId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM {From} JOIN office_pipeline_stages s ON s."Id" = d."StageId"
            WHERE ($1::bigint IS NULL OR d."PipelineId" = $1) AND ($2::bigint IS NULL OR d."CustomerId" = $2)
            ORDER BY s."Position", d."Id" DESC LIMIT 2000
            """);
        command.Parameters.Add(new() { Value = (object?)pipelineId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)customerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        var deals = new List<Deal>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            deals.Add(Read(reader));
        }

        return deals;
    }

    public async Task<Deal?> GetAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""SELECT {Columns} FROM {From} WHERE d."Id" = $1""");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Creates a deal (a lead, when no stage is named) for <paramref name="callerId"/> unless it names its owner.</summary>
    public async Task<OfficeChange<Deal>> CreateAsync(AuditActor actor, string who, string? callerId, DealDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var title = CheckFields(draft, errors);
        if (draft.Version is not null)
        {
            errors["version"] = ["version is not given for a new deal."];
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var ownerId = DraftText.Clean(draft.OwnerId) ?? callerId;
        var stageId = await CheckReferencesAsync(connection, transaction, draft.CustomerId, draft.PipelineId, draft.StageId, ownerId, errors, ct);
        if (errors.Count > 0)
        {
            return OfficeChange<Deal>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        long id;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO office_deals ("CustomerId", "PipelineId", "StageId", "Title", "Value", "ExpectedClose", "OwnerId", "CreatedAt", "CreatedBy", "UpdatedAt")
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8) RETURNING "Id"
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = draft.CustomerId!.Value });
            insert.Parameters.Add(new() { Value = draft.PipelineId!.Value });
            insert.Parameters.Add(new() { Value = stageId!.Value });
            insert.Parameters.Add(new() { Value = title! });
            insert.Parameters.Add(new() { Value = draft.Value!.Value });
            insert.Parameters.Add(new() { Value = (object?)draft.ExpectedClose ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
            insert.Parameters.Add(new() { Value = ownerId! });
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = who.Length <= 256 ? who : who[..256] });
            id = (long)(await insert.ExecuteScalarAsync(ct))!;
        }

        var deal = await ReadAsync(connection, transaction, id, lockRow: false, ct);
        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.deal.created", "office-deal", Key(id), null,
            new { deal!.CustomerId, deal.PipelineId, deal.StageId, deal.Version, fields = Filled(draft) }, ct);
        await feed.DealChangedAsync(deal.PipelineId, deal.CustomerId);
        return new(deal);
    }

    /// <summary>Saves an edit made to version <see cref="DealDraft.Version"/>; the pipeline, customer and stage may change too.</summary>
    public async Task<OfficeChange<Deal>> UpdateAsync(AuditActor actor, long id, DealDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var title = CheckFields(draft, errors);
        if (draft.Version is not > 0)
        {
            errors["version"] = ["version is required: the version of the deal the change starts from (as read)."];
        }

        if (draft.StageId is null)
        {
            errors["stageId"] = ["stageId is required: a stage of the deal's pipeline."];
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var before = await ReadAsync(connection, transaction, id, lockRow: true, ct);
        if (before is null)
        {
            return OfficeChange<Deal>.Missing;
        }

        var ownerId = DraftText.Clean(draft.OwnerId) ?? before.OwnerId;
        await CheckReferencesAsync(connection, transaction, draft.CustomerId, draft.PipelineId, draft.StageId, ownerId, errors, ct);
        if (errors.Count > 0)
        {
            return OfficeChange<Deal>.Invalid(errors);
        }

        if (Stale(before, draft.Version!.Value) is { } conflict)
        {
            return conflict;
        }

        await using (var update = new NpgsqlCommand("""
            UPDATE office_deals SET "CustomerId" = $1, "PipelineId" = $2, "StageId" = $3, "Title" = $4, "Value" = $5, "ExpectedClose" = $6,
                "OwnerId" = $7, "UpdatedAt" = $8, "Version" = "Version" + 1
            WHERE "Id" = $9
            """, connection, transaction))
        {
            update.Parameters.Add(new() { Value = draft.CustomerId!.Value });
            update.Parameters.Add(new() { Value = draft.PipelineId!.Value });
            update.Parameters.Add(new() { Value = draft.StageId!.Value });
            update.Parameters.Add(new() { Value = title! });
            update.Parameters.Add(new() { Value = draft.Value!.Value });
            update.Parameters.Add(new() { Value = (object?)draft.ExpectedClose ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Date });
            update.Parameters.Add(new() { Value = ownerId });
            update.Parameters.Add(new() { Value = time.GetUtcNow() });
            update.Parameters.Add(new() { Value = id });
            await update.ExecuteNonQueryAsync(ct);
        }

        var after = (await ReadAsync(connection, transaction, id, lockRow: false, ct))!;
        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.deal.updated", "office-deal", Key(id),
            new { before.CustomerId, before.PipelineId, before.StageId, before.Version },
            new { after.CustomerId, after.PipelineId, after.StageId, after.Version, fields = Changed(before, after) }, ct);
        await feed.DealChangedAsync(after.PipelineId, after.CustomerId);
        if (before.PipelineId != after.PipelineId || before.CustomerId != after.CustomerId)
        {
            await feed.DealChangedAsync(before.PipelineId, before.CustomerId);
        }

        return new(after);
    }

    /// <summary>Moves a deal to another stage of its own pipeline (audited <c>office.deal.moved</c> with both stages).</summary>
    public async Task<OfficeChange<Deal>> MoveAsync(AuditActor actor, long id, DealMove move, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(move);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (move.StageId is null)
        {
            errors["stageId"] = ["stageId is required: the stage to move the deal to."];
        }

        if (move.Version is not > 0)
        {
            errors["version"] = ["version is required: the version of the deal the move starts from (as read)."];
        }

        if (errors.Count > 0)
        {
            return OfficeChange<Deal>.Invalid(errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var before = await ReadAsync(connection, transaction, id, lockRow: true, ct);
        if (before is null)
        {
            return OfficeChange<Deal>.Missing;
        }

        if (!await StageOfAsync(connection, transaction, before.PipelineId, move.StageId!.Value, ct))
        {
            errors["stageId"] = [$"stageId {move.StageId} is not a stage of the deal's pipeline {before.PipelineId}."];
            return OfficeChange<Deal>.Invalid(errors);
        }

        if (Stale(before, move.Version!.Value) is { } conflict)
        {
            return conflict;
        }

        await using (var update = new NpgsqlCommand("""
            UPDATE office_deals SET "StageId" = $1, "UpdatedAt" = $2, "Version" = "Version" + 1 WHERE "Id" = $3
            """, connection, transaction))
        {
            update.Parameters.Add(new() { Value = move.StageId!.Value });
            update.Parameters.Add(new() { Value = time.GetUtcNow() });
            update.Parameters.Add(new() { Value = id });
            await update.ExecuteNonQueryAsync(ct);
        }

        var after = (await ReadAsync(connection, transaction, id, lockRow: false, ct))!;
        await transaction.CommitAsync(ct);
        await audit.AppendAsync(actor, "office.deal.moved", "office-deal", Key(id),
            new { before.CustomerId, before.PipelineId, before.StageId, before.Version },
            new { after.CustomerId, after.PipelineId, after.StageId, after.Version, fromStageId = before.StageId, toStageId = after.StageId }, ct);
        await feed.DealChangedAsync(after.PipelineId, after.CustomerId);
        return new(after);
    }

    private static string? CheckFields(DealDraft draft, Dictionary<string, string[]> errors)
    {
        var title = DraftText.Text(draft.Title, "title", Deal.MaxTitleLength, errors, required: true);
        if (draft.Value is null)
        {
            errors["value"] = ["value is required: the deal's worth in roubles (0 or more)."];
        }
        else if (draft.Value < 0)
        {
            errors["value"] = [$"value must be 0 or more roubles; got {draft.Value.Value.ToString(CultureInfo.InvariantCulture)}."];
        }
        else if (draft.Value > Deal.MaxValue || decimal.Round(draft.Value.Value, 2) != draft.Value)
        {
            errors["value"] = ["value has at most 16 digits before the point and 2 after it (kopecks)."];
        }

        if (draft.CustomerId is null)
        {
            errors["customerId"] = ["customerId is required: the customer the deal is with."];
        }

        if (draft.PipelineId is null)
        {
            errors["pipelineId"] = ["pipelineId is required: the pipeline the deal goes through."];
        }

        return title;
    }

    /// <summary>Checks the customer, pipeline, stage (the pipeline's first when none is named) and owner exist; returns the stage.</summary>
    private static async Task<long?> CheckReferencesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long? customerId, long? pipelineId,
        long? stageId, string? ownerId, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM office_customers WHERE "Id" = $1),
                   EXISTS (SELECT 1 FROM office_pipelines WHERE "Id" = $2),
                   (SELECT "Id" FROM office_pipeline_stages WHERE "PipelineId" = $2 AND ($3::bigint IS NULL OR "Id" = $3) ORDER BY "Position" LIMIT 1),
                   EXISTS (SELECT 1 FROM "AspNetUsers" WHERE "Id" = $4)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = (object?)customerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)pipelineId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)stageId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)ownerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (customerId is not null && !reader.GetBoolean(0))
        {
            errors["customerId"] = [$"customerId {customerId} is no customer."];
        }

        if (pipelineId is not null && !reader.GetBoolean(1))
        {
            errors["pipelineId"] = [$"pipelineId {pipelineId} is no pipeline."];
        }
        else if (pipelineId is not null && reader.IsDBNull(2))
        {
            errors["stageId"] = [$"stageId {stageId} is not a stage of pipeline {pipelineId}."];
        }

        if (ownerId is null)
        {
            errors["ownerId"] = ["ownerId is required: the user id of the person the deal belongs to."];
        }
        else if (!reader.GetBoolean(3))
        {
            errors["ownerId"] = [$"ownerId '{ownerId}' is no person's user id."];
        }

        return reader.IsDBNull(2) ? null : reader.GetInt64(2);
    }

    private static async Task<bool> StageOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long pipelineId, long stageId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""SELECT EXISTS (SELECT 1 FROM office_pipeline_stages WHERE "PipelineId" = $1 AND "Id" = $2)""", connection, transaction);
        command.Parameters.Add(new() { Value = pipelineId });
        command.Parameters.Add(new() { Value = stageId });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static OfficeChange<Deal>? Stale(Deal before, int version) =>
        before.Version == version
            ? null
            : new(null, Conflict: $"Deal {before.Id} was changed by someone else since you read it (you started from version {version}, "
                + $"it is now version {before.Version}, saved at {before.UpdatedAt:u}). Reload it and make your change again.");

    private static async Task<Deal?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, bool lockRow, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""SELECT {Columns} FROM {From} WHERE d."Id" = $1 {(lockRow ? "FOR UPDATE OF d" : "")}""", connection, transaction);
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static string[] Filled(DealDraft d) =>
    [
        "title", "value", .. new (string Name, bool Filled)[] { ("expectedClose", d.ExpectedClose is not null), ("ownerId", d.OwnerId is not null) }
            .Where(p => p.Filled).Select(p => p.Name),
    ];

    private static string[] Changed(Deal before, Deal after) =>
    [
        .. new (string Name, bool Changed)[]
        {
            ("customerId", before.CustomerId != after.CustomerId), ("pipelineId", before.PipelineId != after.PipelineId),
            ("stageId", before.StageId != after.StageId), ("title", before.Title != after.Title), ("value", before.Value != after.Value),
            ("expectedClose", before.ExpectedClose != after.ExpectedClose), ("ownerId", before.OwnerId != after.OwnerId),
        }.Where(p => p.Changed).Select(p => p.Name),
    ];

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static Deal Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetString(5),
        reader.GetDecimal(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateOnly>(7), reader.GetString(8),
        reader.GetFieldValue<DateTimeOffset>(9), reader.GetString(10), reader.GetFieldValue<DateTimeOffset>(11), reader.GetInt32(12));
}

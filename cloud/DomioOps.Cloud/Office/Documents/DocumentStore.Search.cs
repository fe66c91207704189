using Npgsql;

namespace DomioOps.Cloud.Office.Documents;

internal sealed partial class DocumentStore
{
    /// <summary>The most hits a search answers.</summary>
    public const int MaxSearchLimit = 50;

    /// <summary>
    /// Documents whose name or current text matches <paramref name="query"/> (web-search syntax: words, "a phrase", -not,
    /// or), best first. Only a bounded set is ranked: the GIN index finds the matches, the newest
    /// <see cref="DocumentOptions.SearchCandidates"/> of them are ranked, the best <paramref name="limit"/> answered with a
    /// fragment of their text. Ranking reads every ranked row's whole vector (out of line, in TOAST); ranking every match
    /// of a common word over 100,000 documents is what makes such a search slow (see README.md, Search).
    /// </summary>
    public async Task<IReadOnlyList<DocumentHit>> SearchAsync(string query, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            WITH query AS (
                SELECT websearch_to_tsquery('russian', @q) || websearch_to_tsquery('english', @q) AS q
            ),
            candidates AS (
                SELECT d."Id" FROM office_documents d, query WHERE d."Search" @@ query.q ORDER BY d."Id" DESC LIMIT @candidates
            ),
            best AS (
                SELECT d."Id", d."OwnerKind", d."OwnerId", d."Name", d."CurrentVersion", d."CurrentText",
                       ts_rank(d."Search", query.q) AS rank
                FROM office_documents d JOIN candidates c ON c."Id" = d."Id", query
                ORDER BY rank DESC, d."Id" DESC LIMIT @limit
            )
            SELECT b."Id", b."OwnerKind", b."OwnerId", b."Name", b."CurrentVersion", b.rank,
                   CASE WHEN b."CurrentText" IS NULL THEN NULL
                        ELSE ts_headline('russian', b."CurrentText", query.q, 'MaxFragments=1, MaxWords=24, MinWords=8, StartSel=«, StopSel=»') END
            FROM best b, query
            ORDER BY b.rank DESC, b."Id" DESC
            """);
        command.Parameters.AddWithValue("q", query);
        command.Parameters.AddWithValue("candidates", options.Value.SearchCandidates);
        command.Parameters.AddWithValue("limit", limit);
        var hits = new List<DocumentHit>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hits.Add(new DocumentHit(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt32(4),
                reader.GetFloat(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return hits;
    }

    /// <summary>
    /// Claims the oldest pending version no live worker holds, until <paramref name="leaseUntil"/> (another silo's worker
    /// takes it after that, should this one die); null when none waits.
    /// </summary>
    public async Task<PendingVersion?> ClaimAsync(DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE office_document_versions v SET "LeaseUntil" = @until
            FROM (SELECT "DocumentId", "Version" FROM office_document_versions
                  WHERE "TextState" = 'pending' AND ("LeaseUntil" IS NULL OR "LeaseUntil" < @now)
                  ORDER BY "UploadedAt" LIMIT 1 FOR UPDATE SKIP LOCKED) p
            WHERE v."DocumentId" = p."DocumentId" AND v."Version" = p."Version"
            RETURNING v."DocumentId", v."Version", v."ContentType", v."Content"
            """);
        command.Parameters.AddWithValue("until", leaseUntil);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new PendingVersion(reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3))
            : null;
    }

    /// <summary>How many versions wait for their text (all silos).</summary>
    public async Task<long> PendingCountAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""SELECT count(*) FROM office_document_versions WHERE "TextState" = 'pending'""");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Records a version's text; when the version is still the document's current one, its text (capped) becomes what the
    /// document is found by. One transaction, so search never sees a version's text without its state.
    /// </summary>
    public async Task ExtractedAsync(long id, int version, string text, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand("""
            UPDATE office_document_versions SET "Text" = @text, "TextState" = 'extracted', "TextError" = NULL, "LeaseUntil" = NULL
            WHERE "DocumentId" = @id AND "Version" = @version;
            UPDATE office_documents SET "CurrentText" = left(@text, @cap) WHERE "Id" = @id AND "CurrentVersion" = @version;
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("text", text);
            command.Parameters.AddWithValue("cap", options.Value.MaxIndexedCharacters);
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("version", version);
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>Records why a version's text could not be taken (the reason says what to install or change).</summary>
    public async Task FailedAsync(long id, int version, string reason, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE office_document_versions SET "TextState" = 'failed', "TextError" = @reason, "LeaseUntil" = NULL
            WHERE "DocumentId" = @id AND "Version" = @version
            """);
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("version", version);
        await command.ExecuteNonQueryAsync(ct);
    }
}

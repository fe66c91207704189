using System.Security.Cryptography;

using DomioOps.Cloud.Audit;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>
/// The documents and their versions in PostgreSQL (<c>office_documents</c>, <c>office_document_versions</c>, migration
/// 0017): each upload is one transaction (the version with its bytes, and the document pointing at it), audited with what
/// changed. Text extraction and search are in the other parts of this class.
/// </summary>
internal sealed partial class DocumentStore(NpgsqlDataSource dataSource, AuditTrail audit, IOptions<DocumentOptions> options, TimeProvider time)
{
    private const string VersionColumns = """
        "Version", "ContentType", "Size", "Sha256", "UploadedAt", "UploadedBy", "Note", "TextState", "TextError"
        """;

    /// <summary>Raised after an upload committed: the extraction workers of this silo look at once.</summary>
    public event Action? Uploaded;

    /// <summary>Creates a document with its first version.</summary>
    public async Task<OfficeDocument> CreateAsync(AuditActor actor, string by, DocumentUpload upload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(upload);
        var now = time.GetUtcNow();
        long id;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using (var insert = new NpgsqlCommand("""
                INSERT INTO office_documents ("OwnerKind", "OwnerId", "Name", "CreatedAt", "CreatedBy", "CurrentVersion")
                VALUES (@kind, @owner, @name, @now, @by, 1) RETURNING "Id"
                """, connection, transaction))
            {
                insert.Parameters.AddWithValue("kind", upload.OwnerKind);
                insert.Parameters.AddWithValue("owner", upload.OwnerId);
                insert.Parameters.AddWithValue("name", upload.Name);
                insert.Parameters.AddWithValue("now", now);
                insert.Parameters.AddWithValue("by", by);
                id = (long)(await insert.ExecuteScalarAsync(ct))!;
            }

            await InsertVersionAsync(connection, transaction, id, 1, upload.ContentType, upload.Content, upload.Note, by, now, ct);
            await transaction.CommitAsync(ct);
        }

        var document = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, "document.created", "office-document", Id(id), null, Summary(document), ct);
        Uploaded?.Invoke();
        return document;
    }

    /// <summary>Adds a version to a document, which becomes current (its text searched once extracted); null when there is no such document.</summary>
    public async Task<OfficeDocument?> AddVersionAsync(AuditActor actor, string by, long id, string contentType, byte[] content, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var before = await GetAsync(id, ct);
        if (before is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            int version;
            // The row lock orders concurrent uploads of one document: each gets the next number.
            await using (var next = new NpgsqlCommand("""
                UPDATE office_documents SET "CurrentVersion" = "CurrentVersion" + 1, "CurrentText" = NULL
                WHERE "Id" = @id RETURNING "CurrentVersion"
                """, connection, transaction))
            {
                next.Parameters.AddWithValue("id", id);
                if (await next.ExecuteScalarAsync(ct) is not int number)
                {
                    return null;
                }

                version = number;
            }

            await InsertVersionAsync(connection, transaction, id, version, contentType, content, note, by, now, ct);
            await transaction.CommitAsync(ct);
        }

        var after = (await GetAsync(id, ct))!;
        await audit.AppendAsync(actor, "document.version-added", "office-document", Id(id), Summary(before), Summary(after), ct);
        Uploaded?.Invoke();
        return after;
    }

    /// <summary>An owner's documents, newest first, each with its versions (two queries, whatever the number of documents).</summary>
    public async Task<IReadOnlyList<OfficeDocument>> ListAsync(string ownerKind, long ownerId, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        var heads = new NpgsqlBatchCommand("""
            SELECT "Id", "Name", "CreatedAt", "CreatedBy", "CurrentVersion" FROM office_documents
            WHERE "OwnerKind" = @kind AND "OwnerId" = @owner ORDER BY "Id" DESC
            """);
        var versions = new NpgsqlBatchCommand($"""
            SELECT "DocumentId", {VersionColumns} FROM office_document_versions
            WHERE "DocumentId" IN (SELECT "Id" FROM office_documents WHERE "OwnerKind" = @kind AND "OwnerId" = @owner)
            ORDER BY "DocumentId", "Version" DESC
            """);
        foreach (var command in (NpgsqlBatchCommand[])[heads, versions])
        {
            command.Parameters.AddWithValue("kind", ownerKind);
            command.Parameters.AddWithValue("owner", ownerId);
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        var documents = new List<(long Id, string Name, DateTimeOffset CreatedAt, string CreatedBy, int Current)>();
        while (await reader.ReadAsync(ct))
        {
            documents.Add((reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3), reader.GetInt32(4)));
        }

        await reader.NextResultAsync(ct);
        var byDocument = new Dictionary<long, List<DocumentVersion>>();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt64(0);
            if (!byDocument.TryGetValue(id, out var list))
            {
                byDocument[id] = list = [];
            }

            list.Add(ReadVersion(reader, 1));
        }

        return [.. documents.Select(d => new OfficeDocument(d.Id, ownerKind, ownerId, d.Name, d.CreatedAt, d.CreatedBy, d.Current,
            byDocument.GetValueOrDefault(d.Id) ?? []))];
    }

    /// <summary>A document with its versions (newest first), or null.</summary>
    public async Task<OfficeDocument?> GetAsync(long id, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        var head = new NpgsqlBatchCommand("""
            SELECT "OwnerKind", "OwnerId", "Name", "CreatedAt", "CreatedBy", "CurrentVersion" FROM office_documents WHERE "Id" = @id
            """);
        head.Parameters.AddWithValue("id", id);
        var versions = new NpgsqlBatchCommand($"""
            SELECT {VersionColumns} FROM office_document_versions WHERE "DocumentId" = @id ORDER BY "Version" DESC
            """);
        versions.Parameters.AddWithValue("id", id);
        batch.BatchCommands.Add(head);
        batch.BatchCommands.Add(versions);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var (kind, owner, name, createdAt, createdBy, current) = (reader.GetString(0), reader.GetInt64(1), reader.GetString(2),
            reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4), reader.GetInt32(5));
        await reader.NextResultAsync(ct);
        var list = new List<DocumentVersion>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadVersion(reader, 0));
        }

        return new OfficeDocument(id, kind, owner, name, createdAt, createdBy, current, list);
    }

    /// <summary>A version's file: its type, the document's name and the bytes; null when there is no such version.</summary>
    public async Task<(string ContentType, string Name, byte[] Content)?> ContentAsync(long id, int version, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT v."ContentType", d."Name", v."Content" FROM office_document_versions v JOIN office_documents d ON d."Id" = v."DocumentId"
            WHERE v."DocumentId" = @id AND v."Version" = @version
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("version", version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)) : null;
    }

    private static async Task InsertVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, int version,
        string contentType, byte[] content, string? note, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO office_document_versions ("DocumentId", "Version", "ContentType", "Size", "Sha256", "Content", "UploadedAt", "UploadedBy", "Note")
            VALUES (@id, @version, @type, @size, @sha, @content, @now, @by, @note)
            """, connection, transaction);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("version", version);
        insert.Parameters.AddWithValue("type", contentType);
        insert.Parameters.AddWithValue("size", (long)content.Length);
        insert.Parameters.AddWithValue("sha", Convert.ToHexStringLower(SHA256.HashData(content)));
        insert.Parameters.AddWithValue("content", content);
        insert.Parameters.AddWithValue("now", now);
        insert.Parameters.AddWithValue("by", by);
        insert.Parameters.AddWithValue("note", NpgsqlTypes.NpgsqlDbType.Text, (object?)note ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A row of <see cref="VersionColumns"/>, starting at column <paramref name="at"/>.</summary>
    private static DocumentVersion ReadVersion(NpgsqlDataReader reader, int at) =>
        new(reader.GetInt32(at), reader.GetString(at + 1), reader.GetInt64(at + 2), reader.GetString(at + 3),
            reader.GetFieldValue<DateTimeOffset>(at + 4), reader.GetString(at + 5), reader.IsDBNull(at + 6) ? null : reader.GetString(at + 6),
            reader.GetString(at + 7), reader.IsDBNull(at + 8) ? null : reader.GetString(at + 8));

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What the audit trail keeps of a document: no contents, no note (it may name people).</summary>
    private static object Summary(OfficeDocument document)
    {
        var current = document.Versions.FirstOrDefault(v => v.Version == document.CurrentVersion);
        return new
        {
            document.OwnerKind,
            document.OwnerId,
            document.Name,
            document.CurrentVersion,
            current?.ContentType,
            current?.Size,
            current?.Sha256,
        };
    }
}

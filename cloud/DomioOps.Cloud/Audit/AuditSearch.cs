using System.Globalization;
using System.Text;

using DomioOps.Cloud.Cluster;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// The audit trail as administrators read it, for the Audit page and the CSV export alike: filtered by person, action
/// and time, paged in the database, and with the names of the people, terminals and API keys the rows name by id
/// looked up as they are read (the rows themselves keep no names, so that erasing a person leaves the chain intact).
/// </summary>
internal sealed class AuditSearch(IOptions<SiloOptions> silo)
{
    private const string Columns = """
        a.seq, a.at, a.actor_kind, a.actor_id, a.address, a.action, a.entity_type, a.entity_id, a.before, a.after, a.prev_hash, a.hash,
        actor."UserName", COALESCE(person."UserName", terminal."Name", api_key."Name")
        """;

    private const string Names = """
        LEFT JOIN "AspNetUsers" actor ON actor."Id" = a.actor_id
        LEFT JOIN "AspNetUsers" person ON a.entity_type = 'user' AND person."Id" = a.entity_id
        LEFT JOIN domio_terminals terminal ON a.entity_type = 'terminal' AND terminal."Id" = a.entity_id
        LEFT JOIN domio_api_keys api_key ON a.entity_type = 'api-key' AND api_key."Id" = a.entity_id
        """;

    /// <summary>One page of the rows <paramref name="filter"/> admits, newest (or oldest) first, and how many it admits in all.</summary>
    public async Task<AuditPage> SearchAsync(AuditFilter filter, int skip, int take, bool newestFirst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var where = await WhereAsync(connection, filter, cancellationToken);
        long total;
        await using (var count = where.Command($"SELECT count(*) FROM domio_audit a {where.Sql}", connection))
        {
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        var rows = new List<AuditEntry>();
        await using var command = where.Command(
            $"SELECT {Columns} FROM domio_audit a {Names} {where.Sql} ORDER BY a.seq {(newestFirst ? "DESC" : "ASC")} OFFSET @skip LIMIT @take", connection);
        command.Parameters.AddWithValue("skip", Math.Max(0, skip));
        command.Parameters.AddWithValue("take", Math.Clamp(take, 1, 1000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Entry(reader));
        }

        return new AuditPage(rows, total);
    }

    /// <summary>How many rows <paramref name="filter"/> admits before row <paramref name="seq"/> in that order: where it is in the list.</summary>
    public async Task<long> PositionAsync(AuditFilter filter, long seq, bool newestFirst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var where = await WhereAsync(connection, filter, cancellationToken);
        var before = newestFirst ? "a.seq > @seq" : "a.seq < @seq";
        await using var count = where.Command(
            $"SELECT count(*) FROM domio_audit a {(where.Sql.Length == 0 ? "WHERE" : where.Sql + " AND")} {before}", connection);
        count.Parameters.AddWithValue("seq", seq);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Every row <paramref name="filter"/> admits, oldest first, as CSV (RFC 4180, UTF-8 with a byte order mark so that
    /// spreadsheets read it as such); times in UTC, ISO 8601. A text that a spreadsheet would take for a formula is
    /// written with a leading apostrophe.
    /// </summary>
    public async Task WriteCsvAsync(AuditFilter filter, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 16 * 1024, leaveOpen: true);
        writer.NewLine = "\r\n";
        await writer.WriteLineAsync("seq,at,actor_kind,actor_id,actor_name,address,action,entity_type,entity_id,entity_name,before,after".AsMemory(), cancellationToken);
        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var where = await WhereAsync(connection, filter, cancellationToken);
        await using var command = where.Command($"SELECT {Columns} FROM domio_audit a {Names} {where.Sql} ORDER BY a.seq", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var line = new StringBuilder();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (row, actorName, entityName) = Entry(reader);
            line.Clear()
                .Append(row.Seq.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            foreach (var field in new[] { row.ActorKind, row.ActorId, actorName, row.Address, row.Action, row.EntityType, row.EntityId, entityName, row.Before, row.After })
            {
                line.Append(',').Append(CsvField(field));
            }

            await writer.WriteLineAsync(line, cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    internal static string CsvField(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        // OWASP's advice against CSV injection: a cell starting with one of these is a formula to a spreadsheet.
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static AuditEntry Entry(NpgsqlDataReader reader) =>
        new(AuditTrail.Read(reader), reader.IsDBNull(12) ? null : reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13));

    /// <summary>
    /// The filter as a WHERE clause. A person is named by user name or by user id (an erased person is known by the id
    /// alone) and matches the rows by them and about them.
    /// </summary>
    private static async Task<Where> WhereAsync(NpgsqlConnection connection, AuditFilter filter, CancellationToken cancellationToken)
    {
        var clauses = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        if (!string.IsNullOrWhiteSpace(filter.Person))
        {
            var person = filter.Person.Trim();
            await using (var find = new NpgsqlCommand("""SELECT "Id" FROM "AspNetUsers" WHERE "NormalizedUserName" = @name""", connection))
            {
                // Identity's normalisation of user names (UpperInvariantLookupNormalizer).
                find.Parameters.AddWithValue("name", person.ToUpperInvariant());
                person = await find.ExecuteScalarAsync(cancellationToken) as string ?? person;
            }

            clauses.Add("(a.actor_id = @person OR (a.entity_type = 'user' AND a.entity_id = @person))");
            parameters.Add(new NpgsqlParameter("person", person));
        }

        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            clauses.Add("starts_with(a.action, @action)");
            parameters.Add(new NpgsqlParameter("action", filter.Action.Trim()));
        }

        if (filter.From is { } from)
        {
            clauses.Add("a.at >= @from");
            parameters.Add(new NpgsqlParameter("from", from.ToUniversalTime()));
        }

        if (filter.To is { } to)
        {
            clauses.Add("a.at < @to");
            parameters.Add(new NpgsqlParameter("to", to.ToUniversalTime()));
        }

        return new Where(clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses), parameters);
    }

    private sealed record Where(string Sql, List<NpgsqlParameter> Parameters)
    {
        public NpgsqlCommand Command(string sql, NpgsqlConnection connection)
        {
            var command = new NpgsqlCommand(sql, connection);
            foreach (var parameter in Parameters)
            {
                command.Parameters.Add(parameter.Clone());
            }

            return command;
        }
    }
}

/// <summary>
/// Which rows of the trail: by or about a <see cref="Person"/> (user name or id), whose action starts with
/// <see cref="Action"/>, from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive); null admits every row.
/// </summary>
internal sealed record AuditFilter(string? Person = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>A row and the names its ids have now (null for a system actor, an erased person, an unknown id).</summary>
internal sealed record AuditEntry(AuditRecord Record, string? ActorName, string? EntityName);

internal sealed record AuditPage(IReadOnlyList<AuditEntry> Rows, long Total);

using Npgsql;

namespace DomioOps.Cloud.Office.Sales;

/// <summary>
/// Everything that happened to a customer, newest first, one page at a time: the audit trail's rows about the customer,
/// its contacts, deals and activities (found by the customer id their rows carry), and each document version uploaded
/// for it (<c>office_documents</c> with owner kind <c>customer</c>), merged in one ordered query. The audit rows name
/// fields, not values; the deal's and activity's current title or subject is read beside them.
/// </summary>
internal sealed class CustomerTimeline(NpgsqlDataSource dataSource)
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    /// <summary>Page <paramref name="page"/> (from 1) of the customer's timeline, or null when there is no such customer.</summary>
    public async Task<TimelinePage?> ReadAsync(long customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var exists = new NpgsqlCommand("""SELECT EXISTS (SELECT 1 FROM office_customers WHERE "Id" = $1)""", connection))
        {
            exists.Parameters.Add(new() { Value = customerId });
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                return null;
            }
        }

        // Ties (one transaction's rows at the same time) fall to the audit sequence, then the document version.
        await using var command = new NpgsqlCommand("""
            WITH events AS (
                SELECT a.at, a.seq AS tie, a.action, a.entity_type, a.entity_id, a.actor_id, a.after
                FROM domio_audit a WHERE a.entity_type = 'office-customer' AND a.entity_id = $1::text
                UNION ALL
                SELECT a.at, a.seq, a.action, a.entity_type, a.entity_id, a.actor_id, a.after
                FROM domio_audit a
                WHERE a.entity_type IN ('office-contact', 'office-deal', 'office-activity')
                  AND ((coalesce(a.after, a.before))::jsonb ->> 'customerId') = $1::text
                UNION ALL
                SELECT v."UploadedAt", v."Version", 'office.document.uploaded', 'office-document', d."Id"::text, v."UploadedBy", NULL
                FROM office_documents d JOIN office_document_versions v ON v."DocumentId" = d."Id"
                WHERE d."OwnerKind" = 'customer' AND d."OwnerId" = $1
            )
            SELECT e.at, e.action, e.entity_type, e.entity_id,
                   coalesce(u."UserName", e.actor_id),
                   CASE e.entity_type
                       WHEN 'office-deal' THEN (SELECT "Title" FROM office_deals WHERE "Id"::text = e.entity_id)
                       WHEN 'office-activity' THEN (SELECT "Subject" FROM office_activities WHERE "Id"::text = e.entity_id)
                       WHEN 'office-contact' THEN (SELECT "Name" FROM office_contacts WHERE "Id"::text = e.entity_id)
                       WHEN 'office-document' THEN (SELECT "Name" FROM office_documents WHERE "Id"::text = e.entity_id)
                   END,
                   CASE WHEN e.action = 'office.deal.moved' THEN
                       (SELECT "NameEn" || ' / ' || "NameRu" FROM office_pipeline_stages WHERE "Id" = (e.after::jsonb ->> 'fromStageId')::bigint)
                       || ' → ' ||
                       (SELECT "NameEn" || ' / ' || "NameRu" FROM office_pipeline_stages WHERE "Id" = (e.after::jsonb ->> 'toStageId')::bigint)
                   END
            FROM events e LEFT JOIN "AspNetUsers" u ON u."Id" = e.actor_id
            ORDER BY e.at DESC, e.tie DESC
            LIMIT $2 OFFSET $3
            """, connection);
        command.Parameters.Add(new() { Value = customerId });
        command.Parameters.Add(new() { Value = pageSize + 1 });
        command.Parameters.Add(new() { Value = (long)(page - 1) * pageSize });
        var items = new List<TimelineEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2),
                long.TryParse(reader.IsDBNull(3) ? null : reader.GetString(3), System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null,
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        var more = items.Count > pageSize;
        return new(page, pageSize, more, more ? items[..pageSize] : items);
    }
}

namespace DomioOps.Cloud.Office.Documents;

internal sealed partial class DocumentStore
{
    /// <summary>A version's extracted text (null while pending or when it failed), or null when there is no such version.</summary>
    public async Task<(string TextState, string? Text)?> TextAsync(long id, int version, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "TextState", "Text" FROM office_document_versions WHERE "DocumentId" = @id AND "Version" = @version
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("version", version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Office.Documents;

using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Office.Templates;

/// <summary>One version of a template: its kind and language, its text, who saved it and when (version 0: the built-in default).</summary>
internal sealed record DocumentTemplate(string Kind, string Culture, int Version, string Text, DateTimeOffset? SavedAt, string? SavedBy, string? Note);

/// <summary>A generated document: the document it is stored as, and the version this generation became.</summary>
internal sealed record GeneratedDocument(OfficeDocument Document, int Version);

/// <summary>
/// Document templates in PostgreSQL (<c>office_templates</c>, migration 0021): every save a new version, the newest in use,
/// the built-in default until one is saved. A template is saved only when it parses and renders the kind's sample model
/// without an unknown field. Generation renders a model and stores the HTML in the documents store, as a new document of
/// its owner or, when the owner has one of the same name (the same kind and number), as its next version.
/// </summary>
internal sealed class DocumentTemplates(NpgsqlDataSource dataSource, TemplateRenderer renderer, DocumentStore documents, AuditTrail audit,
    IOptionsMonitor<CompanyOptions> company, TimeProvider time)
{
    /// <summary>The template in use for each kind and language.</summary>
    public async Task<IReadOnlyList<DocumentTemplate>> ListAsync(CancellationToken ct)
    {
        var saved = new Dictionary<(string, string), DocumentTemplate>();
        await using var command = dataSource.CreateCommand("""
            SELECT DISTINCT ON ("Kind", "Culture") "Kind", "Culture", "Version", "Text", "SavedAt", "SavedBy", "Note"
            FROM office_templates ORDER BY "Kind", "Culture", "Version" DESC
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var template = Read(reader);
            saved[(template.Kind, template.Culture)] = template;
        }

        return [.. TemplateKinds.Kinds.SelectMany(k => TemplateKinds.Cultures.Select(c => saved.GetValueOrDefault((k, c)) ?? Default(k, c)))];
    }

    /// <summary>The template in use for a kind and language: the newest saved version, or the default.</summary>
    public async Task<DocumentTemplate> GetAsync(string kind, string culture, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Kind", "Culture", "Version", "Text", "SavedAt", "SavedBy", "Note" FROM office_templates
            WHERE "Kind" = @kind AND "Culture" = @culture ORDER BY "Version" DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("culture", culture);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : Default(kind, culture);
    }

    /// <summary>Every saved version of a kind and language, newest first (without their texts' defaults).</summary>
    public async Task<IReadOnlyList<DocumentTemplate>> HistoryAsync(string kind, string culture, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT "Kind", "Culture", "Version", "Text", "SavedAt", "SavedBy", "Note" FROM office_templates
            WHERE "Kind" = @kind AND "Culture" = @culture ORDER BY "Version" DESC
            """);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("culture", culture);
        var list = new List<DocumentTemplate>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <summary>
    /// Saves a new version when the text parses and renders the sample without an unknown field; otherwise the errors
    /// (<c>kind</c>, <c>culture</c>, <c>text</c>: its line or the unknown fields) and nothing is written.
    /// </summary>
    public async Task<OfficeChange<DocumentTemplate>> SaveAsync(AuditActor actor, string by, string kind, string culture, string? text, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var errors = await CheckAsync(kind, culture, text);
        if (note is { Length: > 500 })
        {
            errors["note"] = ["note is at most 500 characters."];
        }

        if (errors.Count > 0)
        {
            return OfficeChange<DocumentTemplate>.Invalid(errors);
        }

        DocumentTemplate saved;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            // One save at a time per kind and language, so each gets the next number.
            await using (var gate = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('office_templates:' || @kind || ':' || @culture))", connection, transaction))
            {
                gate.Parameters.AddWithValue("kind", kind);
                gate.Parameters.AddWithValue("culture", culture);
                await gate.ExecuteNonQueryAsync(ct);
            }

            await using var insert = new NpgsqlCommand("""
                INSERT INTO office_templates ("Kind", "Culture", "Version", "Text", "SavedAt", "SavedBy", "Note")
                SELECT @kind, @culture, coalesce(max("Version"), 0) + 1, @text, @now, @by, @note FROM office_templates
                WHERE "Kind" = @kind AND "Culture" = @culture
                RETURNING "Kind", "Culture", "Version", "Text", "SavedAt", "SavedBy", "Note"
                """, connection, transaction);
            insert.Parameters.AddWithValue("kind", kind);
            insert.Parameters.AddWithValue("culture", culture);
            insert.Parameters.AddWithValue("text", text!);
            insert.Parameters.AddWithValue("now", time.GetUtcNow());
            insert.Parameters.AddWithValue("by", by);
            insert.Parameters.AddWithValue("note", (object?)note ?? DBNull.Value);
            await using (var reader = await insert.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                saved = Read(reader);
            }

            await transaction.CommitAsync(ct);
        }

        await audit.AppendAsync(actor, "office.template.saved", "office-template", $"{kind}:{culture}", null,
            new { kind, culture, saved.Version, length = saved.Text.Length, sha256 = Hash(saved.Text), hasNote = note is not null }, ct);
        return new OfficeChange<DocumentTemplate>(saved);
    }

    /// <summary>The errors of a template (kind, culture, text), empty when it may be saved.</summary>
    public async Task<Dictionary<string, string[]>> CheckAsync(string? kind, string? culture, string? text)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TemplateKinds.IsKind(kind))
        {
            errors["kind"] = [$"kind '{kind}' is not one of {string.Join(", ", TemplateKinds.Kinds)}."];
        }

        if (!TemplateKinds.IsCulture(culture))
        {
            errors["culture"] = [$"culture '{culture}' is not one of {string.Join(", ", TemplateKinds.Cultures)}."];
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            errors["text"] = ["text is required: the template's Liquid."];
        }
        else if (errors.Count == 0 && await renderer.CheckAsync(kind!, text) is { } problem)
        {
            errors["text"] = [problem];
        }

        return errors;
    }

    /// <summary>Renders a template text (not saved) with the kind's sample model: the editor's preview.</summary>
    public Task<string> PreviewAsync(string kind, string culture, string text) =>
        renderer.RenderAsync(kind, text, TemplateKinds.Sample(kind), company.CurrentValue, CultureOf(culture));

    /// <summary>Renders a model with the template in use for its kind and language, to HTML.</summary>
    public async Task<string> RenderAsync(string kind, DocumentModel model, string culture, CancellationToken ct)
    {
        var template = await GetAsync(kind, culture, ct);
        return await renderer.RenderAsync(kind, template.Text, model, company.CurrentValue, CultureOf(culture));
    }

    /// <summary>
    /// Renders a model and stores the HTML with the owner's documents: as the next version of the owner's document of the
    /// same name (kind and number), or as a new document.
    /// </summary>
    public async Task<GeneratedDocument> GenerateAsync(AuditActor actor, string by, string kind, string culture, string ownerKind, long ownerId,
        DocumentModel model, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = Encoding.UTF8.GetBytes(await RenderAsync(kind, model, culture, ct));
        var name = FileName(kind, culture, model.Number);
        var existing = (await documents.ListAsync(ownerKind, ownerId, ct)).FirstOrDefault(d => d.Name == name);
        var document = existing is null
            ? await documents.CreateAsync(actor, by, new DocumentUpload(ownerKind, ownerId, name, HtmlType, html, note), ct)
            : await documents.AddVersionAsync(actor, by, existing.Id, HtmlType, html, note, ct);
        return new GeneratedDocument(document!, document!.CurrentVersion);
    }

    public const string HtmlType = "text/html; charset=utf-8";

    /// <summary>A generated document's file name: its title and number, e.g. <c>Счёт на оплату С-2026-077.html</c>.</summary>
    public static string FileName(string kind, string culture, string number)
    {
        var safe = string.Concat(number.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        return $"{TemplateKinds.Title(kind, culture)} {safe}.html";
    }

    public static CultureInfo CultureOf(string culture) => CultureInfo.GetCultureInfo(culture == "ru" ? "ru-RU" : "en-GB");

    private static DocumentTemplate Default(string kind, string culture) => new(kind, culture, 0, DefaultTemplates.For(kind, culture), null, null, null);

    private static DocumentTemplate Read(NpgsqlDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
        reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

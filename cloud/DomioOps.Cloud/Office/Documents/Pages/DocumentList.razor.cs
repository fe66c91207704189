using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Documents.Pages;

/// <summary>
/// An owner's documents on its page (customer, project, order): list with versions, upload, new version, download, preview.
/// Uploads go straight to the <see cref="DocumentStore"/> (one transaction each, audited by it), refused above
/// <see cref="DocumentOptions.MaxUploadBytes"/> with the limit named before a byte is read.
/// </summary>
public sealed partial class DocumentList
{
    private IReadOnlyList<OfficeDocument> documents = [];
    private IBrowserFile? chosen;
    private long chosenFor = -1;
    private string? newName;
    private string? newNote;
    private string? versionNote;
    private string? message;
    private string? problem;
    private Preview? preview;

    /// <summary>customer, project or order.</summary>
    [Parameter, EditorRequired]
    public string OwnerKind { get; set; } = "";

    [Parameter, EditorRequired]
    public long OwnerId { get; set; }

    /// <summary>Whether the page's circuit is connected (until then the controls do nothing).</summary>
    [Parameter]
    public bool Live { get; set; }

    [Inject]
    private DocumentStore Store { get; set; } = default!;

    [Inject]
    private IOptions<DocumentOptions> Options { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IStringLocalizer<Resources.Ui> Localizer { get; set; } = default!;

    private long MaxBytes => Options.Value.MaxUploadBytes;

    protected override async Task OnParametersSetAsync() => await LoadAsync();

    private async Task LoadAsync() => documents = await Store.ListAsync(OwnerKind, OwnerId, CancellationToken.None);

    private void Choose(long documentId, InputFileChangeEventArgs e)
    {
        (message, problem) = (null, null);
        chosen = e.File;
        chosenFor = documentId;
        if (e.File.Size > MaxBytes)
        {
            problem = Localizer["Documents.TooLarge", e.File.Name, Size(e.File.Size), Size(MaxBytes)];
            chosen = null;
        }
    }

    private async Task CreateAsync()
    {
        if (await FileAsync(0) is not var (actor, file, content))
        {
            return;
        }

        var name = string.IsNullOrWhiteSpace(newName) ? Path.GetFileName(file.Name) : newName.Trim();
        var document = await Store.CreateAsync(actor, actor.Id ?? "unknown",
            new DocumentUpload(OwnerKind, OwnerId, name, ContentTypeOf(file.ContentType, content), content, Trimmed(newNote)), CancellationToken.None);
        (newName, newNote, chosen) = (null, null, null);
        message = Localizer["Documents.Uploaded", document.Name];
        await LoadAsync();
    }

    private async Task AddVersionAsync(OfficeDocument document)
    {
        if (await FileAsync(document.Id) is not var (actor, file, content))
        {
            return;
        }

        var after = await Store.AddVersionAsync(actor, actor.Id ?? "unknown", document.Id, ContentTypeOf(file.ContentType, content), content, Trimmed(versionNote), CancellationToken.None);
        (versionNote, chosen) = (null, null);
        if (after is null)
        {
            problem = Localizer["Office.Gone"];
        }
        else
        {
            message = Localizer["Documents.VersionAdded", after.Name, after.CurrentVersion];
        }

        await LoadAsync();
    }

    /// <summary>Who acts and the chosen file's bytes, or null with the reason shown (not allowed, no file, too large).</summary>
    private async Task<(AuditActor Actor, IBrowserFile File, byte[] Content)?> FileAsync(long documentId)
    {
        (message, problem) = (null, null);
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        if (!(await Authorization.AuthorizeAsync(user, SecurityPolicies.Office)).Succeeded)
        {
            problem = Localizer["Office.NotAllowed"];
            return null;
        }

        if (chosen is null || chosenFor != documentId || chosen.Size == 0)
        {
            problem = Localizer["Documents.NoFile"];
            return null;
        }

        if (chosen.Size > MaxBytes)
        {
            problem = Localizer["Documents.TooLarge", chosen.Name, Size(chosen.Size), Size(MaxBytes)];
            return null;
        }

        using var copy = new MemoryStream((int)chosen.Size);
        await using (var stream = chosen.OpenReadStream(MaxBytes))
        {
            await stream.CopyToAsync(copy);
        }

        return (AuditActor.From(user, null), chosen, copy.ToArray());
    }

    private async Task PreviewAsync(OfficeDocument document, DocumentVersion version)
    {
        if (preview is { } shown && shown.Id == document.Id && shown.Version == version.Version)
        {
            preview = null;
            return;
        }

        var kind = DocumentPreview.KindOf(version.ContentType);
        var text = kind == "text" && await Store.TextAsync(document.Id, version.Version, CancellationToken.None) is { Text: { } extracted } ? extracted : null;
        preview = new Preview(document.Id, version.Version, kind, text);
    }

    /// <summary>The declared type, or what the bytes say when the browser declared none.</summary>
    private static string ContentTypeOf(string declared, byte[] content) =>
        !string.IsNullOrWhiteSpace(declared) && declared.Length <= 200 && !declared.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            ? declared
            : TextExtractor.KindOf(content, "") switch
            {
                "pdf" => "application/pdf",
                "image" when TextExtractor.IsPng(content) => "image/png",
                "image" when TextExtractor.IsJpeg(content) => "image/jpeg",
                "text" => "text/plain",
                _ => "application/octet-stream",
            };

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string ContentLink(long id, int version) => string.Create(CultureInfo.InvariantCulture, $"{DocumentsApi.Path}/{id}/versions/{version}/content");

    private static string PreviewLink(long id, int version) => string.Create(CultureInfo.InvariantCulture, $"{DocumentsApi.Path}/{id}/versions/{version}/preview");

    private string When(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Time.LocalTimeZone).ToString("g", CultureInfo.CurrentCulture);

    /// <summary>A size as people read it, in their culture: 1,2 MB, 300 KB, 12 bytes.</summary>
    private string Size(long bytes) =>
        bytes >= 1024 * 1024 ? Localizer["Documents.Megabytes", (bytes / (1024d * 1024)).ToString("0.#", CultureInfo.CurrentCulture)]
        : bytes >= 1024 ? Localizer["Documents.Kilobytes", (bytes / 1024d).ToString("0.#", CultureInfo.CurrentCulture)]
        : Localizer["Documents.Bytes", bytes];

    private sealed record Preview(long Id, int Version, string Kind, string? Text);
}

using DomioOps.Cloud.Office.Documents;
using DomioOps.Cloud.Office.Projects;
using DomioOps.Cloud.Office.Quotes;

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>A project: its quotes (and a new one), its production as it goes with the planner's forecast, its details, its files.</summary>
public sealed partial class ProjectDetail
{
    private Project? project;
    private IReadOnlyList<QuoteSummary> quotes = [];
    private IReadOnlyList<ProjectProduction> production = [];
    private IReadOnlyList<OfficeDocument> documents = [];
    private ProjectFormModel draft = new();

    [Parameter]
    public long Id { get; set; }

    [Inject]
    private Projects.Projects ProjectStore { get; set; } = default!;

    [Inject]
    private Quotes.Quotes QuoteStore { get; set; } = default!;

    [Inject]
    private DocumentStore Documents { get; set; } = default!;

    [Inject]
    private IOptions<DocumentOptions> DocumentLimits { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        project = await ProjectStore.GetAsync(Id, CancellationToken.None);
        if (project is null)
        {
            return;
        }

        draft = ProjectFormModel.From(project);
        quotes = await QuoteStore.ListForProjectAsync(Id, CancellationToken.None);
        production = await ProjectStore.ProductionAsync(Id, CancellationToken.None);
        documents = await Documents.ListAsync("project", Id, CancellationToken.None);
    }

    private async Task SaveAsync()
    {
        if (project is null || await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await ProjectStore.UpdateAsync(actor, Id, draft.ToDraft(project.CustomerId, project.Version), CancellationToken.None);
        if (Answer(change, Localizer["Office.Projects.Saved"]))
        {
            project = change.Value;
        }
    }

    private async Task NewQuoteAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await QuoteStore.CreateAsync(actor, await UserNameAsync(), new QuoteDraft(Id, null, []), CancellationToken.None);
        if (Answer(change, Localizer["Office.Quotes.Created"]))
        {
            Navigation.NavigateTo($"/office/quotes/{change.Value!.Id}");
        }
    }

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var limit = DocumentLimits.Value.MaxUploadBytes;
        if (e.File.Size > limit)
        {
            Problem = Localizer["Office.Projects.TooLarge"];
            return;
        }

        await using var stream = e.File.OpenReadStream(limit);
        using var content = new MemoryStream();
        await stream.CopyToAsync(content);
        var type = string.IsNullOrEmpty(e.File.ContentType) ? "application/octet-stream" : e.File.ContentType;
        await Documents.CreateAsync(actor, await UserIdAsync() ?? await UserNameAsync(),
            new DocumentUpload("project", Id, e.File.Name, type, content.ToArray(), null), CancellationToken.None);
        Message = Localizer["Office.Projects.Uploaded", e.File.Name];
        documents = await Documents.ListAsync("project", Id, CancellationToken.None);
    }
}

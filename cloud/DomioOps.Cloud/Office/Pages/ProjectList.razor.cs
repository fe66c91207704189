using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Office.Projects;

using Microsoft.AspNetCore.Components;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>The projects: words and status filter, paging on the server (20 a page), and a new project for a customer.</summary>
public sealed partial class ProjectList
{
    private const int PageSize = 20;

    private ProjectPage result = new(0, []);
    private IReadOnlyList<Customer> customers = [];
    private int page = 1;
    private string? text;
    private string status = "";
    private long customerId;
    private readonly ProjectFormModel draft = new();

    [Inject]
    private Projects.Projects ProjectStore { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "customerId")]
    public long? CustomerFromLink { get; set; }

    private int Pages => (int)Math.Max(1, (result.Total + PageSize - 1) / PageSize);

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        customerId = CustomerFromLink ?? 0;
        customers = (await Customers.ListAsync(new CustomerQuery(PageSize: CustomerQuery.MaxPageSize), CancellationToken.None)).Items;
        await LoadAsync(1);
    }

    private async Task LoadAsync(int to)
    {
        (Message, Problem) = (null, null);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ProjectQuery.Parse(text, status, null, Math.Max(1, to), PageSize, errors) is not { } query)
        {
            Problem = Localizer["Office.Invalid"];
            return;
        }

        page = query.Page;
        result = await ProjectStore.ListAsync(query, CancellationToken.None);
    }

    private async Task CreateAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await ProjectStore.CreateAsync(actor, await UserNameAsync(), draft.ToDraft(customerId, null), CancellationToken.None);
        if (Answer(change, Localizer["Office.Projects.Created"]))
        {
            Navigation.NavigateTo($"/office/projects/{change.Value!.Id}");
        }
    }
}

/// <summary>A project's fields as the forms hold them.</summary>
internal sealed class ProjectFormModel
{
    public string Kind { get; set; } = "kitchen";

    public string? Title { get; set; }

    public string? Address { get; set; }

    public string? Measurements { get; set; }

    public string? Materials { get; set; }

    public string? Notes { get; set; }

    public string Status { get; set; } = "enquiry";

    public static ProjectFormModel From(Project p) => new()
    {
        Kind = p.Kind,
        Title = p.Title,
        Address = p.Address,
        Measurements = p.Measurements,
        Materials = p.Materials,
        Notes = p.Notes,
        Status = p.Status,
    };

    public ProjectDraft ToDraft(long customerId, int? version) => new(customerId, Kind, Title, Address, Measurements, Materials, Notes, Status, version);
}

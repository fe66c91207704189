using System.Globalization;

using DomioOps.Cloud.Office.Customers;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>The customer list: search (Russian and English), kind, sort and paging on the server; the CSV of the same filter; a new customer.</summary>
public sealed partial class CustomerList
{
    private const int PageSize = 20;

    private CustomerPage result = new(0, []);
    private CustomerQuery query = new(PageSize: PageSize);
    private string? text;
    private string kind = "";
    private string sort = "name";
    private readonly CustomerFormModel draft = new();

    /// <summary>Words to search for from the address (the search page's "every customer found" link).</summary>
    [Microsoft.AspNetCore.Components.SupplyParameterFromQuery(Name = "q")]
    public string? Q { get; set; }

    private int Pages => (int)Math.Max(1, (result.Total + PageSize - 1) / PageSize);

    private string ExportLink => ExportLinkOf("csv");

    private string XlsxLink => ExportLinkOf("xlsx");

    private string ExportLinkOf(string format) => $"/api/office/customers/export.{format}?" + string.Join('&', new[] { ("q", query.Text), ("kind", kind), ("sort", sort) }
        .Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        if (!string.IsNullOrWhiteSpace(Q))
        {
            (text, sort) = (Q, "relevance");
        }

        await LoadAsync(1);
    }

    private static string Kind(CustomerKind kind) => kind == CustomerKind.Company ? "company" : "person";

    private async Task LoadAsync(int page)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        // Relevance needs words: without them the list is in name order, and the page says so in the sort box.
        var parsed = CustomerQuery.Parse(text, kind, sort, page.ToString(CultureInfo.InvariantCulture), PageSize.ToString(CultureInfo.InvariantCulture), errors);
        if (parsed is null)
        {
            Problem = Localizer["Office.Customers.TooFar"];
            return;
        }

        query = parsed;
        sort = query.Sort switch
        {
            CustomerSort.Relevance => "relevance",
            CustomerSort.NameDescending => "-name",
            CustomerSort.Created => "created",
            CustomerSort.CreatedDescending => "-created",
            _ => "name",
        };
        result = await Customers.ListAsync(query, CancellationToken.None);
    }

    private async Task SearchAsync()
    {
        (Message, Problem) = (null, null);
        if (!string.IsNullOrWhiteSpace(text) && sort == "name" && query.Text is null)
        {
            sort = "relevance";
        }

        await LoadAsync(1);
    }

    private async Task GoAsync(int page)
    {
        (Message, Problem) = (null, null);
        await LoadAsync(page);
    }

    private async Task CreateAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await Customers.CreateAsync(actor, await UserNameAsync(), draft.ToDraft(), CancellationToken.None);
        if (Answer(change, Localizer["Office.Customers.Created", change.Value?.Name ?? ""]))
        {
            Navigation.NavigateTo($"/office/customers/{change.Value!.Id}");
        }
    }
}

using System.Globalization;

using DomioOps.Cloud.Office.Materials;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>The stock per warehouse (below-minimum highlighted), the purchase suggestions and an order from them, and a new catalogue entry.</summary>
public sealed partial class MaterialStockPage
{
    private IReadOnlyList<StockRow> stock = [];
    private IReadOnlyList<PurchaseSuggestion> suggestions = [];
    private IReadOnlyList<Supplier> suppliers = [];
    private long supplierId;
    private string kind = "sheet";
    private string? name;
    private string? article;
    private string? thickness;
    private string? waste;
    private string? tapeWidth;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
    }

    private string Unit(MaterialUnit unit) => T[$"Materials.Unit.{unit}"];

    private async Task LoadAsync()
    {
        stock = await Stock.StockAsync(null, CancellationToken.None);
        suggestions = await Stock.SuggestionsAsync(null, CancellationToken.None);
        suppliers = await Purchases.SuppliersAsync(CancellationToken.None);
        if (suppliers.Count > 0 && !suppliers.Any(s => s.Id == supplierId))
        {
            supplierId = suppliers[0].Id;
        }
    }

    private async Task CreateAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "new";
        var draft = new MaterialDraft(kind, name, article, null, kind == "sheet" ? Parse(thickness) : null, null, null, kind == "sheet" ? Parse(waste) : null,
            kind == "edge" ? Parse(tapeWidth) : null);
        var change = await Stock.CreateMaterialAsync(actor, draft, CancellationToken.None);
        if (Answer(change, Localizer["Materials.Created", change.Value?.Name ?? ""]))
        {
            (name, article, thickness, waste, tapeWidth) = (null, null, null, null, null);
            await LoadAsync();
        }
    }

    private async Task OrderSuggestionsAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "suggest";
        var change = await Purchases.CreateAsync(actor, await UserNameAsync(), new PurchaseOrderDraft(supplierId, FromSuggestions: true), CancellationToken.None);
        if (Answer(change, Localizer["Materials.Purchase.Created", change.Value?.Id.ToString(CultureInfo.CurrentCulture) ?? ""]))
        {
            Navigation.NavigateTo($"/office/purchase-orders/{change.Value!.Id}");
        }
    }
}

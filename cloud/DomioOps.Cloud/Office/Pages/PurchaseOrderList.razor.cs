using System.Globalization;

using DomioOps.Cloud.Office.Materials;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>The purchase orders, a new one of one line (more lines through the API), and a new supplier.</summary>
public sealed partial class PurchaseOrderList
{
    private IReadOnlyList<PurchaseOrderSummary> orders = [];
    private IReadOnlyList<Supplier> suppliers = [];
    private IReadOnlyList<Material> materials = [];
    private long supplierId;
    private long materialId;
    private string? quantity;
    private string? price;
    private string? supplierName;
    private string? supplierTaxId;
    private string? supplierEmail;
    private string? supplierPhone;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        orders = await Purchases.ListAsync(CancellationToken.None);
        suppliers = await Purchases.SuppliersAsync(CancellationToken.None);
        materials = await Stock.MaterialsAsync(CancellationToken.None);
        supplierId = suppliers.Any(s => s.Id == supplierId) ? supplierId : suppliers.Count > 0 ? suppliers[0].Id : 0;
        materialId = materials.Any(m => m.Id == materialId) ? materialId : materials.Count > 0 ? materials[0].Id : 0;
    }

    private async Task CreateAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "po";
        // A typed text that is not a number is sent as -1: refused and named like any wrong quantity, and what was typed stays.
        var draft = new PurchaseOrderDraft(supplierId, Lines: [new PurchaseLineDraft(materialId, Parse(quantity) ?? (string.IsNullOrWhiteSpace(quantity) ? null : -1),
            Parse(price) ?? (string.IsNullOrWhiteSpace(price) ? 0 : -1))]);
        var change = await Purchases.CreateAsync(actor, await UserNameAsync(), draft, CancellationToken.None);
        if (Answer(change, Localizer["Materials.Purchase.Created", change.Value?.Id.ToString(CultureInfo.CurrentCulture) ?? ""]))
        {
            Navigation.NavigateTo($"/office/purchase-orders/{change.Value!.Id}");
        }
    }

    private async Task CreateSupplierAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "supplier";
        var change = await Purchases.CreateSupplierAsync(actor, new SupplierDraft(supplierName, supplierTaxId, supplierEmail, supplierPhone), CancellationToken.None);
        if (Answer(change, Localizer["Materials.Supplier.Created", change.Value?.Name ?? ""]))
        {
            (supplierName, supplierTaxId, supplierEmail, supplierPhone) = (null, null, null, null);
            await LoadAsync();
            supplierId = change.Value!.Id;
        }
    }
}

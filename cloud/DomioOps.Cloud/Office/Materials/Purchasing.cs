using System.Text.Json.Serialization;

namespace DomioOps.Cloud.Office.Materials;

/// <summary>Where a purchase order is: typed, sent to the supplier, partly or wholly received; or cancelled.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PurchaseOrderStatus>))]
public enum PurchaseOrderStatus
{
    [JsonStringEnumMemberName("draft")]
    Draft = 0,

    [JsonStringEnumMemberName("ordered")]
    Ordered = 1,

    [JsonStringEnumMemberName("partiallyReceived")]
    PartiallyReceived = 2,

    [JsonStringEnumMemberName("received")]
    Received = 3,

    [JsonStringEnumMemberName("cancelled")]
    Cancelled = 4,
}

/// <summary>A supplier of materials (<c>office_suppliers</c>); the INN is optional.</summary>
internal sealed record Supplier(long Id, string Name, string? TaxId, string? Email, string? Phone);

internal sealed record SupplierDraft(string? Name, string? TaxId = null, string? Email = null, string? Phone = null);

/// <summary>A purchase order (<c>office_purchase_orders</c>) with its lines, received into one warehouse.</summary>
internal sealed record PurchaseOrder(
    long Id,
    long SupplierId,
    string Supplier,
    long WarehouseId,
    PurchaseOrderStatus Status,
    string? Notes,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<PurchaseOrderLine> Lines)
{
    public decimal Total => Lines.Sum(l => l.Quantity * l.Price);
}

/// <summary>A line of a purchase order: what was ordered, at what price per unit, and how much has come in.</summary>
internal sealed record PurchaseOrderLine(long Id, int Line, long MaterialId, string Material, MaterialUnit Unit, decimal Quantity, decimal Price, decimal Received)
{
    public decimal Remaining => Quantity - Received;
}

/// <summary>
/// A new purchase order: its <see cref="Lines"/>, or, with <see cref="FromSuggestions"/>, a line for each purchase
/// suggestion of its warehouse (at price 0, to be filled in). The warehouse is the main one when not given.
/// </summary>
internal sealed record PurchaseOrderDraft(long? SupplierId, long? WarehouseId = null, string? Notes = null, IReadOnlyList<PurchaseLineDraft>? Lines = null,
    bool FromSuggestions = false);

internal sealed record PurchaseLineDraft(long? MaterialId, decimal? Quantity, decimal? Price);

/// <summary>What came in: a quantity per line (by its number, 1 up); lines not named did not come.</summary>
internal sealed record ReceiptDraft(IReadOnlyList<ReceiptLineDraft>? Lines, string? Note = null);

internal sealed record ReceiptLineDraft(int? Line, decimal? Quantity);

/// <summary>A purchase order as the list shows it.</summary>
internal sealed record PurchaseOrderSummary(long Id, string Supplier, PurchaseOrderStatus Status, int Lines, decimal Total, DateTimeOffset CreatedAt);

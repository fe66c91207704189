using System.Text.Json.Serialization;

namespace DomioOps.Cloud.Office.Materials;

/// <summary>What a material is: a sheet (chipboard, MDF) cut into parts, an edge band glued on their sides, or hardware.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MaterialKind>))]
public enum MaterialKind
{
    [JsonStringEnumMemberName("sheet")]
    Sheet = 0,

    [JsonStringEnumMemberName("edge")]
    Edge = 1,

    [JsonStringEnumMemberName("hardware")]
    Hardware = 2,
}

/// <summary>The unit a material is counted in: square metres (sheets), metres (edge bands), pieces (hardware).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MaterialUnit>))]
public enum MaterialUnit
{
    [JsonStringEnumMemberName("m2")]
    SquareMetre = 0,

    [JsonStringEnumMemberName("m")]
    Metre = 1,

    [JsonStringEnumMemberName("pcs")]
    Piece = 2,
}

/// <summary>
/// A catalogue entry (<c>office_materials</c>). A sheet has its <see cref="Thickness"/>, sheet size and
/// <see cref="WasteFactor"/> (1.15: a part of 1 m² uses 1.15 m² of sheets, offcuts included); an edge band its
/// <see cref="TapeWidth"/>; hardware its <see cref="Article"/>. Sizes in millimetres.
/// </summary>
internal sealed record Material(
    long Id,
    MaterialKind Kind,
    string Name,
    string? Article,
    MaterialUnit Unit,
    decimal? Thickness,
    decimal? SheetLength,
    decimal? SheetWidth,
    decimal WasteFactor,
    decimal? TapeWidth)
{
    public const int MaxNameLength = 200;
    public const int MaxArticleLength = 100;
}

/// <summary>A material as typed; <see cref="Kind"/> is <c>sheet</c>, <c>edge</c> or <c>hardware</c>, <see cref="Unit"/> <c>m2</c>, <c>m</c> or <c>pcs</c> (by default the kind's).</summary>
internal sealed record MaterialDraft(
    string? Kind,
    string? Name,
    string? Article = null,
    string? Unit = null,
    decimal? Thickness = null,
    decimal? SheetLength = null,
    decimal? SheetWidth = null,
    decimal? WasteFactor = null,
    decimal? TapeWidth = null);

/// <summary>A warehouse (<c>office_warehouses</c>); the seeded one is <c>main</c>, "Основной" / "Main".</summary>
internal sealed record Warehouse(long Id, string Code, string Name, string NameEn);

/// <summary>
/// A material in a warehouse now: <see cref="Available"/> = on hand − reserved (negative when orders need more than
/// there is); <see cref="BelowMinimum"/> when available is under the minimum.
/// </summary>
internal sealed record StockRow(
    long MaterialId,
    MaterialKind Kind,
    string Name,
    string? Article,
    MaterialUnit Unit,
    decimal? Thickness,
    long WarehouseId,
    string Warehouse,
    decimal OnHand,
    decimal Reserved,
    decimal Minimum,
    decimal? ReorderQuantity)
{
    public decimal Available => OnHand - Reserved;

    public bool BelowMinimum => Available < Minimum;
}

/// <summary>The minimum of a material in a warehouse, and what to order when below it (null: just enough to reach the minimum).</summary>
internal sealed record MinimumDraft(long? WarehouseId, decimal? Minimum, decimal? ReorderQuantity = null);

/// <summary>What a movement does: stock comes in, goes out, is counted; a reservation holds some, a release gives it back.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MovementKind>))]
public enum MovementKind
{
    [JsonStringEnumMemberName("receipt")]
    Receipt = 0,

    [JsonStringEnumMemberName("issue")]
    Issue = 1,

    [JsonStringEnumMemberName("adjustment")]
    Adjustment = 2,

    [JsonStringEnumMemberName("reservation")]
    Reservation = 3,

    [JsonStringEnumMemberName("release")]
    Release = 4,
}

/// <summary>A row of the ledger; <see cref="Quantity"/> is what it added to on-hand (receipt, issue, adjustment) or to reserved.</summary>
internal sealed record Movement(long Id, long MaterialId, long WarehouseId, MovementKind Kind, decimal Quantity, long? ProductionOrderId,
    long? PurchaseOrderId, string? Note, DateTimeOffset At, string By);

/// <summary>
/// A movement typed by a person: <c>receipt</c> (a positive quantity in), <c>issue</c> (a positive quantity out),
/// <c>adjustment</c> (a signed correction after a count). Reservations come from production orders, not from here.
/// </summary>
internal sealed record MovementDraft(long? MaterialId, long? WarehouseId, string? Kind, decimal? Quantity, string? Note = null);

/// <summary>A material whose available stock is below its minimum: what to buy (<see cref="Quantity"/>) to reach it, or its reorder quantity.</summary>
internal sealed record PurchaseSuggestion(long MaterialId, string Name, MaterialUnit Unit, long WarehouseId, string Warehouse, decimal Available,
    decimal Minimum, decimal Quantity);

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// A named price list (<c>office_price_lists</c>, <c>office_prices</c>): retail, contract. A quote picks one; its lines
/// without a typed price take theirs from it. Prices are roubles before VAT.
/// </summary>
internal sealed record PriceList(long Id, string Name, bool IsDefault, IReadOnlyList<PriceItem> Items)
{
    /// <summary>The price of <paramref name="item"/> of <paramref name="kind"/> (sheet material also by thickness), or null.</summary>
    public decimal? Find(string kind, string? item, decimal? thickness)
    {
        var match = Items.FirstOrDefault(p => p.Kind == kind && string.Equals(p.Item, item?.Trim(), StringComparison.OrdinalIgnoreCase)
            && (kind != PriceItem.Sheet || p.Thickness == (thickness ?? 0)));
        return match?.Price;
    }

    /// <summary>The labour rate of a work centre, or the list's one rate (<c>*</c>).</summary>
    public decimal? LabourRate(string? workCentreId) => Find(PriceItem.Labour, workCentreId, null) ?? Find(PriceItem.Labour, PriceItem.AnyWorkCentre, null);
}

/// <summary>One price: sheet material per m² (with thickness), edge band per metre, hardware per piece, labour per hour.</summary>
internal sealed record PriceItem(string Kind, string Item, decimal Thickness, decimal Price)
{
    public const string Sheet = "sheet";
    public const string Edge = "edge";
    public const string Hardware = "hardware";
    public const string Labour = "labour";
    public const string AnyWorkCentre = "*";
}

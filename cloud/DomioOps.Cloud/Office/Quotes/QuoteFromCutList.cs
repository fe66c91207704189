using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// Prices a cut list (parts as <see cref="CutListReader"/> read them, the same reader the production import uses): sheet
/// material in m² per material and thickness (length × width × quantity), edge band in metres per tape (each edged side's
/// length × quantity), and labour in hours per work centre from the routing production would derive
/// (<see cref="Routing.Derive"/>: each operation's standard set-up plus cycle time × quantity). A cut list has no hardware
/// column, so it brings no hardware lines. Items the price list lacks get a zero price and are named in
/// <see cref="CutListPricing.Unpriced"/>, for the person to price by hand.
/// </summary>
internal static class QuoteFromCutList
{
    /// <summary>Places of m² kept (0.001 m² = 10 cm²).</summary>
    public const int AreaDecimals = 3;

    /// <summary>Places of metres and hours kept.</summary>
    public const int LengthDecimals = 2;

    public static CutListPricing Price(IReadOnlyList<CutListPart> parts, IReadOnlyList<WorkCentre> workCentres, PriceList prices)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(workCentres);
        ArgumentNullException.ThrowIfNull(prices);
        var lines = new List<QuoteLineDraft>();
        var unpriced = new List<string>();
        foreach (var sheet in parts.GroupBy(p => (p.Material, p.Thickness)).OrderBy(g => g.Key.Material, StringComparer.Ordinal).ThenBy(g => g.Key.Thickness))
        {
            var area = Math.Round(sheet.Sum(p => p.Length * p.Width * p.Quantity) / 1_000_000m, AreaDecimals, MidpointRounding.AwayFromZero);
            var price = prices.Find(PriceItem.Sheet, sheet.Key.Material, sheet.Key.Thickness);
            if (price is null)
            {
                unpriced.Add($"{sheet.Key.Material} {sheet.Key.Thickness:0.##} mm");
            }

            lines.Add(new("panel", $"{sheet.Key.Material} {sheet.Key.Thickness:0.##} мм", sheet.Key.Material, sheet.Key.Thickness, area, price ?? 0m));
        }

        var edges = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (tape, side) in new[] { (part.EdgeL1, part.Length), (part.EdgeL2, part.Length), (part.EdgeW1, part.Width), (part.EdgeW2, part.Width) })
            {
                if (tape is not null)
                {
                    edges[tape] = edges.GetValueOrDefault(tape) + (side * part.Quantity);
                }
            }
        }

        foreach (var (tape, millimetres) in edges.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var price = prices.Find(PriceItem.Edge, tape, null);
            if (price is null)
            {
                unpriced.Add(tape);
            }

            lines.Add(new("edge", tape, tape, null, Math.Round(millimetres / 1000m, LengthDecimals, MidpointRounding.AwayFromZero), price ?? 0m));
        }

        var minutes = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var operation in Routing.Derive(ProductionImport.ToPart(part), workCentres).Operations)
            {
                minutes[operation.WorkCentreId] = minutes.GetValueOrDefault(operation.WorkCentreId)
                    + operation.SetupMinutes + (operation.CycleSeconds * operation.Planned / 60m);
            }
        }

        foreach (var centre in workCentres.Where(c => minutes.ContainsKey(c.Id)).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var rate = prices.LabourRate(centre.Id);
            if (rate is null)
            {
                unpriced.Add(centre.Name);
            }

            lines.Add(new("labour", centre.Name, centre.Id, null, Math.Round(minutes[centre.Id] / 60m, LengthDecimals, MidpointRounding.AwayFromZero), rate ?? 0m));
        }

        return new(lines, unpriced);
    }
}

/// <summary>The lines priced from a cut list, and the items the price list had no price for (priced at zero).</summary>
internal sealed record CutListPricing(IReadOnlyList<QuoteLineDraft> Lines, IReadOnlyList<string> Unpriced);

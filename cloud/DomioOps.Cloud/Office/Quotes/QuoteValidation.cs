using System.Globalization;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// Checks a quote's lines and figures as typed, naming each wrong one as the API body does (<c>lines[2].quantity</c>,
/// <c>discountPercent</c>), and prices the good ones from the price list; nothing is written until all are right.
/// </summary>
internal static class QuoteValidation
{
    public const decimal MaxQuantity = 1_000_000m;
    public const decimal MaxUnitPrice = 100_000_000m;

    /// <summary>The priced lines, or null with <paramref name="errors"/> filled.</summary>
    public static IReadOnlyList<QuoteLine>? CheckLines(IReadOnlyList<QuoteLineDraft>? drafts, PriceList prices, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(errors);
        drafts ??= [];
        if (drafts.Count > Quote.MaxLines)
        {
            errors["lines"] = [$"lines has at most {Quote.MaxLines} entries; got {drafts.Count}."];
            return null;
        }

        var lines = new List<QuoteLine>(drafts.Count);
        for (var i = 0; i < drafts.Count; i++)
        {
            var d = drafts[i];
            var at = $"lines[{i}].";
            if (d is null)
            {
                errors[$"lines[{i}]"] = ["the line is empty."];
                continue;
            }

            var kind = d.Kind?.Trim().ToLowerInvariant();
            if (kind is null || !Quote.LineKinds.Contains(kind))
            {
                errors[at + "kind"] = [$"{at}kind is one of {string.Join(", ", Quote.LineKinds)}; got '{d.Kind}'."];
                continue;
            }

            var item = string.IsNullOrWhiteSpace(d.Item) ? (kind == "labour" ? PriceItem.AnyWorkCentre : null) : d.Item.Trim();
            if (item is null && kind is "panel" or "edge" or "hardware")
            {
                errors[at + "item"] = [$"{at}item is required for a {kind} line: the material, tape or article as the price list names it."];
            }
            else if (item?.Length > 200)
            {
                errors[at + "item"] = [$"{at}item has at most 200 characters."];
            }

            var description = string.IsNullOrWhiteSpace(d.Description) ? item : d.Description.Trim();
            if (description is null)
            {
                errors[at + "description"] = [$"{at}description is required for a {kind} line."];
            }
            else if (description.Length > Quote.MaxDescriptionLength)
            {
                errors[at + "description"] = [$"{at}description has at most {Quote.MaxDescriptionLength} characters."];
            }

            if (d.Quantity is not { } quantity || quantity < 0 || quantity > MaxQuantity)
            {
                errors[at + "quantity"] = [$"{at}quantity is a number from 0 to {MaxQuantity.ToString(CultureInfo.InvariantCulture)}; got {Show(d.Quantity)}."];
            }

            if (d.DiscountPercent is < 0 or > 100)
            {
                errors[at + "discountPercent"] = [$"{at}discountPercent is 0 to 100; got {Show(d.DiscountPercent)}."];
            }

            if (d.Thickness is < 0 or > 100)
            {
                errors[at + "thickness"] = [$"{at}thickness is 0 to 100 mm; got {Show(d.Thickness)}."];
            }

            var thickness = kind == "panel" ? d.Thickness : null;
            var price = d.UnitPrice;
            if (price is < 0 or > MaxUnitPrice)
            {
                errors[at + "unitPrice"] = [$"{at}unitPrice is 0 to {MaxUnitPrice.ToString(CultureInfo.InvariantCulture)}; got {Show(d.UnitPrice)}."];
            }
            else if (price is null)
            {
                price = kind switch
                {
                    "panel" => prices.Find(PriceItem.Sheet, item, thickness),
                    "edge" => prices.Find(PriceItem.Edge, item, null),
                    "hardware" => prices.Find(PriceItem.Hardware, item, null),
                    "labour" => prices.LabourRate(item),
                    _ => null,
                };
                if (price is null && !errors.ContainsKey(at + "item"))
                {
                    errors[at + "unitPrice"] = [$"{at}unitPrice is required: price list '{prices.Name}' has no price for {kind} '{item}'"
                        + (thickness is { } t ? $" {t.ToString(CultureInfo.InvariantCulture)} mm" : "") + "."];
                }
            }

            if (errors.Keys.Any(k => k.StartsWith(at, StringComparison.Ordinal)))
            {
                continue;
            }

            var discount = d.DiscountPercent ?? 0m;
            lines.Add(new QuoteLine(kind, description!, item, thickness, d.Quantity!.Value, Unit(kind), price!.Value, discount,
                QuotePricing.LineAmount(d.Quantity.Value, price.Value, discount)));
        }

        return errors.Count == 0 ? lines : null;
    }

    /// <summary>The quote's discount and VAT (20 %, Russia's standard rate, when left out), each 0..100.</summary>
    public static (decimal Discount, decimal Vat) CheckFigures(QuoteDraft draft, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(errors);
        if (draft.DiscountPercent is < 0 or > 100)
        {
            errors["discountPercent"] = [$"discountPercent is 0 to 100; got {Show(draft.DiscountPercent)}."];
        }

        if (draft.VatPercent is < 0 or > 100)
        {
            errors["vatPercent"] = [$"vatPercent is 0 to 100; got {Show(draft.VatPercent)}."];
        }

        return (draft.DiscountPercent ?? 0m, draft.VatPercent ?? DefaultVatPercent);
    }

    /// <summary>Russia's standard VAT rate.</summary>
    public const decimal DefaultVatPercent = 20m;

    public static string Unit(string kind) => kind switch
    {
        "panel" => "m2",
        "edge" => "m",
        "labour" => "h",
        _ => "pcs",
    };

    private static string Show(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "nothing";
}

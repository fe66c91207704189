namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// The quote's arithmetic, in decimal: each line rounded to kopecks (half away from zero) first, then summed; the quote's
/// discount rounded, then VAT on what is left, rounded; the total is their sum. See README, "Totals and rounding".
/// </summary>
internal static class QuotePricing
{
    public static decimal LineAmount(decimal quantity, decimal unitPrice, decimal discountPercent) =>
        Kopecks(quantity * unitPrice * (100m - discountPercent) / 100m);

    public static QuoteTotals Totals(IEnumerable<QuoteLine> lines, decimal discountPercent, decimal vatPercent)
    {
        var subtotal = lines.Sum(l => l.Amount);
        var discount = Kopecks(subtotal * discountPercent / 100m);
        var net = subtotal - discount;
        var vat = Kopecks(net * vatPercent / 100m);
        return new(subtotal, discount, net, vat, net + vat);
    }

    public static decimal Kopecks(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}

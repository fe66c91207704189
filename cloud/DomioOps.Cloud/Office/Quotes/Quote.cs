using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// One line of a quote. <see cref="Kind"/>: <c>cabinet</c> (a free item, pieces), <c>panel</c> (sheet material, m²),
/// <c>edge</c> (edge band, m), <c>hardware</c> (an article, pieces), <c>labour</c> (hours). <see cref="Item"/> names the
/// material, tape, article or work centre in the price list; <see cref="Thickness"/> (mm) goes with a panel's material.
/// <see cref="Amount"/> is quantity × unit price less the line's discount, rounded to kopecks.
/// </summary>
internal sealed record QuoteLine(string Kind, string Description, string? Item, decimal? Thickness, decimal Quantity, string Unit, decimal UnitPrice,
    decimal DiscountPercent, decimal Amount);

/// <summary>A line as typed; <see cref="UnitPrice"/> left out is taken from the quote's price list.</summary>
internal sealed record QuoteLineDraft(string? Kind, string? Description = null, string? Item = null, decimal? Thickness = null, decimal? Quantity = null,
    decimal? UnitPrice = null, decimal? DiscountPercent = null);

/// <summary>A quote's figures: the lines' sum, the quote's discount, the sum after it, VAT and the total, each in kopecks.</summary>
internal sealed record QuoteTotals(decimal Subtotal, decimal Discount, decimal Net, decimal Vat, decimal Total);

/// <summary>One revision of a quote, as it was priced (and, once sent, as the customer saw it).</summary>
internal sealed record QuoteRevision(int Revision, IReadOnlyList<QuoteLine> Lines, decimal DiscountPercent, decimal VatPercent, QuoteTotals Totals,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>
/// A quote for a project (<c>office_quotes</c>): <see cref="Status"/> draft → sent → accepted or rejected; its current
/// <see cref="Revision"/> with lines and totals, and the numbers of every revision (each readable); the cut list it was
/// priced from, if any (the parts production will make when it is accepted); and the office order once accepted.
/// </summary>
internal sealed record Quote(long Id, long ProjectId, string ProjectTitle, long CustomerId, string CustomerName, long PriceListId, string PriceListName,
    string Status, QuoteRevision Current, IReadOnlyList<int> Revisions, string? CutListFile, int CutListParts, long? OrderId,
    IReadOnlyList<long> ProductionOrderIds, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, int Version)
{
    public static readonly IReadOnlyList<string> LineKinds = ["cabinet", "panel", "edge", "hardware", "labour"];

    public const int MaxLines = 1000;
    public const int MaxDescriptionLength = 300;
}

/// <summary>A new quote or an edit of one: the lines, the quote's discount and VAT (20 % when left out); <see cref="Version"/> required by an edit.</summary>
internal sealed record QuoteDraft(long? ProjectId = null, long? PriceListId = null, IReadOnlyList<QuoteLineDraft>? Lines = null, decimal? DiscountPercent = null,
    decimal? VatPercent = null, int? Version = null);

/// <summary>The acceptance: when production is due (two weeks from today when left out).</summary>
internal sealed record QuoteAcceptance(DateOnly? DueDate = null, int? Priority = null);

/// <summary>A quote in a project's list.</summary>
internal sealed record QuoteSummary(long Id, string Status, int Revision, decimal Total, DateTimeOffset UpdatedAt);

/// <summary>The parts of a cut list kept with a quote (stored as JSON), for production when the quote is accepted.</summary>
internal sealed record StoredCutList(string FileName, IReadOnlyList<CutListPart> Parts);

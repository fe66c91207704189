using DomioOps.Cloud.Office.Customers;
using DomioOps.Cloud.Office.Documents;
using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Office.Search;

/// <summary>What one search box finds: the best customers, orders and documents, each with how many matched in all.</summary>
/// <param name="Documents">Null when the person may not read documents (planners).</param>
internal sealed record OfficeSearchResult(string Query, CustomerPage Customers, OrderPage Orders, IReadOnlyList<DocumentHit>? Documents);

/// <summary>
/// The one search box across the office: each kind is searched where it lives, by its own index, at the same time —
/// customers by their stored <c>tsvector</c> (relevance over the newest matches), orders by number or customer (newest first),
/// documents by name and contents (relevance over a bounded candidate set). Nothing is searched twice or ranked here.
/// </summary>
internal sealed class OfficeSearch(Customers.Customers customers, ProductionOrders orders, DocumentStore documents)
{
    public const int DefaultLimit = 5;
    public const int MaxLimit = 20;

    public async Task<OfficeSearchResult> SearchAsync(string text, int limit, bool withDocuments, CancellationToken ct)
    {
        var customerHits = customers.ListAsync(new CustomerQuery(text, null, CustomerSort.Relevance, 1, limit), ct);
        // Newest first: an order's state and progress (aggregates over its operations) are then computed for the page
        // only, not for every match as sorting by them would need.
        var orderHits = orders.PageAsync(new OrderQuery(Search: text, Sort: nameof(OrderSummary.CreatedAt), Descending: true, Take: limit), ct);
        var documentHits = withDocuments ? documents.SearchAsync(text, limit, ct) : Task.FromResult<IReadOnlyList<DocumentHit>>([]);
        await Task.WhenAll(customerHits, orderHits, documentHits);
        return new OfficeSearchResult(text, await customerHits, await orderHits, withDocuments ? await documentHits : null);
    }

    /// <summary>The query parameters (<c>q</c>, <c>limit</c>) checked, or null with each bad one named in <paramref name="errors"/>.</summary>
    public static (string Text, int Limit)? Parse(string? q, string? limit, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = q?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            errors["q"] = ["q is required: the words to search for."];
        }
        else if (text.Length > CustomerQuery.MaxTextLength)
        {
            errors["q"] = [$"q has at most {CustomerQuery.MaxTextLength} characters; got {text.Length}."];
        }

        var count = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit is a whole number from 1 to {MaxLimit}; got '{limit}'."];
        }

        return errors.Count == 0 ? (text!, count) : null;
    }
}

using System.Globalization;

namespace DomioOps.Cloud.Office.Customers;

/// <summary>The order of the list: the search's relevance, the name or when the customer was created, either way.</summary>
internal enum CustomerSort
{
    Relevance,
    Name,
    NameDescending,
    Created,
    CreatedDescending,
}

/// <summary>
/// A page of the customer list: the words searched for (web-search syntax: <c>"exact phrase"</c>, <c>or</c>, <c>-word</c>),
/// the kind, the order and the page (1-based). Without words, relevance is the name order.
/// </summary>
internal sealed record CustomerQuery(string? Text = null, CustomerKind? Kind = null, CustomerSort Sort = CustomerSort.Name, int Page = 1, int PageSize = CustomerQuery.DefaultPageSize)
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;
    public const int MaxTextLength = 200;

    /// <summary>
    /// How many matches relevance ranks (the newest ones): ranking reads each match's whole vector, which is what makes a
    /// search slow at scale; pages in relevance order reach this far, the other orders page through every match.
    /// </summary>
    public const int RankedMatches = 1000;

    public long Offset => (long)(Page - 1) * PageSize;

    /// <summary>The query parameters of the API (<c>q, kind, sort, page, pageSize</c>) as a query, or null with each bad one named in <paramref name="errors"/>.</summary>
    public static CustomerQuery? Parse(string? q, string? kind, string? sort, string? page, string? pageSize, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (text?.Length > MaxTextLength)
        {
            errors["q"] = [$"q has at most {MaxTextLength} characters; got {text.Length}."];
        }

        CustomerKind? parsedKind = kind?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "company" => CustomerKind.Company,
            "person" => CustomerKind.Person,
            _ => (CustomerKind)(-1),
        };
        if (parsedKind == (CustomerKind)(-1))
        {
            errors["kind"] = [$"kind is 'company' or 'person' (or empty for both); got '{kind}'."];
        }

        CustomerSort? parsedSort = sort?.Trim().ToLowerInvariant() switch
        {
            null or "" => text is null ? CustomerSort.Name : CustomerSort.Relevance,
            "relevance" => text is null ? CustomerSort.Name : CustomerSort.Relevance,
            "name" => CustomerSort.Name,
            "-name" => CustomerSort.NameDescending,
            "created" => CustomerSort.Created,
            "-created" => CustomerSort.CreatedDescending,
            _ => null,
        };
        if (parsedSort is null)
        {
            errors["sort"] = [$"sort is one of relevance, name, -name, created, -created; got '{sort}'."];
        }

        var parsedPage = 1;
        if (page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out parsedPage) || parsedPage < 1))
        {
            errors["page"] = [$"page is a whole number from 1; got '{page}'."];
        }

        var parsedPageSize = DefaultPageSize;
        if (pageSize is not null && (!int.TryParse(pageSize, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsedPageSize) || parsedPageSize is < 1 or > MaxPageSize))
        {
            errors["pageSize"] = [$"pageSize is a whole number from 1 to {MaxPageSize}; got '{pageSize}'."];
        }

        if (errors.Count == 0 && parsedSort == CustomerSort.Relevance && (long)(parsedPage - 1) * parsedPageSize >= RankedMatches)
        {
            errors["page"] = [$"pages in relevance order reach the first {RankedMatches} matches; narrow the search, or sort by name or created to page through all."];
        }

        return errors.Count == 0 ? new(text, parsedKind, parsedSort!.Value, parsedPage, parsedPageSize) : null;
    }
}

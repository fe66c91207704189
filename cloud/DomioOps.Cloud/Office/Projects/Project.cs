namespace DomioOps.Cloud.Office.Projects;

/// <summary>
/// A piece of furniture work for a customer (<c>office_projects</c>): a kitchen, a wardrobe, an office fit-out. Its
/// <see cref="Status"/> follows the work from the enquiry to delivery; <see cref="Version"/> is the optimistic concurrency
/// token an edit names, as a customer's.
/// </summary>
internal sealed record Project(
    long Id,
    long CustomerId,
    string CustomerName,
    string Kind,
    string Title,
    string? Address,
    string? Measurements,
    string? Materials,
    string? Notes,
    string Status,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public const int MaxTitleLength = 200;
    public const int MaxAddressLength = 500;
    public const int MaxTextLength = 4000;

    /// <summary>What the work is.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["kitchen", "wardrobe", "office", "bathroom", "children", "other"];

    /// <summary>Where the work is, in the order it goes.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["enquiry", "measuring", "quoting", "ordered", "production", "delivered", "closed", "cancelled"];
}

/// <summary>A project as typed; <see cref="Version"/> is required by an edit, <see cref="Status"/> is <c>enquiry</c> when left out of a new one.</summary>
internal sealed record ProjectDraft(
    long? CustomerId,
    string? Kind,
    string? Title,
    string? Address = null,
    string? Measurements = null,
    string? Materials = null,
    string? Notes = null,
    string? Status = null,
    int? Version = null);

/// <summary>A page of projects and how many match.</summary>
internal sealed record ProjectPage(long Total, IReadOnlyList<Project> Items);

/// <summary>The projects list's filter: words in the title, address or customer; a status; a customer; the page (from 1).</summary>
internal sealed record ProjectQuery(string? Text, string? Status, long? CustomerId, int Page = 1, int PageSize = 25)
{
    public const int MaxPageSize = 200;

    public static ProjectQuery? Parse(string? q, string? status, long? customerId, int? page, int? pageSize, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (text?.Length > 200)
        {
            errors["q"] = ["q has at most 200 characters."];
        }

        var st = string.IsNullOrWhiteSpace(status) ? null : status.Trim().ToLowerInvariant();
        if (st is not null && !Project.Statuses.Contains(st))
        {
            errors["status"] = [$"status is one of {string.Join(", ", Project.Statuses)}; got '{status}'."];
        }

        if (page is < 1)
        {
            errors["page"] = [$"page is a whole number from 1; got {page}."];
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize is a whole number from 1 to {MaxPageSize}; got {pageSize}."];
        }

        return errors.Count == 0 ? new(text, st, customerId, page ?? 1, pageSize ?? 25) : null;
    }
}

/// <summary>One production order of a project as it goes: parts and operations done of planned, and the planner's forecast.</summary>
internal sealed record ProjectProduction(long ProductionOrderId, string Number, long QuoteId, int Parts, int PartsDone, int Operations, int OperationsDone,
    DateTimeOffset? Projected, DateTimeOffset? P50, DateTimeOffset? P90, bool AtRisk);

namespace DomioOps.Cloud.Office.Templates;

/// <summary>
/// What a generated document says, whatever its kind: the customer, the project, its number and date, its lines, totals
/// and notes. Our own company's details are not in it: they come from configuration (<see cref="CompanyOptions"/>).
/// Templates read it in camelCase: <c>{{ customer.name }}</c>, <c>{% for line in lines %}{{ line.amount | money }}{% endfor %}</c>.
/// </summary>
public sealed record DocumentModel(CustomerDetails Customer, ProjectDetails? Project, string Number, DateOnly Date,
    IReadOnlyList<DocumentLine> Lines, DocumentTotals Totals, string? Notes);

/// <summary>The customer as a document names them.</summary>
public sealed record CustomerDetails(string Name, string? LegalName, string? TaxId, string? Address, string? Email, string? Phone);

/// <summary>The project a document is about.</summary>
public sealed record ProjectDetails(string Title, string? Address);

/// <summary>One line: a thing sold, how many in what unit, at what price, the discount (per cent) and the line's amount.</summary>
public sealed record DocumentLine(string Name, decimal Quantity, string Unit, decimal Price, decimal Discount, decimal Amount);

/// <summary>The totals: net, the VAT rate (per cent), the VAT and the total with VAT.</summary>
public sealed record DocumentTotals(decimal Net, decimal VatRate, decimal Vat, decimal Total);

/// <summary>Our own company's details, printed on every document (section <c>Office:Company</c>).</summary>
public sealed class CompanyOptions
{
    public const string Section = "Office:Company";

    public string Name { get; set; } = "DomioOps";

    public string? LegalName { get; set; }

    public string? TaxId { get; set; }

    public string? Address { get; set; }

    public string? Phone { get; set; }

    public string? Email { get; set; }

    public string? BankDetails { get; set; }
}

/// <summary>What a template is rendered with: the document's model and our company (the names templates use).</summary>
internal sealed record TemplateView(CompanyOptions Company, CustomerDetails Customer, ProjectDetails? Project, string Number, string Date,
    IReadOnlyList<DocumentLine> Lines, DocumentTotals Totals, string? Notes, string Kind);

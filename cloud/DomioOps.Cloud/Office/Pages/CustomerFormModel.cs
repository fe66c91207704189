using DomioOps.Cloud.Office.Customers;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>What the customer form holds while a person types (kept as typed when a change is refused).</summary>
public sealed class CustomerFormModel
{
    public string Kind { get; set; } = "company";

    public string? Name { get; set; }

    public string? LegalName { get; set; }

    public string? TaxId { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? Address { get; set; }

    public string? Notes { get; set; }

    internal int? Version { get; set; }

    internal static CustomerFormModel From(Customer customer) => new()
    {
        Kind = customer.Kind == CustomerKind.Company ? "company" : "person",
        Name = customer.Name,
        LegalName = customer.LegalName,
        TaxId = customer.TaxId,
        Email = customer.Email,
        Phone = customer.Phone,
        Address = customer.Address,
        Notes = customer.Notes,
        Version = customer.Version,
    };

    internal CustomerDraft ToDraft() => new(Kind, Name, LegalName, TaxId, Email, Phone, Address, Notes, Version);
}

/// <summary>What a contact's form holds while a person types.</summary>
public sealed class ContactFormModel
{
    public string? Name { get; set; }

    public string? Position { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? Notes { get; set; }

    internal static ContactFormModel From(Contact contact) => new()
    {
        Name = contact.Name,
        Position = contact.Position,
        Email = contact.Email,
        Phone = contact.Phone,
        Notes = contact.Notes,
    };

    internal ContactDraft ToDraft() => new(Name, Position, Email, Phone, Notes);
}

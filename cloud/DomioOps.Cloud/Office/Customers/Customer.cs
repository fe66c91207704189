using System.Text.Json.Serialization;

namespace DomioOps.Cloud.Office.Customers;

/// <summary>A company, or a private person (who buys a kitchen for their flat).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CustomerKind>))]
public enum CustomerKind
{
    [JsonStringEnumMemberName("company")]
    Company = 0,

    [JsonStringEnumMemberName("person")]
    Person = 1,
}

/// <summary>
/// A customer of the office (<c>office_customers</c>). <see cref="Version"/> is the optimistic concurrency token: an edit
/// names the version it started from and is refused when someone else saved in between. <see cref="Contacts"/> is given
/// by the customer's own page, not by the list.
/// </summary>
internal sealed record Customer(
    long Id,
    CustomerKind Kind,
    string Name,
    string? LegalName,
    string? TaxId,
    string? Email,
    string? Phone,
    string? Address,
    string? Notes,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public const int MaxNameLength = 200;
    public const int MaxLegalNameLength = 300;
    public const int MaxEmailLength = 254;
    public const int MaxPhoneLength = 50;
    public const int MaxAddressLength = 500;
    public const int MaxNotesLength = 4000;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Contact>? Contacts { get; init; }
}

/// <summary>A person to talk to at a customer (<c>office_contacts</c>); goes with the customer when it is deleted.</summary>
internal sealed record Contact(long Id, long CustomerId, string Name, string? Position, string? Email, string? Phone, string? Notes)
{
    public const int MaxPositionLength = 200;
}

/// <summary>
/// A customer as typed (API body, page form): text as given, checked by <see cref="CustomerValidation"/>. <see cref="Kind"/>
/// is <c>company</c> or <c>person</c>; <see cref="Version"/> is required by an edit; <see cref="Contacts"/> only by a creation.
/// </summary>
internal sealed record CustomerDraft(
    string? Kind,
    string? Name,
    string? LegalName = null,
    string? TaxId = null,
    string? Email = null,
    string? Phone = null,
    string? Address = null,
    string? Notes = null,
    int? Version = null,
    IReadOnlyList<ContactDraft>? Contacts = null);

/// <summary>A contact as typed.</summary>
internal sealed record ContactDraft(string? Name, string? Position = null, string? Email = null, string? Phone = null, string? Notes = null);

/// <summary>One page of the list and how many customers match in all.</summary>
internal sealed record CustomerPage(long Total, IReadOnlyList<Customer> Items);

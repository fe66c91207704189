using System.Net.Mail;

using static DomioOps.Cloud.Office.DraftText;

namespace DomioOps.Cloud.Office.Customers;

/// <summary>A customer or contact as it will be stored: trimmed, empty text as null.</summary>
internal sealed record CustomerFields(CustomerKind Kind, string Name, string? LegalName, string? TaxId, string? Email, string? Phone, string? Address, string? Notes);

/// <summary>A contact as it will be stored.</summary>
internal sealed record ContactFields(string Name, string? Position, string? Email, string? Phone, string? Notes);

/// <summary>
/// Checks what a person typed and names each field that is wrong (the keys of a validation problem: <c>name</c>,
/// <c>contacts[1].email</c>), so a form shows each message next to its field and nothing is written until all are right.
/// </summary>
internal static class CustomerValidation
{
    /// <summary>Contacts a new customer may bring along; more are added one by one.</summary>
    public const int MaxContacts = 100;

    /// <summary>The customer's fields, or null with <paramref name="errors"/> filled.</summary>
    public static CustomerFields? CheckCustomer(CustomerDraft draft, Dictionary<string, string[]> errors, bool versionRequired)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(errors);
        CustomerKind? kind = Clean(draft.Kind)?.ToLowerInvariant() switch
        {
            "company" => CustomerKind.Company,
            "person" => CustomerKind.Person,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = [$"kind must be 'company' or 'person'; got '{draft.Kind}'."];
        }

        var name = Text(draft.Name, "name", Customer.MaxNameLength, errors, required: true);
        var legalName = Text(draft.LegalName, "legalName", Customer.MaxLegalNameLength, errors);
        var taxId = Clean(draft.TaxId);
        if (taxId is not null && kind is { } k && Inn.Problem(taxId, k) is { } innProblem)
        {
            errors["taxId"] = [innProblem];
        }

        var email = Email(draft.Email, "email", errors);
        var phone = Phone(draft.Phone, "phone", errors);
        var address = Text(draft.Address, "address", Customer.MaxAddressLength, errors);
        var notes = Text(draft.Notes, "notes", Customer.MaxNotesLength, errors);
        if (versionRequired && draft.Version is not > 0)
        {
            errors["version"] = ["version is required: the version of the customer the change starts from (as read)."];
        }

        if (draft.Contacts?.Count > MaxContacts)
        {
            errors["contacts"] = [$"contacts has at most {MaxContacts} entries; got {draft.Contacts.Count}."];
        }

        for (var i = 0; i < Math.Min(draft.Contacts?.Count ?? 0, MaxContacts); i++)
        {
            CheckContact(draft.Contacts![i], errors, $"contacts[{i}].");
        }

        return errors.Count == 0 ? new(kind!.Value, name!, legalName, taxId, email, phone, address, notes) : null;
    }

    /// <summary>The contact's fields, or null with <paramref name="errors"/> filled (keys prefixed with <paramref name="prefix"/>).</summary>
    public static ContactFields? CheckContact(ContactDraft draft, Dictionary<string, string[]> errors, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        var name = Text(draft.Name, prefix + "name", Customer.MaxNameLength, errors, required: true);
        var position = Text(draft.Position, prefix + "position", Contact.MaxPositionLength, errors);
        var email = Email(draft.Email, prefix + "email", errors);
        var phone = Phone(draft.Phone, prefix + "phone", errors);
        var notes = Text(draft.Notes, prefix + "notes", Customer.MaxNotesLength, errors);
        return errors.Count == before ? new(name!, position, email, phone, notes) : null;
    }

    private static string? Email(string? value, string field, Dictionary<string, string[]> errors)
    {
        var text = Text(value, field, Customer.MaxEmailLength, errors);
        // One plain address (name@domain.tld), not a display name or a list: what a mail program sends to as typed.
        if (text is not null && !errors.ContainsKey(field)
            && (!MailAddress.TryCreate(text, out var address) || address.Address != text || !address.Host.Contains('.', StringComparison.Ordinal)
                || address.Host.StartsWith('.') || address.Host.EndsWith('.')))
        {
            errors[field] = [$"{field} is not an e-mail address (name@example.com); got '{text}'."];
        }

        return text;
    }

    private static string? Phone(string? value, string field, Dictionary<string, string[]> errors)
    {
        var text = Text(value, field, Customer.MaxPhoneLength, errors);
        if (text is not null && !errors.ContainsKey(field)
            && (!text.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '(' or ')' or '-' or '.') || text.Count(char.IsAsciiDigit) < 5))
        {
            errors[field] = [$"{field} is a phone number of digits, spaces, '+', '(', ')', '-' (at least 5 digits); got '{text}'."];
        }

        return text;
    }
}

using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>
/// A live office page: planners, the office and administrators read it; the office and administrators change things on
/// it (policy Office, checked again before each change). The fields a change got wrong are shown next to each field, in
/// the person's language, and what was typed stays.
/// </summary>
public abstract class OfficePage : AdminPage
{
    [Inject]
    private protected global::DomioOps.Cloud.Office.Customers.Customers Customers { get; set; } = default!;

    [Inject]
    private protected IStringLocalizer<Resources.Ui> Localizer { get; set; } = default!;

    /// <summary>Whether the person may change customers (shows the forms).</summary>
    private protected bool CanAct { get; private set; }

    private protected string? Message { get; set; }

    private protected string? Problem { get; set; }

    /// <summary>The fields the last change got wrong (keys as the service names them: <c>name</c>, <c>taxId</c>).</summary>
    private protected IReadOnlyDictionary<string, string[]> Errors { get; set; } = new Dictionary<string, string[]>();

    /// <summary>Which form of the page <see cref="Errors"/> belong to, where a page has several.</summary>
    private protected string? ErrorTarget { get; set; }

    private protected override string ActingPolicy => SecurityPolicies.Office;

    protected override async Task OnInitializedAsync() => CanAct = await AllowedAsync(SecurityPolicies.Office);

    /// <summary>The message for a wrong field, in the person's language, or null when the field is right.</summary>
    private protected string? ErrorOf(string field) =>
        Errors.ContainsKey(field) ? Localizer[$"Office.Error.{Field(field)}"].Value : null;

    /// <summary>The message for a wrong field of form <paramref name="target"/>, or null.</summary>
    private protected string? ErrorIn(string target, string field) => ErrorTarget == target ? ErrorOf(field) : null;

    /// <summary>The actor of a change now, or null (with the page saying why) when the person may no longer change customers.</summary>
    private protected async Task<Audit.AuditActor?> ActingAsync()
    {
        (Message, Problem, Errors) = (null, null, new Dictionary<string, string[]>());
        var actor = await ActorAsync();
        if (actor is null)
        {
            Problem = Localizer["Office.NotAllowed"];
        }

        return actor;
    }

    /// <summary>After a change: the success message, or the wrong fields, or the conflict, or that the thing is gone.</summary>
    private protected bool Answer<T>(OfficeChange<T> change, string success)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Value is not null)
        {
            Message = success;
            return true;
        }

        if (change.Errors is { } errors)
        {
            Errors = errors;
            Problem = Localizer["Office.Invalid"];
        }
        else
        {
            Problem = change.Conflict is not null ? Localizer["Office.Conflict"] : Localizer["Office.Gone"];
        }

        return false;
    }

    /// <summary>A contact's field (<c>name</c>) and a customer's share their message.</summary>
    private static string Field(string key) => key[(key.LastIndexOf('.') + 1)..];
}

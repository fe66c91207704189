using DomioOps.Cloud.Maintenance.Alerts;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace DomioOps.Cloud.Maintenance.Pages;

/// <summary>
/// A live maintenance page: everyone in production reads it; maintenance, planners and administrators act on it
/// (checked again before each change). Holds the actions on alerts that the alerts page and a machine's health share.
/// </summary>
public abstract class MaintenancePage : AdminPage
{
    [Inject]
    private protected MaintenanceAlerts Alerts { get; set; } = default!;

    [Inject]
    private protected IStringLocalizer<Resources.Ui> Localizer { get; set; } = default!;

    /// <summary>Whether the person may act (shows the actions).</summary>
    private protected bool CanAct { get; private set; }

    private protected string? Message { get; set; }

    private protected string? Problem { get; set; }

    private protected override string ActingPolicy => SecurityPolicies.Operations;

    /// <summary>Reads the page's data again after a change.</summary>
    private protected abstract Task LoadAsync();

    protected override async Task OnInitializedAsync() => CanAct = await AllowedAsync(SecurityPolicies.Operations);

    private protected async Task AcknowledgeAsync(MaintenanceAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var (done, refused) = await Alerts.AcknowledgeAsync(actor, await UserNameAsync(), alert.Id, CancellationToken.None);
        Answer(done is not null, Localizer["Maintenance.Alerts.Acknowledged", alert.MachineId], refused ?? Localizer["Maintenance.Alerts.Gone"]);
        await LoadAsync();
    }

    private protected async Task ResolveAsync((MaintenanceAlert Alert, AlertVerdict Verdict, string? Note) resolution)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var (done, refused) = await Alerts.ResolveAsync(actor, await UserNameAsync(), resolution.Alert.Id, resolution.Verdict, resolution.Note, CancellationToken.None);
        Answer(done is not null, Localizer["Maintenance.Alerts.Resolved", resolution.Alert.MachineId], refused ?? Localizer["Maintenance.Alerts.Gone"]);
        await LoadAsync();
    }

    /// <summary>The actor of a change now, or null (with the page saying why) when the person may no longer act.</summary>
    private protected async Task<Audit.AuditActor?> ActingAsync()
    {
        (Message, Problem) = (null, null);
        var actor = await ActorAsync();
        if (actor is null)
        {
            Problem = Localizer["Maintenance.NotAllowed"];
        }

        return actor;
    }

    private protected void Answer(bool done, string success, string refused)
    {
        Message = done ? success : null;
        Problem = done ? null : refused;
    }
}

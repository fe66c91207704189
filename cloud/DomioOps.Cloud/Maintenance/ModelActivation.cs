using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Maintenance.Training;

namespace DomioOps.Cloud.Maintenance;

/// <summary>Makes a registered model its class's active one (a roll back or forward) from the web, audited (<c>maintenance.model.activated</c>).</summary>
internal sealed class ModelActivation(ModelRegistry registry, AuditTrail audit)
{
    /// <summary>The model now active, or null when there is no such model.</summary>
    public async Task<RegisteredModel?> ActivateAsync(AuditActor actor, long id, CancellationToken ct)
    {
        var before = (await registry.ListAsync(ct)).SingleOrDefault(m => m.Id == id);
        if (before is null)
        {
            return null;
        }

        await registry.ActivateAsync(id, ct);
        await audit.AppendAsync(actor, "maintenance.model.activated", "maintenance-model", id.ToString(CultureInfo.InvariantCulture), null,
            new { before.MachineClass, before.Version }, ct);
        return before with { Active = true };
    }
}

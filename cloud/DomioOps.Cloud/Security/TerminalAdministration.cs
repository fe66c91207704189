using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Machines;
using DomioOps.Models;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Security;

/// <summary>
/// The shop-floor terminals, for the administration API and the Terminals page alike: list them, bind a new one to a
/// machine or work centre (its key is shown once), revoke one. Every change is audited here with the actor the caller
/// names; each call works in a scope of its own (see <see cref="PeopleAdministration"/>).
/// </summary>
internal sealed class TerminalAdministration(
    IServiceScopeFactory scopes, SessionRevocation sessions, AuditTrail audit, TimeProvider time, IGrainFactory grains)
{
    public const int MaxNameLength = 200;

    public const int MaxWorkCentreLength = 64;

    /// <summary>Every terminal, revoked ones too, newest first.</summary>
    public async Task<List<TerminalView>> AllAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        return await db.Terminals.AsNoTracking().OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id)
            .Select(t => new TerminalView(t.Id, t.Name, t.WorkCentre, t.CreatedAt, t.RevokedAt, t.OperatorLockedUntil))
            .ToListAsync(cancellationToken);
    }

    /// <summary>What a terminal can be bound to: the machines known to the cloud and the edges that read them, in order.</summary>
    public async Task<List<string>> WorkCentresAsync()
    {
        var ids = await grains.GetGrain<IMachineDirectoryGrain>(IMachineDirectoryGrain.Key).GetMachineIds();
        var machines = await Task.WhenAll(ids.Select(id => grains.GetGrain<IMachineGrain>(id).GetSnapshot()));
        return [.. machines.OfType<MachineSnapshot>().SelectMany(m => new[] { m.Id, m.Edge }).Where(EdgeTopics.IsValidId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>A new terminal bound to <paramref name="workCentre"/> (a machine id or an edge id); its key is in the result and nowhere else, ever.</summary>
    public async Task<AdminResult<NewKey>> CreateAsync(AuditActor actor, string? name, string? workCentre, CancellationToken cancellationToken)
    {
        if (RequestFields.Find(RequestFields.Required("name", name, MaxNameLength), RequestFields.Required("workCentre", workCentre, MaxWorkCentreLength)) is { } invalid)
        {
            return AdminFailure.From(invalid);
        }

        if (!EdgeTopics.IsValidId(workCentre!))
        {
            return new AdminFailure(AdminProblem.WorkCentreFormat, "workCentre", "workCentre is a machine or work centre id (1-64 of A-Z a-z 0-9 - _ .)", []);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        var (id, key, hash) = SecretKeys.Create(TerminalSession.KeyPrefix);
        db.Terminals.Add(new Terminal { Id = id, Name = name!, WorkCentre = workCentre!, SecretHash = hash, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(actor, "terminal.created", "terminal", id, null, new { Name = name, WorkCentre = workCentre }, cancellationToken);
        return new NewKey(id, key);
    }

    /// <summary>Revokes a terminal: its key no longer signs in, and its sessions and hub connections end.</summary>
    public async Task<AdminResult<bool>> RevokeAsync(AuditActor actor, string terminalId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        if (await db.Terminals.FindAsync([terminalId], cancellationToken) is not { } terminal)
        {
            return AdminFailure.NotFound;
        }

        terminal.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await sessions.EndCredentialAsync(SecurityClaims.TerminalCredential, terminal.Id);
        await audit.AppendAsync(actor, "terminal.revoked", "terminal", terminalId, new { revoked = false }, new { revoked = true }, cancellationToken);
        return true;
    }
}

/// <summary>A terminal as administrators see it (never its key's hash).</summary>
internal sealed record TerminalView(string Id, string Name, string WorkCentre, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? OperatorLockedUntil);

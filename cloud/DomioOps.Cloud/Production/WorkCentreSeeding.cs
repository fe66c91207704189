using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Production;

/// <summary>Creates the work centres of <see cref="ProductionOptions.WorkCentres"/> that are missing, at start; an existing one is left alone.</summary>
internal sealed partial class WorkCentreSeeding(IServiceScopeFactory scopes, IOptions<ProductionOptions> options, ILogger<WorkCentreSeeding> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.WorkCentres.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var existing = await db.WorkCentres.Select(c => c.Id).ToListAsync(cancellationToken);
        var placed = await db.WorkCentreMachines.Select(m => m.MachineId).ToListAsync(cancellationToken);
        foreach (var seed in options.Value.WorkCentres.Where(s => !existing.Contains(s.Id)))
        {
            db.WorkCentres.Add(new WorkCentre
            {
                Id = seed.Id,
                Name = seed.Name,
                Kind = Enum.Parse<WorkCentreKind>(seed.Kind),
                SetupMinutes = seed.SetupMinutes,
                CycleSeconds = seed.CycleSeconds,
                Calendar = WorkCalendar.TwoShifts,
                Machines = [.. seed.Machines.Where(m => !placed.Contains(m)).Select(m => new WorkCentreMachine { MachineId = m, WorkCentreId = seed.Id })],
            });
            LogSeeded(seed.Id, seed.Kind);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (!cancellationToken.IsCancellationRequested)
        {
            // Another silo seeded the same work centres at the same moment: theirs stand.
            LogSeededElsewhere();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Work centre {Id} ({Kind}) created from configuration")]
    private partial void LogSeeded(string id, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work centres were seeded by another silo at the same time")]
    private partial void LogSeededElsewhere();
}

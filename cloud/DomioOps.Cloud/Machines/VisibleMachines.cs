using System.Security.Claims;

using DomioOps.Cloud.Security;
using DomioOps.Models;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// The machines a caller may open: one that has reported, and that a terminal is bound to (<see cref="TerminalScope"/>).
/// An unknown id and a machine the caller may not see look the same: no such machine.
/// </summary>
internal sealed class VisibleMachines(IGrainFactory grains)
{
    /// <summary>The prefix of an energy meter's id before the id of the machine it measures.</summary>
    public const string MeterPrefix = "meter-";

    public async Task<MachineSnapshot?> FindAsync(ClaimsPrincipal user, string id)
    {
        // Asked of the directory first: a made-up id activates no grain.
        if (!EdgeTopics.IsValidId(id) || !(await grains.GetGrain<IMachineDirectoryGrain>(IMachineDirectoryGrain.Key).GetMachineIds()).Contains(id, StringComparer.Ordinal))
        {
            return null;
        }

        return await grains.GetGrain<IMachineGrain>(id).GetSnapshot() is { } machine && TerminalScope.Sees(user, machine) ? machine : null;
    }

    /// <summary>The energy meter of a machine (<c>meter-{id}</c>), if there is one the caller may see.</summary>
    public Task<MachineSnapshot?> MeterOfAsync(ClaimsPrincipal user, string machineId) =>
        machineId.StartsWith(MeterPrefix, StringComparison.Ordinal) ? Task.FromResult<MachineSnapshot?>(null) : FindAsync(user, MeterPrefix + machineId);

    /// <summary>Whether a machine counts its energy (a meter does, and a machine that measures its own).</summary>
    public static bool CountsEnergy(MachineSnapshot machine) => machine.Signals.ContainsKey(nameof(Models.Wire.Signal.Energy));
}

using System.Security.Claims;

using DomioOps.Cloud.Machines;

namespace DomioOps.Cloud.Security;

/// <summary>
/// What a shop-floor terminal may see of the machines: the one it is bound to (<see cref="Terminal.WorkCentre"/> names a
/// machine), the machines of the production work centre of that id (<see cref="SecurityClaims.Machine"/>, taken at
/// sign-in), or every machine read by the edge of that id. People and API keys see every machine their policy admits them to.
/// </summary>
internal static class TerminalScope
{
    /// <summary>The SignalR group of every connection that is not a terminal's.</summary>
    public const string EveryoneGroup = "everyone";

    /// <summary>The machine or work centre a terminal session is bound to; null for anyone but a terminal.</summary>
    public static string? Binding(ClaimsPrincipal? user) =>
        user?.FindFirstValue(SecurityClaims.CredentialKind) == SecurityClaims.TerminalCredential
            ? user.FindFirstValue(SecurityClaims.WorkCentre) ?? ""
            : null;

    public static bool Sees(ClaimsPrincipal user, MachineSnapshot machine) =>
        Binding(user) is not { } binding || machine.Id == binding || machine.Edge == binding || user.HasClaim(SecurityClaims.Machine, machine.Id);

    /// <summary>The hub groups a connection joins: everyone's, or a terminal's binding and each machine of its work centre.</summary>
    public static IEnumerable<string> HubGroupsOf(ClaimsPrincipal? user) => Binding(user) is { } binding
        ? [BoundGroup(binding), .. user!.FindAll(SecurityClaims.Machine).Select(claim => BoundGroup(claim.Value))]
        : [EveryoneGroup];

    /// <summary>The hub groups a change of <paramref name="machine"/> goes to: everyone, and the terminals bound to it or to its edge.</summary>
    public static IReadOnlyList<string> HubGroups(MachineSnapshot machine) =>
        machine.Id == machine.Edge ? [EveryoneGroup, BoundGroup(machine.Id)] : [EveryoneGroup, BoundGroup(machine.Id), BoundGroup(machine.Edge)];

    private static string BoundGroup(string binding) => "bound:" + binding;
}

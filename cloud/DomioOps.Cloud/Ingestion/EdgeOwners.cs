using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Which silo owns each edge: its <see cref="EdgeGrain"/> and its machines live there, and that silo's consumer
/// subscribes to its telemetry. An edge's batches are then taken, put in order and committed on one silo. Rendezvous
/// (highest random weight) hashing over the active silos: a silo that joins takes only the edges it now wins, and
/// the edges of a silo that leaves spread over the others; no other edge moves.
/// </summary>
internal sealed class EdgeOwners(IClusterMembershipService membership, ILocalSiloDetails local)
{
    public SiloAddress Local => local.SiloAddress;

    /// <summary>Changes whenever a silo joins, leaves or changes status: ownership may have moved.</summary>
    public MembershipVersion Version => membership.CurrentSnapshot.Version;

    /// <summary>The edge's owner among the active silos; null when none is (the last silo, stopping).</summary>
    public SiloAddress? OwnerOf(string edgeKey) => ActiveSilos() is { Count: > 0 } silos ? Owner(edgeKey, silos) : null;

    /// <summary>
    /// The edge's owner when the membership changed since <paramref name="checkedVersion"/> (which moves to the current
    /// one) and the owner is another silo; null otherwise. What a grain that lives beside its edge asks after its work.
    /// </summary>
    public SiloAddress? OwnerElsewhereSince(string edgeKey, ref MembershipVersion checkedVersion)
    {
        var version = Version;
        if (version == checkedVersion)
        {
            return null;
        }

        checkedVersion = version;
        return OwnerOf(edgeKey) is { } owner && !owner.Equals(Local) ? owner : null;
    }

    /// <summary>The edges among <paramref name="edgeKeys"/> this silo owns; none while it is not active itself (starting or stopping).</summary>
    public HashSet<string> Owned(IEnumerable<string> edgeKeys)
    {
        var silos = ActiveSilos();
        var local = Local;
        return silos.Contains(local)
            ? edgeKeys.Where(edge => Owner(edge, silos).Equals(local)).ToHashSet(StringComparer.Ordinal)
            : new(StringComparer.Ordinal);
    }

    private List<SiloAddress> ActiveSilos() =>
        [.. membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];

    /// <summary>
    /// The silo with the highest weight for the edge. The weight hashes the silo's endpoint, not its generation, so a
    /// silo restarted on the same address gets its edges back; of two generations on one endpoint the newer wins.
    /// </summary>
    public static SiloAddress Owner(string edgeKey, IReadOnlyCollection<SiloAddress> silos)
    {
        if (silos.Count == 0)
        {
            throw new InvalidOperationException($"no active silo to own edge {edgeKey}");
        }

        return silos.MaxBy(silo => (Weight(edgeKey, silo), silo.Generation))!;
    }

    private static ulong Weight(string edgeKey, SiloAddress silo) =>
        BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{edgeKey}@{silo.Endpoint}")));
}

using System.Net;

using DomioOps.Cloud.Ingestion;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// Which silo owns an edge decides where its telemetry is subscribed and where its grain lives; every silo must compute
/// the same answer from the same membership, and a change of membership must move only the edges it has to.
/// </summary>
public sealed class EdgeOwnersTests
{
    private static readonly List<string> EdgeKeys = [.. Enumerable.Range(0, 600).Select(e => $"plant-{e % 3}/edge-{e}")];

    [Fact]
    public void Owner_DoesNotDependOnTheOrderTheSilosAreListedIn()
    {
        var silos = Silos(3);
        var reversed = silos.AsEnumerable().Reverse().ToList();

        Assert.All(EdgeKeys, edge => Assert.Equal(EdgeOwners.Owner(edge, silos), EdgeOwners.Owner(edge, reversed)));
    }

    [Fact]
    public void Owner_SpreadsTheEdgesOverTheSilos()
    {
        var silos = Silos(3);

        var owned = EdgeKeys.GroupBy(edge => EdgeOwners.Owner(edge, silos)).ToDictionary(g => g.Key, g => g.Count());

        // 200 each on average; a fair hash stays well within 150–250 for 600 edges.
        Assert.Equal(3, owned.Count);
        Assert.All(owned.Values, count => Assert.InRange(count, 150, 250));
    }

    [Fact]
    public void SiloJoins_OnlyTheEdgesItNowOwnsMove()
    {
        var three = Silos(3);
        var four = Silos(4);

        var moved = EdgeKeys.Where(edge => !EdgeOwners.Owner(edge, three).Equals(EdgeOwners.Owner(edge, four))).ToList();

        Assert.All(moved, edge => Assert.Equal(four[3], EdgeOwners.Owner(edge, four)));
        Assert.InRange(moved.Count, 100, 200); // about a quarter of 600
    }

    [Fact]
    public void SiloLeaves_OnlyItsEdgesMove()
    {
        var three = Silos(3);
        var two = three.Take(2).ToList();

        var moved = EdgeKeys.Where(edge => !EdgeOwners.Owner(edge, three).Equals(EdgeOwners.Owner(edge, two))).ToList();

        Assert.NotEmpty(moved);
        Assert.All(moved, edge => Assert.Equal(three[2], EdgeOwners.Owner(edge, three)));
    }

    [Fact]
    public void SiloRestartedOnItsAddress_GetsItsEdgesBack_TheNewGenerationWinsOverTheOld()
    {
        var before = Silos(3);
        var restarted = SiloAddress.New(before[1].Endpoint, before[1].Generation + 1);
        // While the old generation is not yet declared dead, both are listed as active.
        var during = before.Append(restarted).ToList();
        var after = new List<SiloAddress> { before[0], restarted, before[2] };

        Assert.All(EdgeKeys.Where(edge => EdgeOwners.Owner(edge, before).Equals(before[1])), edge =>
        {
            Assert.Equal(restarted, EdgeOwners.Owner(edge, during));
            Assert.Equal(restarted, EdgeOwners.Owner(edge, after));
        });
    }

    [Fact]
    public void NoSilo_SaysSo()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EdgeOwners.Owner("plant-1/edge-1", []));
        Assert.Contains("plant-1/edge-1", error.Message, StringComparison.Ordinal);
    }

    private static List<SiloAddress> Silos(int count) =>
        [.. Enumerable.Range(0, count).Select(i => SiloAddress.New(new IPEndPoint(IPAddress.Parse($"10.0.0.{i + 1}"), 11111), 1000 + i))];
}

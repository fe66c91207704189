using System.Net;

using DomioOps.Cloud.Cluster;

namespace DomioOps.Cloud.Tests.Cluster;

public sealed class SiloNetworkTests
{
    private static readonly IPAddress[] PublicThenPrivate = [IPAddress.Parse("203.0.113.9"), IPAddress.Parse("192.168.7.20")];

    [Theory]
    [InlineData("127.0.0.1", null, "127.0.0.1", "127.0.0.1")]
    [InlineData("10.1.2.3", null, "10.1.2.3", "10.1.2.3")]
    [InlineData("172.31.0.4", null, "172.31.0.4", "172.31.0.4")]
    [InlineData("fd00::5", null, "fd00::5", "fd00::5")]
    [InlineData("203.0.113.5", "10.0.0.5", "203.0.113.5", "10.0.0.5")]
    [InlineData("203.0.113.5", "0.0.0.0", "203.0.113.5", "0.0.0.0")]
    [InlineData(null, null, "192.168.7.20", "192.168.7.20")]
    public void Resolve_Addresses_ListensOnThePrivateOrNamedAddress(string? advertised, string? listen, string expectedAdvertised, string expectedListen)
    {
        var failures = new List<string>();

        var endpoints = SiloNetwork.Resolve(new SiloOptions { AdvertisedAddress = advertised, ListenAddress = listen }, PublicThenPrivate, failures);

        Assert.Empty(failures);
        Assert.Equal(new SiloEndpoints(IPAddress.Parse(expectedAdvertised), IPAddress.Parse(expectedListen)), endpoints);
    }

    [Fact]
    public void Resolve_PublicAdvertisedAddressWithoutListenAddress_FailsNamingListenAddress()
    {
        var failures = new List<string>();

        Assert.Null(SiloNetwork.Resolve(new SiloOptions { AdvertisedAddress = "203.0.113.5" }, PublicThenPrivate, failures));

        var failure = Assert.Single(failures);
        Assert.Contains("Silo:AdvertisedAddress 203.0.113.5 is a public address", failure, StringComparison.Ordinal);
        Assert.Contains("Set Silo:ListenAddress", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NoAdvertisedAddressOnAHostWithOnlyPublicAddresses_FailsNamingAdvertisedAddress()
    {
        var failures = new List<string>();

        Assert.Null(SiloNetwork.Resolve(new SiloOptions(), [IPAddress.Parse("203.0.113.9"), IPAddress.Parse("2001:db8::9")], failures));

        Assert.StartsWith("Silo:AdvertisedAddress is empty and this host has no private", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-address", null, "Silo:AdvertisedAddress 'not-an-address' is not a usable IP address")]
    [InlineData("0.0.0.0", null, "Silo:AdvertisedAddress '0.0.0.0' is not a usable IP address")]
    [InlineData("10.0.0.5", "everywhere", "Silo:ListenAddress 'everywhere' is not an IP address")]
    public void Resolve_Malformed_FailsNamingTheKey(string advertised, string? listen, string expected)
    {
        var failures = new List<string>();

        Assert.Null(SiloNetwork.Resolve(new SiloOptions { AdvertisedAddress = advertised, ListenAddress = listen }, PublicThenPrivate, failures));

        Assert.StartsWith(expected, Assert.Single(failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("172.15.255.255", false)]
    [InlineData("192.168.0.1", true)]
    [InlineData("192.169.0.1", false)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("169.254.1.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("203.0.113.5", false)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("2001:db8::1", false)]
    public void IsPrivate_Address_MatchesTheReservedRanges(string address, bool expected)
    {
        Assert.Equal(expected, SiloNetwork.IsPrivate(IPAddress.Parse(address)));
    }
}

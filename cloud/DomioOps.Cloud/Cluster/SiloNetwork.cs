using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace DomioOps.Cloud.Cluster;

/// <summary>The address a silo advertises and the one its silo and gateway ports are bound to.</summary>
internal sealed record SiloEndpoints(IPAddress Advertised, IPAddress Listen);

/// <summary>
/// Where the silo listens: never on a public or every interface unless configured so. The silo and gateway ports
/// speak Orleans' own protocol, which has no authentication of its own; only TLS (<see cref="ClusterTls"/>) keeps a
/// network neighbour from joining the cluster or calling grains.
/// </summary>
internal static class SiloNetwork
{
    /// <summary>The endpoints <paramref name="options"/> ask for on a host with <paramref name="hostAddresses"/>; null and <paramref name="failures"/> filled when they are wrong.</summary>
    public static SiloEndpoints? Resolve(SiloOptions options, IEnumerable<IPAddress> hostAddresses, List<string> failures)
    {
        IPAddress? advertised;
        if (string.IsNullOrWhiteSpace(options.AdvertisedAddress))
        {
            var candidates = hostAddresses.Where(IsPrivate).ToList();
            advertised = candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? candidates.FirstOrDefault(a => !a.IsIPv6LinkLocal);
            if (advertised is null)
            {
                failures.Add("Silo:AdvertisedAddress is empty and this host has no private (10/8, 172.16/12, 192.168/16, fc00::/7) address to default to: "
                    + "set Silo:AdvertisedAddress to the address other silos reach this one on, and Silo:ListenAddress to the local address to bind.");
                return null;
            }
        }
        else if (!IPAddress.TryParse(options.AdvertisedAddress, out advertised) || advertised.Equals(IPAddress.Any) || advertised.Equals(IPAddress.IPv6Any))
        {
            failures.Add($"Silo:AdvertisedAddress '{options.AdvertisedAddress}' is not a usable IP address: give the address other silos reach this one on, e.g. 10.0.0.5.");
            return null;
        }

        IPAddress? listen;
        if (!string.IsNullOrWhiteSpace(options.ListenAddress))
        {
            if (!IPAddress.TryParse(options.ListenAddress, out listen))
            {
                failures.Add($"Silo:ListenAddress '{options.ListenAddress}' is not an IP address: give a local address, e.g. 10.0.0.5 (0.0.0.0 binds every interface).");
                return null;
            }
        }
        else if (IPAddress.IsLoopback(advertised) || IsPrivate(advertised))
        {
            listen = advertised;
        }
        else
        {
            failures.Add($"Silo:AdvertisedAddress {advertised} is a public address and Silo:ListenAddress is empty: the silo and gateway ports are not bound to a "
                + "public interface by default. Set Silo:ListenAddress to the private address the traffic arrives on (or 0.0.0.0 to bind every interface, with Silo:Tls).");
            return null;
        }

        return new SiloEndpoints(advertised, listen);
    }

    /// <summary>A private (RFC 1918), shared (RFC 6598), link-local or unique local (RFC 4193) address: not routed on the internet.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 10
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && b[1] is >= 64 and <= 127)
                || (b[0] == 169 && b[1] == 254);
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 && (address.IsIPv6UniqueLocal || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal);
    }

    /// <summary>The unicast addresses of this host's interfaces that are up, loopback excluded.</summary>
    public static IEnumerable<IPAddress> HostAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => !IPAddress.IsLoopback(a));
}

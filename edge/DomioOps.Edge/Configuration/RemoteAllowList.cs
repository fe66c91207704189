using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

using DomioOps.Edge.Acquisition;

namespace DomioOps.Edge.Configuration;

/// <summary>
/// The endpoints and serial ports a remote configuration may use: those of the devices in the local configuration,
/// and those <see cref="RemoteConfigurationOptions.AllowedEndpoints"/> and
/// <see cref="RemoteConfigurationOptions.AllowedSerialPorts"/> list. Hosts are compared as written (no DNS look-up):
/// an address matches an address or CIDR entry, any host a name pattern.
/// </summary>
internal sealed class RemoteAllowList
{
    public const string EndpointSyntax =
        "write host:port, where host is a name (* matches any characters, e.g. plc-*.hall1), an address or a CIDR block "
        + "(10.1.2.0/24, [fd00::/64]) and port a number (1-65535) or *";

    private readonly List<Endpoint> _endpoints = [];
    private readonly List<Regex> _serialPorts = [];
    private readonly HashSet<string> _localSerialPorts = new(StringComparer.Ordinal);

    public RemoteAllowList(RemoteConfigurationOptions options, DevicesOptions local)
    {
        foreach (var entry in options.AllowedEndpoints)
        {
            if (TryParseEndpoint(entry, out var endpoint))
            {
                _endpoints.Add(endpoint);
            }
        }

        foreach (var entry in options.AllowedSerialPorts)
        {
            if (IsSerialPortPattern(entry))
            {
                _serialPorts.Add(Glob(entry, "[^/]*", RegexOptions.None));
            }
        }

        foreach (var (host, port, _) in Endpoints(local))
        {
            _endpoints.Add(new Endpoint(Glob(Regex.Escape(host), null, RegexOptions.IgnoreCase), null, port));
        }

        _localSerialPorts.UnionWith(SerialPorts(local).Select(s => s.Path));
    }

    /// <summary>
    /// Checks every endpoint and serial port of <paramref name="remote"/>; keys relative to <c>Edge</c> go to
    /// <paramref name="check"/>, as in <see cref="DevicesValidation"/>.
    /// </summary>
    public void Check(DevicesOptions remote, Func<bool, string, string, bool> check)
    {
        foreach (var (host, port, key) in Endpoints(remote))
        {
            check(
                _endpoints.Any(e => e.Matches(host, port)),
                key,
                $"'{HostPort(host, port)}' is not an endpoint a remote configuration may use: add it to {EdgeOptions.Section}:{RemoteConfigurationOptions.Section}:{nameof(RemoteConfigurationOptions.AllowedEndpoints)} in the edge's local configuration, or configure the device there");
        }

        foreach (var (path, key) in SerialPorts(remote))
        {
            check(
                _localSerialPorts.Contains(path) || (!HasDotSegment(path) && _serialPorts.Any(p => p.IsMatch(path))),
                key,
                $"'{path}' is not a serial port a remote configuration may use: add it to {EdgeOptions.Section}:{RemoteConfigurationOptions.Section}:{nameof(RemoteConfigurationOptions.AllowedSerialPorts)} in the edge's local configuration, or configure the device there");
        }
    }

    /// <summary>An <see cref="RemoteConfigurationOptions.AllowedEndpoints"/> entry (see <see cref="EndpointSyntax"/>).</summary>
    public static bool TryParseEndpoint(string entry, out Endpoint endpoint)
    {
        endpoint = default;
        var colon = entry.LastIndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        var (host, portText) = (entry[..colon], entry[(colon + 1)..]);
        int? port = null;
        if (portText != "*")
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                return false;
            }

            port = number;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            // IPv6: only in brackets, so the port's colon is not taken for one of the address's.
            return TryParseBlock(host[1..^1], AddressFamily.InterNetworkV6, out var v6) && Set(new Endpoint(null, v6, port), out endpoint);
        }

        if (host.Contains('/', StringComparison.Ordinal))
        {
            return TryParseBlock(host, AddressFamily.InterNetwork, out var v4Block) && Set(new Endpoint(null, v4Block, port), out endpoint);
        }

        if (IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && host.Count(c => c == '.') == 3)
        {
            return Set(new Endpoint(null, new IPNetwork(v4, 32), port), out endpoint);
        }

        // A host name: letters, digits, - . _ and the wildcard.
        if (host.Length > 253 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '*'))
        {
            return false;
        }

        return Set(new Endpoint(Glob(host, ".*", RegexOptions.IgnoreCase), null, port), out endpoint);
    }

    /// <summary>An <see cref="RemoteConfigurationOptions.AllowedSerialPorts"/> entry: a path, <c>*</c> for any characters but <c>/</c>, no <c>.</c> or <c>..</c> segment.</summary>
    public static bool IsSerialPortPattern(string entry) => !string.IsNullOrWhiteSpace(entry) && !HasDotSegment(entry);

    /// <summary>An address, or a CIDR block written with its first address (10.1.2.0/24, not 10.1.2.5/24).</summary>
    private static bool TryParseBlock(string text, AddressFamily family, out IPNetwork block)
    {
        block = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address) || address.AddressFamily != family)
        {
            return false;
        }

        if (slash < 0)
        {
            block = new IPNetwork(address, family == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out block) && block.BaseAddress.Equals(address);
    }

    private static bool Set(Endpoint value, out Endpoint endpoint)
    {
        endpoint = value;
        return true;
    }

    private static bool HasDotSegment(string path) => path.Split('/', '\\').Any(segment => segment is "." or "..");

    private static string HostPort(string host, int port) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>A whole-string pattern where <c>*</c> (when <paramref name="star"/> is set) stands for <paramref name="star"/>.</summary>
    private static Regex Glob(string pattern, string? star, RegexOptions options)
    {
        var escaped = star is null ? pattern : Regex.Escape(pattern).Replace(@"\*", star, StringComparison.Ordinal);
        return new Regex($"^{escaped}$", options | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>Every network endpoint the devices connect to, with the key that sets it.</summary>
    private static IEnumerable<(string Host, int Port, string Key)> Endpoints(DevicesOptions devices)
    {
        for (var d = 0; d < devices.ModbusTcp.Count; d++)
        {
            yield return (devices.ModbusTcp[d].Host, devices.ModbusTcp[d].Port, $"Devices:ModbusTcp:{d}:Host");
        }

        for (var d = 0; d < devices.OpcUa.Count; d++)
        {
            if (Uri.TryCreate(devices.OpcUa[d].EndpointUrl, UriKind.Absolute, out var url))
            {
                // An endpoint that does not parse is refused by the validation.
                yield return (url.Host.Trim('[', ']'), url.Port, $"Devices:OpcUa:{d}:EndpointUrl");
            }
        }

        for (var d = 0; d < devices.Line.Count; d++)
        {
            if (devices.Line[d].Host is { } host)
            {
                yield return (host, devices.Line[d].Port, $"Devices:Line:{d}:Host");
            }
        }
    }

    /// <summary>Every serial port the devices open, with the key that sets it.</summary>
    private static IEnumerable<(string Path, string Key)> SerialPorts(DevicesOptions devices)
    {
        for (var b = 0; b < devices.ModbusSerial.Count; b++)
        {
            if (devices.ModbusSerial[b].SerialPort is { } path)
            {
                yield return (path, $"Devices:ModbusSerial:{b}:SerialPort");
            }
        }

        for (var d = 0; d < devices.Line.Count; d++)
        {
            if (devices.Line[d].SerialPort is { } path)
            {
                yield return (path, $"Devices:Line:{d}:SerialPort");
            }
        }
    }

    /// <summary>One allowed endpoint: a host name pattern or an address block, and a port (null: any).</summary>
    internal readonly record struct Endpoint(Regex? Name, IPNetwork? Network, int? Port)
    {
        public bool Matches(string host, int port)
        {
            if (Port is { } allowed && allowed != port)
            {
                return false;
            }

            if (Network is { } network)
            {
                return IPAddress.TryParse(host, out var address) && network.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            }

            return Name!.IsMatch(host);
        }
    }
}

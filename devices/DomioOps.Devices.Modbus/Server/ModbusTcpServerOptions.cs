using System.Net;

namespace DomioOps.Devices.Modbus.Server;

/// <summary>Options of a <see cref="ModbusTcpServer"/>.</summary>
/// <param name="Address">Address to listen on, e.g. <see cref="IPAddress.Loopback"/>.</param>
/// <param name="Port">TCP port; 0 picks a free one (see <see cref="ModbusTcpServer.EndPoint"/>).</param>
public sealed record ModbusTcpServerOptions(IPAddress Address, int Port = 0)
{
    /// <summary>Connections served at once; further ones are closed on accept.</summary>
    public int MaxConnections { get; init; } = 32;

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1);
    }
}

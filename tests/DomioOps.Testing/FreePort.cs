using System.Net;
using System.Net.Sockets;

namespace DomioOps.Testing;

/// <summary>A TCP port on 127.0.0.1 that nothing listens on at the moment of asking.</summary>
/// <remarks>
/// The port is drawn below the kernel's ephemeral range (as <c>scripts/free-port.sh</c> does): a port the kernel
/// hands out for port 0 may meanwhile become the local port of an outgoing connection, and then the server that was
/// to bind it fails with "address already in use". Two more ways the same port could go to two servers: this process
/// never hands a port out twice (test classes start their servers in parallel, and a port is free until its server
/// binds it), and it draws from the lower half of that range while <c>free-port.sh</c> (PostgreSQL's ports) draws from
/// the upper half.
/// </remarks>
public static class FreePort
{
    private const int Lowest = 10_000;

    private static readonly HashSet<int> Issued = [];

    public static int Next()
    {
        var ephemeral = EphemeralRangeStart();
        if (ephemeral > Lowest + 1_000)
        {
            var highest = (Lowest + ephemeral) / 2;
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Random.Shared.Next(Lowest, highest);
                lock (Issued)
                {
                    if (!Issued.Contains(port) && CanBind(port))
                    {
                        Issued.Add(port);
                        return port;
                    }
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}

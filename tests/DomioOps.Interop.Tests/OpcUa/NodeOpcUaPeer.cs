using System.Globalization;

using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

/// <summary>The node-opcua fixture folder (Peers/node-opcua): npm ci on first use, then server.js or client.js as real processes.</summary>
internal static class NodeOpcUaPeer
{
    /// <summary>The node-opcua tests share the fixture's PKI folders (pki/, pki-client/), so they run one at a time.</summary>
    public const string Collection = "node-opcua";

    public static string Folder => Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Interop.Tests", "Peers", "node-opcua");

    /// <summary>Starts server.js on a port of 127.0.0.1 and waits until it listens (its first start creates its PKI).</summary>
    /// <remarks>With <paramref name="reverseConnectUrl"/> the server also dials that client listener with ReverseHello.</remarks>
    public static async Task<PeerProcess> StartServerAsync(int port, int tags, CancellationToken cancellationToken, string? reverseConnectUrl = null)
    {
        await NpmPackages.EnsureInstalledAsync(Folder, cancellationToken);
        string[] arguments = ["server.js", port.ToString(CultureInfo.InvariantCulture), tags.ToString(CultureInfo.InvariantCulture)];
        var server = PeerProcess.Start("node", reverseConnectUrl is null ? arguments : [.. arguments, "0", reverseConnectUrl], Folder);
        try
        {
            await server.WaitForOutputAsync($"listening {port}", TimeSpan.FromSeconds(60), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}

using System.Globalization;

using DomioOps.Testing;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// A node-opcua server process on a loopback port, from the interop tests' fixture folder (its committed package-lock.json
/// and node_modules are shared): <c>server.js</c> (Objects/Saw1 Speed and Pieces in urn:domioops:peer) or
/// <c>woodworking-server.js</c> (the published woodworking NodeSets with the Eumabois example machines).
/// </summary>
internal static class NodeOpcUaServer
{
    public const string PeerNamespace = "urn:domioops:peer";

    public static string Folder => Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Interop.Tests", "Peers", "node-opcua");

    public static async Task<PeerProcess> StartAsync(string script, int port, CancellationToken cancellationToken, params string[] arguments)
    {
        await NpmPackages.EnsureInstalledAsync(Folder, cancellationToken);
        var server = PeerProcess.Start("node", [script, port.ToString(CultureInfo.InvariantCulture), .. arguments], Folder);
        try
        {
            // The first start creates the server's PKI, which takes a few seconds.
            await server.WaitForOutputAsync($"listening {port}", TimeSpan.FromSeconds(90), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}

using DomioOps.Testing;

namespace DomioOps.Interop.Tests.Modbus;

/// <summary>
/// The libmodbus peers (Peers/libmodbus/*.c), compiled once per test class with gcc against Debian's
/// libmodbus-dev into a temporary folder that is deleted afterwards.
/// </summary>
public sealed class LibmodbusPrograms : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("domioops-libmodbus-");

    public string Server { get; private set; } = "";

    public string Client { get; private set; } = "";

    public static string SourceFolder => Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Interop.Tests", "Peers", "libmodbus");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Server = await CProgram.CompileAsync(Path.Combine(SourceFolder, "modbus_tcp_server.c"), _folder.FullName, ["-lmodbus"], ct);
        Client = await CProgram.CompileAsync(Path.Combine(SourceFolder, "modbus_tcp_client.c"), _folder.FullName, ["-lmodbus"], ct);
    }

    /// <summary>Starts the libmodbus server on a free port of 127.0.0.1 and waits until it listens.</summary>
    public async Task<(PeerProcess Process, int Port)> StartServerAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var server = PeerProcess.Start(Server, [port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            await server.WaitForOutputAsync($"listening {port}", TimeSpan.FromSeconds(10), cancellationToken);
            return (server, port);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _folder.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}

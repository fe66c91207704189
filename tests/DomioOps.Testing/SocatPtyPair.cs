namespace DomioOps.Testing;

/// <summary>
/// Two connected pseudo-terminals made by socat: a serial line without hardware. Either end opens with
/// System.IO.Ports or a serial peer such as mbpoll. Pseudo-terminals have no modem lines (DTR/RTS/CTS).
/// </summary>
public sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly PeerProcess socat;
    private readonly DirectoryInfo folder;

    private SocatPtyPair(PeerProcess socat, DirectoryInfo folder)
    {
        this.socat = socat;
        this.folder = folder;
    }

    /// <summary>Path of one end (a symlink to /dev/pts/N).</summary>
    public string PathA => Path.Combine(folder.FullName, "a");

    /// <summary>Path of the other end.</summary>
    public string PathB => Path.Combine(folder.FullName, "b");

    public static async Task<SocatPtyPair> StartAsync(CancellationToken cancellationToken)
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("domioops-pty-");
        string a = Path.Combine(folder.FullName, "a");
        string b = Path.Combine(folder.FullName, "b");
        PeerProcess socat = PeerProcess.Start("socat", ["-d", "-d", $"pty,raw,echo=0,link={a}", $"pty,raw,echo=0,link={b}"]);
        try
        {
            await socat.WaitForOutputAsync("starting data transfer loop", TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return new SocatPtyPair(socat, folder);
        }
        catch
        {
            await socat.DisposeAsync().ConfigureAwait(false);
            folder.Delete(recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await socat.DisposeAsync().ConfigureAwait(false);
        folder.Delete(recursive: true);
    }
}

namespace DomioOps.Testing;

/// <summary>
/// Two connected pseudo-terminals made by socat: a serial line without hardware. Either end opens with
/// System.IO.Ports or a serial peer such as mbpoll. Pseudo-terminals have no modem lines (DTR/RTS/CTS).
/// </summary>
public sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly PeerProcess _socat;
    private readonly DirectoryInfo _folder;

    private SocatPtyPair(PeerProcess socat, DirectoryInfo folder)
    {
        this._socat = socat;
        this._folder = folder;
    }

    /// <summary>Path of one end (a symlink to /dev/pts/N).</summary>
    public string PathA => Path.Combine(_folder.FullName, "a");

    /// <summary>Path of the other end.</summary>
    public string PathB => Path.Combine(_folder.FullName, "b");

    public static async Task<SocatPtyPair> StartAsync(CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("domioops-pty-");
        var a = Path.Combine(folder.FullName, "a");
        var b = Path.Combine(folder.FullName, "b");
        var socat = PeerProcess.Start("socat", ["-d", "-d", $"pty,raw,echo=0,link={a}", $"pty,raw,echo=0,link={b}"]);
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
        await _socat.DisposeAsync().ConfigureAwait(false);
        _folder.Delete(recursive: true);
    }
}

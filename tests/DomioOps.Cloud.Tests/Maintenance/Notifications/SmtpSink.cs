using DomioOps.Testing;

using MimeKit;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>
/// The npm <c>smtp-server</c> sink (Peers/smtp-sink/sink.js) as a real process on 127.0.0.1: it stores each message as
/// <c>n.eml</c>, refuses "retry…" recipients once (451) and "refuse…" ones always (550).
/// </summary>
public sealed class SmtpSink : IAsyncLifetime
{
    private PeerProcess? _process;

    public int Port { get; private set; }

    public string Folder { get; } = Directory.CreateTempSubdirectory("smtp-sink-").FullName;

    private static string Fixture => Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Cloud.Tests", "Maintenance", "Notifications", "Peers", "smtp-sink");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await NpmPackages.EnsureInstalledAsync(Fixture, ct);
        Port = FreePort.Next();
        _process = PeerProcess.Start("node", [Path.Combine(Fixture, "sink.js"), Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Folder], Fixture);
        await _process.WaitForOutputAsync("smtp sink listening", TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>The stored messages addressed to <paramref name="to"/>, in the order received.</summary>
    public IReadOnlyList<MimeMessage> MessagesTo(string to) =>
        [.. Directory.GetFiles(Folder, "*.eml").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
            .Select(f => MimeMessage.Load(f)).Where(m => m.To.Mailboxes.Any(a => a.Address == to))];

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }
}

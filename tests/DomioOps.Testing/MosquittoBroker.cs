using System.Net.Sockets;

namespace DomioOps.Testing;

/// <summary>
/// A real Eclipse Mosquitto 2 broker on 127.0.0.1 and a free port, with persistence in a temporary folder,
/// QoS 1 queues unbounded and TCP_NODELAY (PEERS.md), anonymous or with a password and ACL file. With the silos'
/// passwords apart (as deploy/mosquitto/mosquitto.conf has it), <see cref="Port"/> and <see cref="TlsPort"/> are the
/// edges' listeners, whose client id is the user name, and <see cref="CloudPort"/> is the silos' listener.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _folder;
    private PeerProcess _process;

    private MosquittoBroker(PeerProcess process, string folder, int port, int? tlsPort, int? cloudPort) =>
        (this._process, this._folder, Port, TlsPort, CloudPort) = (process, folder, port, tlsPort, cloudPort);

    private string ConfigFile => Path.Combine(_folder, "mosquitto.conf");

    public int Port { get; }

    /// <summary>The MQTT-over-TLS listener, when started with certificates.</summary>
    public int? TlsPort { get; }

    /// <summary>The silos' listener (with TLS when started with certificates), when started with the silos' passwords apart.</summary>
    public int? CloudPort { get; }

    public string Output => _process.Output;

    /// <summary>The broker's process (for the harnesses' CPU figures).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts the broker; with <paramref name="passwords"/> and <paramref name="acl"/> (file contents) only those users
    /// may connect; with <paramref name="certificates"/> it also listens with TLS on <see cref="TlsPort"/>; with
    /// <paramref name="cloudPasswords"/> the silos connect only on <see cref="CloudPort"/> and the edges' client id is their user name.
    /// </summary>
    public static async Task<MosquittoBroker> StartAsync(
        string? passwords, string? acl, CancellationToken cancellationToken, TestCertificates? certificates = null, string? cloudPasswords = null)
    {
        // A port found free may be taken by another process before Mosquitto binds it: then it starts again on others.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(passwords, acl, certificates, cloudPasswords, cancellationToken);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    private static async Task<MosquittoBroker> StartOnceAsync(
        string? passwords, string? acl, TestCertificates? certificates, string? cloudPasswords, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("domioops-mosquitto-").FullName;
        var port = FreePort.Next();
        int? tlsPort = certificates is null ? null : FreePort.Next();
        int? cloudPort = cloudPasswords is null ? null : FreePort.Next();
        string[] tls = certificates is null ? [] : [$"cafile {certificates.CaPath}", $"certfile {certificates.ServerCertificatePath}", $"keyfile {certificates.ServerKeyPath}"];
        if (cloudPasswords is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "passwd"), passwords, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "passwd-cloud"), cloudPasswords, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "acl"), acl ?? "", cancellationToken);
            string[] edges = ["use_username_as_clientid true", "allow_anonymous false", $"password_file {folder}/passwd", $"acl_file {folder}/acl"];
            List<string> listeners = [$"listener {port} 127.0.0.1", .. edges];
            if (tlsPort is not null)
            {
                listeners.AddRange([$"listener {tlsPort} 127.0.0.1", .. tls, .. edges]);
            }

            listeners.AddRange([$"listener {cloudPort} 127.0.0.1", .. tls, "allow_anonymous false", $"password_file {folder}/passwd-cloud", $"acl_file {folder}/acl"]);
            return await StartAsync(folder, port, tlsPort, cloudPort, listeners, cancellationToken);
        }

        var config = new List<string> { $"listener {port} 127.0.0.1" };
        if (certificates is not null)
        {
            config.AddRange([$"listener {tlsPort} 127.0.0.1", .. tls]);
        }

        if (passwords is null)
        {
            config.Add("allow_anonymous true");
        }
        else
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "passwd"), passwords, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "acl"), acl ?? "", cancellationToken);
            config.AddRange(["allow_anonymous false", $"password_file {folder}/passwd", $"acl_file {folder}/acl"]);
        }

        return await StartAsync(folder, port, tlsPort, null, config, cancellationToken);
    }

    private static async Task<MosquittoBroker> StartAsync(string folder, int port, int? tlsPort, int? cloudPort, List<string> listeners, CancellationToken cancellationToken)
    {
        // Before anything else (mosquitto.conf(5)): security settings then belong to the listener they follow.
        List<string> config = cloudPort is null ? [] : ["per_listener_settings true"];
        config.AddRange(
        [
            "persistence true",
            $"persistence_location {folder}/",
            "max_queued_messages 0",
            "set_tcp_nodelay true",
            "log_type error",
            "log_type warning",
        ]);
        if (Environment.UserName == "root")
        {
            // As root Mosquitto would switch to the 'mosquitto' user, which cannot read this private folder.
            config.Add("user root");
        }

        config.AddRange(listeners);
        var file = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllLinesAsync(file, config, cancellationToken);
        var broker = new MosquittoBroker(PeerProcess.Start(Executable, ["-c", file]), folder, port, tlsPort, cloudPort);
        await broker.WaitUntilListeningAsync(cancellationToken);
        return broker;
    }

    /// <summary>Stops the broker as an operator would (SIGTERM): it writes its persistent sessions and messages to disk.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(cancellationToken);
        }

        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await _process.DisposeAsync();
    }

    /// <summary>Starts the stopped broker again, on the same port with the same persistence.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        _process = PeerProcess.Start(Executable, ["-c", ConfigFile]);
        await WaitUntilListeningAsync(cancellationToken);
    }

    private static string Executable => File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (SocketException)
            {
                var output = _process.Output;
                await DisposeAsync();
                throw new InvalidOperationException($"mosquitto did not start on port {Port} (is it installed? ./domio test installs it):\n{output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

using System.Security.Cryptography;
using System.Text.Json;

using DomioOps.Edge.Acquisition;
using DomioOps.Models;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace DomioOps.Edge.Configuration;

/// <summary>
/// The devices the edge runs (<c>Edge:Devices</c>): those of its configuration file, reloaded when the file changes,
/// or, once the cloud has sent one that passed, its last good remote configuration (<c>cmd/config</c>), kept in
/// <c>{DataDirectory}/remote-configuration.json</c> across restarts. Every candidate is validated as the file is at
/// start; one that fails changes nothing, and its errors are logged and, for a remote one, reported to the cloud.
/// Only the devices change at run time: the other sections (identity, queue, publishing) take effect at restart.
/// A remote configuration counts only when signed by the cloud's key (<c>Edge:RemoteConfiguration</c>): without a
/// key every one is refused; one whose signature does not verify is ignored, changing nothing, so that a forged
/// configuration cannot block later real ones. Its devices may use only the endpoints and serial ports of the local
/// configuration and of the allow-list (<see cref="RemoteAllowList"/>).
/// </summary>
internal sealed partial class DeviceConfiguration : IDisposable
{
    public const string RemoteFile = "remote-configuration.json";

    private const string Signed = "Signed";

    public const string RemoteOff =
        "remote configuration is off: set Edge:RemoteConfiguration:SigningKeyPath to the cloud's configuration key (shown when the edge was registered)";

    private readonly IConfiguration _configuration;
    private readonly IValidateOptions<EdgeOptions> _validation;
    private readonly ILogger<DeviceConfiguration> _logger;
    private readonly EdgeMetrics _metrics;
    private readonly ECDsa? _signingKey;
    private readonly RemoteAllowList _allowList;
    private readonly string _folder;
    private readonly IDisposable _fileWatch;
    private readonly Lock _gate = new();
    private EdgeOptions _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DeviceConfiguration(IConfiguration configuration, IOptions<EdgeOptions> options, IValidateOptions<EdgeOptions> validation, EdgeMetrics metrics, ILogger<DeviceConfiguration> logger)
    {
        (this._configuration, this._validation, this._metrics, this._logger) = (configuration, validation, metrics, logger);
        _current = options.Value;
        _folder = _current.DataDirectory;
        _allowList = new RemoteAllowList(_current.RemoteConfiguration, _current.Devices);

        // Validated at start (EdgeOptionsValidation); a key that stopped loading since leaves remote configuration off.
        ConfigurationSigningKey.TryLoad(_current.RemoteConfiguration, out _signingKey, out _);
        var stored = Path.Combine(_folder, RemoteFile);
        if (File.Exists(stored) && !StoredIsSigned(stored))
        {
            LogStoredUnverified(stored);
        }
        else if (LoadRemote(stored, out var version, out var remote) is { Count: 0 })
        {
            _current = WithDevices(_current, remote!);
            AppliedVersion = version;
            LogRemoteInForce(version);
        }

        _fileWatch = ChangeToken.OnChange(configuration.GetReloadToken, ReloadFile);
    }

    /// <summary>The devices in force.</summary>
    public DevicesOptions Devices { get { lock (_gate) { return _current.Devices; } } }

    /// <summary>The remote configuration version in force; 0 while the file's devices run.</summary>
    public ulong AppliedVersion { get; private set; }

    /// <summary>The last remote version refused (0: none) and why.</summary>
    public ulong RejectedVersion { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Completes at the next change of <see cref="Devices"/> or of what is reported (an applied or rejected version).</summary>
    public Task Changed { get { lock (_gate) { return _changed.Task; } } }

    /// <summary>
    /// Applies the cloud's desired configuration when it is new and valid: it becomes the devices in force and the last
    /// good one on disk. An invalid one is refused with its errors; what runs stays. Returns false when it was not new,
    /// or not signed by the cloud's key (then nothing changes, not even what is reported).
    /// </summary>
    public bool Apply(EdgeConfiguration desired)
    {
        lock (_gate)
        {
            if (_signingKey is not null && !IsSigned(desired))
            {
                _metrics.ConfigurationUnverified("bad_signature");
                LogRemoteUnverified(desired.Version);
                return false;
            }

            if (desired.Version <= AppliedVersion || desired.Version == RejectedVersion)
            {
                return false;
            }

            if (_signingKey is null)
            {
                // Nothing can tell the cloud's configurations from forged ones: refuse, and say how to turn it on.
                _metrics.ConfigurationUnverified("no_key");
                (RejectedVersion, Errors) = (desired.Version, [RemoteOff]);
                LogRemoteRejected(desired.Version, RemoteOff);
                Signal();
                return true;
            }

            var candidate = Path.Combine(_folder, RemoteFile + ".candidate");
            Directory.CreateDirectory(_folder);
            List<string> errors;
            DevicesOptions? devices = null;
            try
            {
                File.WriteAllText(candidate, Envelope(desired));
                errors = LoadRemote(candidate, out _, out devices);
            }
            catch (JsonException e)
            {
                errors = [$"the configuration is not a JSON object: {e.Message}"];
            }

            if (errors.Count > 0)
            {
                File.Delete(candidate);
                (RejectedVersion, Errors) = (desired.Version, errors);
                LogRemoteRejected(desired.Version, string.Join("; ", errors));
            }
            else
            {
                File.Move(candidate, Path.Combine(_folder, RemoteFile), overwrite: true);
                _current = WithDevices(_current, devices!);
                (AppliedVersion, Errors) = (desired.Version, []);
                LogRemoteApplied(desired.Version);
            }

            Signal();
            return true;
        }
    }

    public void Dispose()
    {
        _fileWatch.Dispose();
        _signingKey?.Dispose();
    }

    /// <summary>Signed by the cloud's key, for this edge.</summary>
    private bool IsSigned(EdgeConfiguration desired)
    {
        try
        {
            return desired.Site == _current.Site && desired.Edge == _current.Id && EdgeConfigurationSignature.Verify(_signingKey!, desired);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the last good configuration on disk carries the signature of the key set now: one kept before the key
    /// was set, or under another key, is not run (the cloud sends its configuration again, retained).
    /// </summary>
    private bool StoredIsSigned(string path)
    {
        if (_signingKey is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var signed = root.GetProperty(Signed);
            return IsSigned(new EdgeConfiguration
            {
                SchemaVersion = 1,
                Site = _current.Site,
                Edge = _current.Id,
                Version = root.GetProperty("Version").GetUInt64(),
                DevicesJson = signed.GetProperty(nameof(EdgeConfiguration.DevicesJson)).GetString() ?? "",
                Signature = Google.Protobuf.ByteString.CopyFrom(signed.GetProperty(nameof(EdgeConfiguration.Signature)).GetBytesFromBase64()),
            });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads a remote configuration file (<c>{"Version": N, "Edge": {"Devices": …}}</c>) and validates the devices in it
    /// with the rest of the configuration in force; the errors name the file and the key.
    /// </summary>
    private List<string> LoadRemote(string path, out ulong version, out DevicesOptions? devices)
    {
        (version, devices) = (0, null);
        if (!File.Exists(path))
        {
            return ["no remote configuration"];
        }

        try
        {
            var remote = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false).Build();
            version = remote.GetValue<ulong>("Version");
            var sections = remote.GetSection(EdgeOptions.Section).GetChildren().Select(s => s.Key).ToList();
            var local = sections.Where(key => !key.Equals(nameof(EdgeOptions.Devices), StringComparison.OrdinalIgnoreCase)).ToList();
            if (local.Count > 0 || sections.Count == 0)
            {
                return [$"{path}: {EdgeOptions.Section}: a remote configuration sets only {EdgeOptions.Section}:{nameof(EdgeOptions.Devices)}{(local.Count > 0 ? $"; remove {string.Join(", ", local)}" : "")}"];
            }

            var errors = new List<string>();
            devices = DevicesSection.Read(remote, errors);
            if (errors.Count > 0)
            {
                return errors;
            }

            var result = new EdgeOptionsValidation(remote, _allowList).Validate(null, WithDevices(_current, devices));
            return result.Failed ? [.. result.Failures] : [];
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException or JsonException)
        {
            return [$"{path}: {e.Message}"];
        }
    }

    private void ReloadFile()
    {
        lock (_gate)
        {
            if (AppliedVersion > 0)
            {
                LogFileIgnored(AppliedVersion);
                return;
            }

            EdgeOptions reloaded;
            try
            {
                reloaded = EdgeSection.Read(_configuration);
            }
            catch (Exception e) when (e is InvalidOperationException or JsonException or IOException)
            {
                LogFileRejected(e.Message);
                return;
            }

            var result = _validation.Validate(null, reloaded);
            if (result.Failed)
            {
                LogFileRejected(string.Join("; ", result.Failures));
                return;
            }

            if (Fingerprint(reloaded.Devices) != Fingerprint(_current.Devices))
            {
                _current = WithDevices(_current, reloaded.Devices);
                LogFileApplied();
                Signal();
            }
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.SetResult();
    }

    /// <summary>The options in force with other devices; everything else stays as it was at start.</summary>
    private static EdgeOptions WithDevices(EdgeOptions options, DevicesOptions devices) => new()
    {
        Site = options.Site,
        Id = options.Id,
        DataDirectory = options.DataDirectory,
        Queue = options.Queue,
        Publishing = options.Publishing,
        RemoteConfiguration = options.RemoteConfiguration,
        Devices = devices,
    };

    /// <summary>Equal for equal device options: what decides whether a device restarts.</summary>
    public static string Fingerprint(object options) =>
        JsonSerializer.Serialize(options, DevicesJsonContext.Default.GetTypeInfo(options.GetType()) ?? throw new ArgumentException($"{options.GetType()} is not a device option", nameof(options)));

    /// <summary>
    /// The file form of a remote configuration: its version, the devices under the same keys as in appsettings.json,
    /// and, to check it again at start, the text the cloud signed and its signature.
    /// </summary>
    private static string Envelope(EdgeConfiguration desired)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(desired.DevicesJson) ? "{}" : desired.DevicesJson);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Version"] = desired.Version,
            [Signed] = new Dictionary<string, string>
            {
                [nameof(EdgeConfiguration.DevicesJson)] = desired.DevicesJson,
                [nameof(EdgeConfiguration.Signature)] = desired.Signature.ToBase64(),
            },
            [EdgeOptions.Section] = document.RootElement,
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Running the devices of remote configuration version {Version} (the last good one the cloud sent)")]
    private partial void LogRemoteInForce(ulong version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied remote configuration version {Version}")]
    private partial void LogRemoteApplied(ulong version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused remote configuration version {Version}; the devices in force keep running: {Errors}")]
    private partial void LogRemoteRejected(ulong version, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored remote configuration version {Version}: it is not signed for this edge by the key in Edge:RemoteConfiguration (forged, or signed by another cloud)")]
    private partial void LogRemoteUnverified(ulong version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not running the remote configuration kept in {Path}: it is not signed by the key in Edge:RemoteConfiguration (or no key is set); the file's devices run until the cloud sends one that is")]
    private partial void LogStoredUnverified(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration file changed: devices reloaded")]
    private partial void LogFileApplied();

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration file changed but is not valid; the devices in force keep running: {Errors}")]
    private partial void LogFileRejected(string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration file changed; its Edge:Devices are ignored while remote configuration version {Version} is in force")]
    private partial void LogFileIgnored(ulong version);
}

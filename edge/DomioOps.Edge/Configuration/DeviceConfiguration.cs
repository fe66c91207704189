using System.Text.Json;

using DomioOps.Edge.Acquisition;
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
/// </summary>
internal sealed partial class DeviceConfiguration : IDisposable
{
    public const string RemoteFile = "remote-configuration.json";

    private readonly IConfiguration configuration;
    private readonly IValidateOptions<EdgeOptions> validation;
    private readonly ILogger<DeviceConfiguration> logger;
    private readonly string folder;
    private readonly IDisposable fileWatch;
    private readonly Lock gate = new();
    private EdgeOptions current;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DeviceConfiguration(IConfiguration configuration, IOptions<EdgeOptions> options, IValidateOptions<EdgeOptions> validation, ILogger<DeviceConfiguration> logger)
    {
        (this.configuration, this.validation, this.logger) = (configuration, validation, logger);
        current = options.Value;
        folder = current.DataDirectory;
        if (LoadRemote(Path.Combine(folder, RemoteFile), out var version, out var remote) is { Count: 0 })
        {
            current = WithDevices(current, remote!);
            AppliedVersion = version;
            LogRemoteInForce(version);
        }

        fileWatch = ChangeToken.OnChange(configuration.GetReloadToken, ReloadFile);
    }

    /// <summary>The devices in force.</summary>
    public DevicesOptions Devices { get { lock (gate) { return current.Devices; } } }

    /// <summary>The remote configuration version in force; 0 while the file's devices run.</summary>
    public ulong AppliedVersion { get; private set; }

    /// <summary>The last remote version refused (0: none) and why.</summary>
    public ulong RejectedVersion { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Completes at the next change of <see cref="Devices"/> or of what is reported (an applied or rejected version).</summary>
    public Task Changed { get { lock (gate) { return changed.Task; } } }

    /// <summary>
    /// Applies the cloud's desired configuration when it is new and valid: it becomes the devices in force and the last
    /// good one on disk. An invalid one is refused with its errors; what runs stays. Returns false when it was not new.
    /// </summary>
    public bool Apply(EdgeConfiguration desired)
    {
        lock (gate)
        {
            if (desired.Version <= AppliedVersion || desired.Version == RejectedVersion)
            {
                return false;
            }

            var candidate = Path.Combine(folder, RemoteFile + ".candidate");
            Directory.CreateDirectory(folder);
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
                File.Move(candidate, Path.Combine(folder, RemoteFile), overwrite: true);
                current = WithDevices(current, devices!);
                (AppliedVersion, Errors) = (desired.Version, []);
                LogRemoteApplied(desired.Version);
            }

            Signal();
            return true;
        }
    }

    public void Dispose() => fileWatch.Dispose();

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

            var result = new EdgeOptionsValidation(remote).Validate(null, WithDevices(current, devices));
            return result.Failed ? [.. result.Failures] : [];
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or FormatException or JsonException)
        {
            return [$"{path}: {e.Message}"];
        }
    }

    private void ReloadFile()
    {
        lock (gate)
        {
            if (AppliedVersion > 0)
            {
                LogFileIgnored(AppliedVersion);
                return;
            }

            EdgeOptions reloaded;
            try
            {
                reloaded = EdgeSection.Read(configuration);
            }
            catch (Exception e) when (e is InvalidOperationException or JsonException or IOException)
            {
                LogFileRejected(e.Message);
                return;
            }

            var result = validation.Validate(null, reloaded);
            if (result.Failed)
            {
                LogFileRejected(string.Join("; ", result.Failures));
                return;
            }

            if (Fingerprint(reloaded.Devices) != Fingerprint(current.Devices))
            {
                current = WithDevices(current, reloaded.Devices);
                LogFileApplied();
                Signal();
            }
        }
    }

    private void Signal()
    {
        var previous = changed;
        changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
        Devices = devices,
    };

    /// <summary>Equal for equal device options: what decides whether a device restarts.</summary>
    public static string Fingerprint(object options) =>
        JsonSerializer.Serialize(options, DevicesJsonContext.Default.GetTypeInfo(options.GetType()) ?? throw new ArgumentException($"{options.GetType()} is not a device option", nameof(options)));

    /// <summary>The file form of a remote configuration: its version, and the devices under the same keys as in appsettings.json.</summary>
    private static string Envelope(EdgeConfiguration desired)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(desired.DevicesJson) ? "{}" : desired.DevicesJson);
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["Version"] = desired.Version, [EdgeOptions.Section] = document.RootElement });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Running the devices of remote configuration version {Version} (the last good one the cloud sent)")]
    private partial void LogRemoteInForce(ulong version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied remote configuration version {Version}")]
    private partial void LogRemoteApplied(ulong version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused remote configuration version {Version}; the devices in force keep running: {Errors}")]
    private partial void LogRemoteRejected(ulong version, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration file changed: devices reloaded")]
    private partial void LogFileApplied();

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration file changed but is not valid; the devices in force keep running: {Errors}")]
    private partial void LogFileRejected(string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration file changed; its Edge:Devices are ignored while remote configuration version {Version} is in force")]
    private partial void LogFileIgnored(ulong version);
}

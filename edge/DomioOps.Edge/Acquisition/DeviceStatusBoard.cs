using System.Collections.Concurrent;

namespace DomioOps.Edge.Acquisition;

/// <summary>How a device is doing, as the health endpoint, the metrics and the logs report it.</summary>
public enum DeviceHealth
{
    /// <summary>Not heard from yet.</summary>
    Connecting,

    /// <summary>Every read or subscribed value arrives.</summary>
    Connected,

    /// <summary>Reachable, but some values fail (a refused address, a bad node) or the connection is being healed.</summary>
    Degraded,

    /// <summary>Not answering: the driver backs off and retries alone.</summary>
    Failing,
}

/// <summary>
/// The current health and last error of every device (machine). Each driver writes only its own entries;
/// a change of health is logged here, so every protocol reports the same way.
/// </summary>
internal sealed partial class DeviceStatusBoard
{
    private readonly ConcurrentDictionary<string, DeviceStatus> _devices = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DeviceStatusBoard(TimeProvider time, EdgeMetrics metrics, ILogger<DeviceStatusBoard> logger)
    {
        (this._time, this._logger) = (time, logger);
        metrics.ObserveDevices(this);
    }

    public IReadOnlyDictionary<string, DeviceStatus> Devices => _devices;

    /// <summary>The machine is no longer read (no longer configured, restarting with new options, or an auto-mapped machine that disappeared): it leaves the board.</summary>
    public void Forget(string machine) => _devices.TryRemove(machine, out _);

    /// <summary>Records the device's status; true when its health changed (the change is logged).</summary>
    public bool Report(string machine, DeviceHealth health, string? error, string? endpoint = null)
    {
        var previous = _devices.GetValueOrDefault(machine);
        var changed = previous?.Health != health;
        _devices[machine] = new DeviceStatus(
            health,
            error ?? previous?.LastError,
            changed || previous is null ? _time.GetUtcNow() : previous.Since,
            endpoint ?? previous?.Endpoint);
        if (changed && health != DeviceHealth.Connecting)
        {
            var where = endpoint ?? previous?.Endpoint ?? "";
            switch (health)
            {
                case DeviceHealth.Connected:
                    LogConnected(machine, where);
                    break;
                case DeviceHealth.Degraded:
                    LogDegraded(machine, where, error ?? "");
                    break;
                default:
                    LogFailing(machine, where, error ?? "");
                    break;
            }
        }

        return changed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Machine} at {Endpoint} is connected")]
    private partial void LogConnected(string machine, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Machine} at {Endpoint} is degraded: {Error}")]
    private partial void LogDegraded(string machine, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Machine} at {Endpoint} is failing: {Error}; backing off")]
    private partial void LogFailing(string machine, string endpoint, string error);
}

/// <summary>A device's health, its last error (kept after recovery), since when it has this health, and where it is.</summary>
public sealed record DeviceStatus(DeviceHealth Health, string? LastError, DateTimeOffset Since, string? Endpoint);

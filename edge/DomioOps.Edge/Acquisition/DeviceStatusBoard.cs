using System.Collections.Concurrent;

namespace DomioOps.Edge.Acquisition;

/// <summary>How a device is doing, as the health endpoint and the logs report it.</summary>
public enum DeviceHealth
{
    Connecting,
    Connected,
    Failing,
}

/// <summary>The current health and last error of every device. Each poller writes only its own entry.</summary>
internal sealed class DeviceStatusBoard
{
    private readonly ConcurrentDictionary<string, DeviceStatus> devices = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, DeviceStatus> Devices => devices;

    /// <summary>Records the device's status; true when its health changed.</summary>
    public bool Report(string machine, DeviceHealth health, string? error)
    {
        var previous = devices.GetValueOrDefault(machine);
        devices[machine] = new DeviceStatus(health, error ?? previous?.LastError);
        return previous?.Health != health;
    }
}

public sealed record DeviceStatus(DeviceHealth Health, string? LastError);

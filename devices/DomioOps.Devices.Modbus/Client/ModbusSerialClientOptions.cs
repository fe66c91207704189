using DomioOps.Devices.Modbus.Framing;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>Options of a <see cref="ModbusSerialClient"/> (the client of a bus of several units).</summary>
public sealed record ModbusSerialClientOptions
{
    public ModbusSerialFraming Framing { get; init; } = ModbusSerialFraming.Rtu;

    /// <summary>How long a request waits for its response, unless the unit has its own entry in <see cref="UnitResponseTimeouts"/>.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Response timeouts per unit id, for slow units on the same bus.</summary>
    public IReadOnlyDictionary<byte, TimeSpan> UnitResponseTimeouts { get; init; } = new Dictionary<byte, TimeSpan>();

    /// <summary>Consecutive failures (timeouts, bad frames) after which a unit's circuit opens.</summary>
    public int FailuresBeforeOpen { get; init; } = 3;

    /// <summary>How long an open circuit refuses requests before one trial request is let through.</summary>
    public TimeSpan OpenDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after a broadcast (unit 0) before the next request (§2.4.1: "turnaround delay").</summary>
    public TimeSpan BroadcastTurnaround { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Silence kept between frames; null derives it from the baud rate (3.5 characters), zero over TCP.</summary>
    public TimeSpan? InterFrameDelay { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ResponseTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(FailuresBeforeOpen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(OpenDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(BroadcastTurnaround, TimeSpan.Zero);
        foreach (var timeout in UnitResponseTimeouts.Values)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        }
    }
}

namespace DomioOps.Devices.Modbus.Client;

/// <summary>Options of a <see cref="ModbusTcpClient"/>.</summary>
/// <param name="Host">Host name or address of the server.</param>
/// <param name="Port">TCP port, 502 by default.</param>
public sealed record ModbusTcpClientOptions(string Host, int Port = 502)
{
    /// <summary>How long a request waits for its response.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Requests outstanding at once on the connection (pipelining); 1 waits for each response.</summary>
    public int MaxInFlight { get; init; } = 8;

    /// <summary>Consecutive timeouts after which the connection is dropped and opened again.</summary>
    public int TimeoutsBeforeReconnect { get; init; } = 3;

    /// <summary>First wait after a failed connect; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a read is sent again after its connection was lost (writes are never repeated).</summary>
    public int ReadRetries { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> for an option out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host);
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ResponseTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxInFlight, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(TimeoutsBeforeReconnect, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinReconnectDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReconnectDelay, MinReconnectDelay);
        ArgumentOutOfRangeException.ThrowIfNegative(ReadRetries);
    }
}

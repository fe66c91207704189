using DomioOps.Devices.Modbus;
using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Polls one Modbus TCP device on its own connection and loop: one read of holding registers covering all
/// its tags per poll, a sample per tag when its value changes (or after <see cref="RegisterTagOptions.MaxSilence"/>),
/// committed to the durable queue. A failing device backs off alone; the others never wait for it.
/// </summary>
internal sealed partial class ModbusDevicePoller(
    ModbusDeviceOptions device,
    SampleQueue queue,
    DeviceStatusBoard status,
    TimeProvider time,
    EdgeMetrics metrics,
    ILogger logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly ushort firstRegister = device.Tags.Min(t => t.Register);
    private readonly Reported?[] reported = new Reported?[device.Tags.Count];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clientOptions = new ModbusTcpClientOptions(device.Host, device.Port) { ResponseTimeout = device.ResponseTimeout, MaxInFlight = 1 };
        var count = (ushort)(device.Tags.Max(t => t.Register + ModbusRegisters.Count(t.Type)) - firstRegister);
        var backoff = device.PollInterval;
        await using var client = new ModbusTcpClient(clientOptions, time);
        using var timer = new PeriodicTimer(device.PollInterval, time);
        do
        {
            try
            {
                var registers = await client.ReadHoldingRegistersAsync(device.UnitId, firstRegister, count, cancellationToken);
                var samples = Decode(registers);
                queue.Enqueue(samples);
                if (status.Report(device.Machine, DeviceHealth.Connected, null))
                {
                    LogConnected(device.Machine, device.Host, device.Port);
                }

                backoff = device.PollInterval;
            }
            catch (Exception e) when (e is ModbusException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                metrics.ReadFailed(device.Machine);
                if (status.Report(device.Machine, DeviceHealth.Failing, e.Message))
                {
                    LogReadFailed(device.Machine, device.Host, device.Port, e.Message);
                }

                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>Turns one read into samples for the tags that changed or have been silent too long.</summary>
    internal List<Sample> Decode(ReadOnlySpan<ushort> registers)
    {
        var now = time.GetUtcNow();
        var samples = new List<Sample>();
        for (var i = 0; i < device.Tags.Count; i++)
        {
            var tag = device.Tags[i];
            var value = ModbusRegisters.GetNumber(tag.Type, registers[(tag.Register - firstRegister)..], tag.ByteOrder, tag.Bit) * tag.Scale + tag.Offset;
            if (reported[i] is { } last && Math.Abs(value - last.Value) <= tag.Deadband && now - last.At < tag.MaxSilence)
            {
                continue;
            }

            reported[i] = new Reported(value, now);
            samples.Add(new Sample { Machine = device.Machine, Signal = tag.Signal, TimestampMs = now.ToUnixTimeMilliseconds(), Number = value });
        }

        return samples;
    }

    private readonly record struct Reported(double Value, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Machine} at {Host}:{Port} is answering")]
    private partial void LogConnected(string machine, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Machine} at {Host}:{Port} failed: {Error}; backing off")]
    private partial void LogReadFailed(string machine, string host, int port, string error);
}

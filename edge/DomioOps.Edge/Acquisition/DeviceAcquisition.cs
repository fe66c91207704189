using DomioOps.Devices.Modbus.Client;
using DomioOps.Edge.Configuration;

using Microsoft.Extensions.Options;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Runs one independent driver per configured device (per unit on a serial bus), each in its own loop. When the
/// devices in force change (the configuration file, or the cloud's remote configuration), only the units whose
/// options changed are stopped and started again; the others, the queue and the publisher never stop.
/// </summary>
internal sealed partial class DeviceAcquisition(DeviceConfiguration configuration, IOptions<EdgeOptions> options, AcquisitionContext context, ILogger<DeviceAcquisition> logger) : BackgroundService
{
    /// <summary>The first pause before a device loop that failed unexpectedly starts again (<see cref="SuperviseAsync"/>).</summary>
    internal static readonly TimeSpan MinRestartDelay = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan MaxRestartDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new Dictionary<string, RunningUnit>(StringComparer.Ordinal);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = configuration.Changed;
                var wanted = new Dictionary<string, Unit>(StringComparer.Ordinal);
                foreach (var unit in Units(configuration.Devices))
                {
                    // Two units with the same key (e.g. two auto-mapped views of one server) both run.
                    var key = unit.Key;
                    for (var n = 2; wanted.ContainsKey(key); n++)
                    {
                        key = $"{unit.Key}#{n}";
                    }

                    wanted[key] = unit with { Key = key };
                }

                foreach (var (key, unit) in running.Where(r => !wanted.TryGetValue(r.Key, out var w) || w.Fingerprint != r.Value.Unit.Fingerprint).ToList())
                {
                    LogStopping(key);
                    await unit.StopAsync();
                    running.Remove(key);
                    foreach (var machine in unit.Unit.Machines)
                    {
                        context.Status.Forget(machine);
                    }
                }

                foreach (var unit in wanted.Values.Where(u => !running.ContainsKey(u.Key)))
                {
                    running[unit.Key] = RunningUnit.Start(unit, stoppingToken);
                }

                await changed.WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var unit in running.Values)
            {
                await unit.StopAsync();
            }
        }
    }

    /// <summary>
    /// What runs on its own: a Modbus TCP device, a serial bus with its units (they share the port), an OPC UA server, a
    /// line device. A unit restarts when its options change (its fingerprint).
    /// </summary>
    private IEnumerable<Unit> Units(DevicesOptions devices)
    {
        foreach (var device in devices.ModbusTcp)
        {
            yield return new Unit($"modbus-tcp/{device.Machine}", DeviceConfiguration.Fingerprint(device), [device.Machine], async ct =>
            {
                await using var client = new ModbusTcpClient(
                    new ModbusTcpClientOptions(device.Host, device.Port) { ResponseTimeout = device.ResponseTimeout, MaxInFlight = 1 },
                    context.Time);
                var driver = new ModbusDeviceDriver(device.Machine, $"{device.Host}:{device.Port}", device.UnitId, device.PollInterval, device.Tags, client, context);
                await Run(device.Machine, driver.RunAsync, ct);
            });
        }

        foreach (var bus in devices.ModbusSerial)
        {
            yield return new Unit($"modbus-serial/{bus.SerialPort}", DeviceConfiguration.Fingerprint(bus), [.. bus.Units.Select(s => s.Machine)], async ct =>
            {
                await using var client = ModbusSerialBus.Open(bus, context.Time);
                await Task.WhenAll(bus.Units.Select(unit =>
                    Run(unit.Machine, new ModbusDeviceDriver(unit.Machine, $"{bus.SerialPort} unit {unit.UnitId}", unit.UnitId, unit.PollInterval, unit.Tags, client, context).RunAsync, ct)));
            });
        }

        foreach (var device in devices.OpcUa)
        {
            var machine = device.Machine is { Length: > 0 } named ? named : device.EndpointUrl;
            yield return new Unit($"opcua/{device.EndpointUrl}/{machine}", DeviceConfiguration.Fingerprint(device), [machine], ct =>
                Run(machine, new OpcUaDeviceDriver(device, Path.Combine(options.Value.DataDirectory, "pki"), context).RunAsync, ct));
        }

        foreach (var device in devices.Line)
        {
            yield return new Unit($"line/{device.Machine}", DeviceConfiguration.Fingerprint(device), [device.Machine], ct =>
                Run(device.Machine, new LineDeviceDriver(device, context).RunAsync, ct));
        }
    }

    private Task Run(string machine, Func<CancellationToken, Task> loop, CancellationToken cancellationToken)
    {
        context.Status.Report(machine, DeviceHealth.Connecting, null);
        return Task.Run(() => SuperviseAsync(machine, loop, context, logger, cancellationToken), CancellationToken.None);
    }

    /// <summary>
    /// Runs a device's loop until cancelled. A driver handles the failures its protocol and the network bring; any other
    /// (a defect, the queue's disk full) is logged and reported, and the loop starts again after a pause that doubles up
    /// to <see cref="MaxRestartDelay"/>: a device is never left unread in silence.
    /// </summary>
    internal static async Task SuperviseAsync(string machine, Func<CancellationToken, Task> loop, AcquisitionContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var delay = MinRestartDelay;
        try
        {
            while (true)
            {
                try
                {
                    await loop(cancellationToken);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogLoopFailed(logger, e, machine, delay);
                    context.Status.Report(machine, DeviceHealth.Failing, $"{e.GetType().Name}: {e.Message}");
                }

                await Task.Delay(delay, context.Time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading {Machine} failed unexpectedly; starting again in {Delay}")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string machine, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping {Unit}: its configuration changed or it was removed")]
    private partial void LogStopping(string unit);

    private sealed record Unit(string Key, string Fingerprint, IReadOnlyList<string> Machines, Func<CancellationToken, Task> RunAsync);

    /// <summary>A started unit with its own cancellation, so it stops alone.</summary>
    private sealed class RunningUnit(Unit unit, CancellationTokenSource stop, Task task)
    {
        public Unit Unit => unit;

        public static RunningUnit Start(Unit unit, CancellationToken stoppingToken)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            return new RunningUnit(unit, stop, Task.Run(() => unit.RunAsync(stop.Token), CancellationToken.None));
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }
    }
}

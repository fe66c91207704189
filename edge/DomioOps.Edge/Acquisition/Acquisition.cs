using DomioOps.Devices.Modbus;

using Microsoft.Extensions.Options;

namespace DomioOps.Edge.Acquisition;

/// <summary>Runs one independent driver per configured device (per slave on a serial bus), each in its own loop.</summary>
internal sealed class Acquisition(IOptions<EdgeOptions> options, AcquisitionContext context) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var devices = options.Value.Devices;
        var loops = new List<Task>();
        var clients = new List<IAsyncDisposable>();
        try
        {
            foreach (var device in devices.ModbusTcp)
            {
                var client = new ModbusTcpClient(
                    new ModbusTcpClientOptions(device.Host, device.Port) { ResponseTimeout = device.ResponseTimeout, MaxInFlight = 1 },
                    context.Time);
                clients.Add(client);
                var poller = new ModbusDevicePoller(device.Machine, $"{device.Host}:{device.Port}", device.UnitId, device.PollInterval, device.Tags, client, context);
                loops.Add(Run(device.Machine, poller.RunAsync, stoppingToken));
            }

            foreach (var bus in devices.ModbusSerial)
            {
                var client = ModbusSerialBus.Open(bus, context.Time);
                clients.Add(client);
                foreach (var slave in bus.Slaves)
                {
                    var poller = new ModbusDevicePoller(slave.Machine, $"{bus.SerialPort} unit {slave.UnitId}", slave.UnitId, slave.PollInterval, slave.Tags, client, context);
                    loops.Add(Run(slave.Machine, poller.RunAsync, stoppingToken));
                }
            }

            foreach (var device in devices.OpcUa)
            {
                var driver = new OpcUaDeviceDriver(device, Path.Combine(options.Value.DataDirectory, "pki"), context);
                loops.Add(Run(device.Machine is { Length: > 0 } machine ? machine : device.EndpointUrl, driver.RunAsync, stoppingToken));
            }

            foreach (var device in devices.Line)
            {
                loops.Add(Run(device.Machine, new LineDeviceDriver(device, context).RunAsync, stoppingToken));
            }

            await Task.WhenAll(loops);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private Task Run(string machine, Func<CancellationToken, Task> loop, CancellationToken stoppingToken)
    {
        context.Status.Report(machine, DeviceHealth.Connecting, null);
        return Task.Run(
            async () =>
            {
                try
                {
                    await loop(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                }
            },
            stoppingToken);
    }
}

using DomioOps.Edge.StoreAndForward;

using Microsoft.Extensions.Options;

namespace DomioOps.Edge.Acquisition;

/// <summary>Runs one independent poller per configured device.</summary>
internal sealed class Acquisition(
    IOptions<EdgeOptions> options,
    SampleQueue queue,
    DeviceStatusBoard status,
    TimeProvider time,
    EdgeMetrics metrics,
    ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Devices.Select(device =>
        {
            status.Report(device.Machine, DeviceHealth.Connecting, null);
            var poller = new ModbusDevicePoller(device, queue, status, time, metrics, loggers.CreateLogger($"DomioOps.Edge.Device.{device.Machine}"));
            return Task.Run(() => poller.RunAsync(stoppingToken), stoppingToken);
        }));
}

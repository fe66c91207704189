using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DomioOps.Edge.Acquisition;

/// <summary>Ready when every device answers; degraded (still serving) when some fail.</summary>
internal sealed class DeviceHealthCheck(DeviceStatusBoard status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = status.Devices.Where(d => d.Value.Health != DeviceHealth.Connected).ToList();
        var data = status.Devices.ToDictionary(d => d.Key, d => (object)$"{d.Value.Health}{(d.Value.LastError is { } e ? ": " + e : "")}", StringComparer.Ordinal);
        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy("every device answers", data)
            : HealthCheckResult.Degraded($"{failing.Count} of {status.Devices.Count} devices not answering", data: data));
    }
}

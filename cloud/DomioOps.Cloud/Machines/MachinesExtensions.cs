using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DomioOps.Cloud.Machines;

internal static class MachinesExtensions
{
    /// <summary>
    /// Live machine state to the browsers: the SignalR hub, its open connections (which a revocation ends) and this silo's
    /// subscription to the machine feed, which it hands to the live pages too.
    /// </summary>
    public static IHostApplicationBuilder AddMachines(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<Security.HubSessions>();
        builder.Services.AddSingleton<MachineChanges>();
        builder.Services.AddHostedService<MachineFeed>();
        return builder;
    }
}

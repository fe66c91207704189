using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Machines;

internal static class MachinesExtensions
{
    /// <summary>
    /// Live machine state to the browsers: the SignalR hub, its open connections (which a revocation ends) and this silo's
    /// subscription to the machine feed, which it hands to the live pages too; the machines board and what a machine's
    /// page reads from the history, by the plant's shifts and days.
    /// </summary>
    public static IHostApplicationBuilder AddMachines(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<Security.HubSessions>();
        builder.Services.AddSingleton<MachineChanges>();
        builder.Services.AddHostedService<MachineFeed>();
        builder.Services.AddOptions<MachinesOptions>().BindConfiguration(MachinesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MachinesOptions>, MachinesOptionsValidator>();
        builder.Services.AddSingleton<EnergyToday>();
        builder.Services.AddSingleton<MachineBoard>();

        // A machine's page: its state timeline, alarms and energy from the history, by the plant's shifts and days.
        builder.Services.AddSingleton<ShiftCalendar>();
        builder.Services.AddSingleton<SignalChanges>();
        builder.Services.AddSingleton<StateTimeline>();
        builder.Services.AddSingleton<MachineAlarms>();
        builder.Services.AddSingleton<EnergyPerDay>();
        builder.Services.AddSingleton<VisibleMachines>();
        builder.Services.AddSingleton<MachineDetailQuery>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}

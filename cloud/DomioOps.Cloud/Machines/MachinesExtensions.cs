using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Machines;

internal static class MachinesExtensions
{
    /// <summary>
    /// Live machine state to the browsers: the SignalR hub, its open connections (which a revocation ends) and this silo's
    /// subscription to the machine feed, which it hands to the live pages too; and what a machine's page reads.
    /// </summary>
    public static IHostApplicationBuilder AddMachines(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<Security.HubSessions>();
        builder.Services.AddSingleton<MachineChanges>();
        builder.Services.AddHostedService<MachineFeed>();

        // A machine's page: its state timeline, alarms and energy from the history, by the plant's shifts and days.
        builder.Services.AddOptions<ShiftCalendarOptions>().BindConfiguration(ShiftCalendarOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ShiftCalendarOptions>, ShiftCalendarOptionsValidator>();
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

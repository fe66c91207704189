using Microsoft.Extensions.Options;

namespace DomioOps.Simulators;

internal static class FactoryExtensions
{
    /// <summary>The simulated factory: validated options (with the scenario they name) and the host that runs it.</summary>
    public static WebApplicationBuilder AddFactory(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidation>();
        builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FactoryHost>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FactoryHost>());
        return builder;
    }
}

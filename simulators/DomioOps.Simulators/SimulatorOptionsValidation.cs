using DomioOps.ServiceDefaults;
using DomioOps.Simulators.Scenarios;

using Microsoft.Extensions.Options;

namespace DomioOps.Simulators;

/// <summary>
/// Checks the configuration and the scenario it names at start: every failure names the file that set the
/// key (or the scenario file), the key, and the fix.
/// </summary>
internal sealed class SimulatorOptionsValidation(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<SimulatorOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                var fullKey = $"{SimulatorOptions.Section}:{key}";
                errors.Add($"{ConfigurationSources.Describe(configuration, fullKey)}: {fullKey}: {problem}");
            }
        }

        Check(options.Tick >= TimeSpan.FromMilliseconds(10) && options.Tick <= TimeSpan.FromSeconds(10), "Tick", "give a wall-time period between 00:00:00.010 and 00:00:10, e.g. \"00:00:00.100\"");
        foreach (var (machine, _, error) in options.ParsedFaults().Where(f => f.Fault is null))
        {
            Check(false, $"Faults:{machine}", error);
        }

        Scenario? scenario = null;
        try
        {
            scenario = options.BuildScenario(environment.ContentRootPath);
        }
        catch (ScenarioException e)
        {
            errors.Add(e.Message);
        }

        if (scenario is not null)
        {
            var ids = scenario.Machines.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var key in options.Faults.Keys.Concat(options.Ports.Keys).Concat(options.SerialPorts.Keys).Where(k => !ids.Contains(k)))
            {
                var section = options.Faults.ContainsKey(key) ? "Faults" : options.Ports.ContainsKey(key) ? "Ports" : "SerialPorts";
                Check(false, $"{section}:{key}", $"no machine '{key}' in the scenario; use one of {string.Join(", ", ids.Take(20))}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

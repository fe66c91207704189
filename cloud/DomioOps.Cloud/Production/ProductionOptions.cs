using System.ComponentModel.DataAnnotations;

using DomioOps.Models;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Production;

/// <summary>Production tracking (section <c>Production</c>): when a stop needs a reason, and the work centres a new plant starts with.</summary>
public sealed class ProductionOptions
{
    public const string Section = "Production";

    /// <summary>A machine out of Working longer than this asks its terminal for a stop reason.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan StopReasonAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a terminal action's idempotency key is kept: an action replayed after that (an outbox offline for longer)
    /// would be applied again.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan ActionKeysKept { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Work centres created at start when missing (an existing one is left as the office edited it).</summary>
    public List<WorkCentreSeed> WorkCentres { get; set; } = [];
}

public sealed class WorkCentreSeed
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>One of <see cref="WorkCentreKind"/>: PanelSaw, Edgebander, CncRouter, Drilling, Assembly, Packing.</summary>
    public string Kind { get; set; } = "";

    public List<string> Machines { get; set; } = [];

    public decimal SetupMinutes { get; set; } = 10;

    public decimal CycleSeconds { get; set; } = 30;
}

/// <summary>Each error names its key and what a right value looks like.</summary>
internal sealed class ProductionOptionsValidator : IValidateOptions<ProductionOptions>
{
    public ValidateOptionsResult Validate(string? name, ProductionOptions options)
    {
        var failures = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var machines = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.WorkCentres.Count; i++)
        {
            var seed = options.WorkCentres[i];
            var key = $"Production:WorkCentres:{i}";
            if (!EdgeTopics.IsValidId(seed.Id))
            {
                failures.Add($"{key}:Id '{seed.Id}' must be 1-64 of A-Z a-z 0-9 - _ . (e.g. saw).");
            }
            else if (ids.TryGetValue(seed.Id, out var first))
            {
                failures.Add($"{key}:Id '{seed.Id}' repeats Production:WorkCentres:{first}:Id: give each work centre its own id.");
            }
            else
            {
                ids[seed.Id] = i;
            }

            if (string.IsNullOrWhiteSpace(seed.Name) || seed.Name.Length > 200)
            {
                failures.Add($"{key}:Name is required (at most 200 characters), e.g. \"Panel saw\".");
            }

            if (!Enum.TryParse<WorkCentreKind>(seed.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(kind) || int.TryParse(seed.Kind, out _))
            {
                failures.Add($"{key}:Kind '{seed.Kind}' is not a kind of work centre: use one of {string.Join(", ", Enum.GetNames<WorkCentreKind>())}.");
            }

            if (seed.SetupMinutes is < 0 or > 10_000 || seed.CycleSeconds is < 0 or > 100_000)
            {
                failures.Add($"{key}: SetupMinutes must be 0-10000 and CycleSeconds 0-100000.");
            }

            foreach (var machine in seed.Machines)
            {
                if (!EdgeTopics.IsValidId(machine))
                {
                    failures.Add($"{key}:Machines: '{machine}' is not a machine id (1-64 of A-Z a-z 0-9 - _ .).");
                }
                else if (machines.TryGetValue(machine, out var other))
                {
                    failures.Add($"{key}:Machines: '{machine}' is already in {other}: a machine is in one work centre.");
                }
                else
                {
                    machines[machine] = key;
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

using DomioOps.Cloud.History;
using DomioOps.Cloud.Maintenance.Prediction;
using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Cloud.Production;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Alerts;

/// <summary>
/// Scores every machine with its class's active model on a schedule (<see cref="MaintenanceOptions.ScoringInterval"/>) and
/// turns the probabilities into alerts through the model's <see cref="AlertPolicy"/>: raised after a run of high scores,
/// its condition cleared after a run of low ones, so one degradation makes one alert. One silo scores at a time (a
/// PostgreSQL advisory lock per round).
/// </summary>
internal sealed partial class AlertScoring(
    HistoryDatabase database,
    WorkCentres centres,
    ModelRegistry registry,
    MachineFeatures features,
    MaintenanceAlerts alerts,
    IOptions<MaintenanceOptions> options,
    TimeProvider time,
    ILogger<AlertScoring> logger) : BackgroundService
{
    public const string MeterName = "DomioOps.Maintenance";

    private const long RoundLockKey = 0x446F_6D69_6F53_636F; // "DomioSco"

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Scored = Meter.CreateCounter<long>("domio.maintenance.scored", "{machine}", "Machines scored by the failure models.");
    private static readonly Histogram<double> RoundSeconds = Meter.CreateHistogram<double>("domio.maintenance.scoring.duration", "s", "Duration of a scoring round.");

    private readonly Dictionary<string, AlertDecision> _decisions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _round = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Scoring)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.ScoringInterval, time);
        do
        {
            try
            {
                await ScoreAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round at <paramref name="at"/>: every machine of a work centre whose class has an active model. Returns the machines scored.</summary>
    public async Task<int> ScoreAsync(DateTimeOffset at, CancellationToken ct)
    {
        await _round.WaitAsync(ct);
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(ct);
            await using (var take = connection.CreateCommand())
            {
                take.CommandText = $"SELECT pg_try_advisory_lock({RoundLockKey})";
                if (await take.ExecuteScalarAsync(ct) is not true)
                {
                    return 0;
                }
            }

            try
            {
                return await ScoreMachinesAsync(at, ct);
            }
            finally
            {
                await using var release = connection.CreateCommand();
                release.CommandText = $"SELECT pg_advisory_unlock({RoundLockKey})";
                await release.ExecuteScalarAsync(CancellationToken.None);
            }
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task<int> ScoreMachinesAsync(DateTimeOffset at, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var open = (await alerts.ListAsync(true, null, ct)).Select(a => a.MachineId).ToHashSet(StringComparer.Ordinal);
        var scored = 0;
        foreach (var centre in await centres.ListAsync(ct))
        {
            if (ClassOf(centre.Kind) is not { } machineClass || centre.Machines is not { Count: > 0 } machines
                || await registry.ActiveAsync(machineClass, ct) is not var (model, classifier))
            {
                continue;
            }

            foreach (var machine in machines)
            {
                var vector = (await features.ComputeAsync(machine, machineClass, [at], ct))[0];
                var probability = classifier.Probability(vector);
                var previous = _decisions.TryGetValue(machine, out var kept) ? kept : new AlertDecision(open.Contains(machine), 0, false);
                var decision = model.Policy.Next(previous, probability);
                _decisions[machine] = decision;
                if (decision.Raised)
                {
                    var reasons = classifier.Explain(vector, 3).Where(c => c.Contribution > 0).Select(c => Reason(machineClass, c)).ToList();
                    await alerts.RaiseAsync(new AlertScore(machine, machineClass.ToString(), model.Id, probability, model.Horizon, reasons, at), ct);
                }
                else if (previous.Raised || open.Contains(machine))
                {
                    await alerts.ConditionClearedAsync(machine, probability, at, ct);
                }

                scored++;
            }
        }

        Scored.Add(scored);
        RoundSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return scored;
    }

    /// <summary>The machine class of a work centre's machines, when it has failure models.</summary>
    public static MachineClass? ClassOf(string? kind) => kind switch
    {
        nameof(WorkCentreKind.CncRouter) => MachineClass.CncRouter,
        nameof(WorkCentreKind.PanelSaw) => MachineClass.PanelSaw,
        nameof(WorkCentreKind.Edgebander) => MachineClass.Edgebander,
        _ => null,
    };

    /// <summary>
    /// A contribution in words, with the signal it comes from: "spindle vibration, trend over 6 h: 0.42 mm/s/h",
    /// "spindle vibration, change of the 1 h mean against the 24 h mean: +40 %".
    /// </summary>
    internal static AlertReason Reason(MachineClass machineClass, FeatureContribution contribution)
    {
        var feature = contribution.Feature;
        var value = feature.Unit == "fraction"
            ? string.Create(CultureInfo.InvariantCulture, $"{contribution.Value * 100:+0;-0;0} %")
            : string.Create(CultureInfo.InvariantCulture, $"{contribution.Value:0.##} {feature.Unit}");
        var signal = MachineFeatures.ConditionSignals(machineClass)
            .Where(c => feature.Key.StartsWith(c.Key + ".", StringComparison.Ordinal))
            .Select(c => (int?)c.Signal)
            .FirstOrDefault();
        return new AlertReason($"{feature.Text}: {value}", contribution.Contribution, signal);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A failure-scoring round failed; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}

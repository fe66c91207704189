// STAND-IN until the real OEE service (helper "oee", CONTRACT15.md) is merged; DELETE THIS FILE ON MERGE and replace
// `builder.AddOeeStandIn()` in Program.cs by `builder.AddOee()`. The shapes below are the contract's, exactly; the
// numbers are made up (deterministic sample data, so that the pages render and their tests are repeatable).
using System.Globalization;

using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Oee;

#pragma warning disable CA1822 // The contract's instance methods; the stand-in's samples need no instance.

internal enum OeeScope
{
    Machine,
    WorkCentre,
    Order,
}

internal enum OeePeriod
{
    Shift,
    Day,
    Week,
}

/// <summary>Time elements of one scope and period; ratios are null when their denominator is zero.</summary>
internal sealed record OeeFigures(TimeSpan PlannedTime, TimeSpan RunTime, TimeSpan DelayTime, TimeSpan DownTime,
    long Pieces, long Scrap, TimeSpan IdealTime)
{
    public double? Availability => PlannedTime > TimeSpan.Zero ? RunTime / PlannedTime : null;

    public double? Performance => RunTime > TimeSpan.Zero ? IdealTime / RunTime : null;

    public double? Quality => Pieces > 0 ? (Pieces - Scrap) / (double)Pieces : null;

    public double? Oee => Availability * Performance * Quality;

    public TimeSpan SpeedLoss => RunTime > IdealTime ? RunTime - IdealTime : TimeSpan.Zero;
}

internal sealed record OeeRow(string Key, string Name, DateTimeOffset From, DateTimeOffset To, string Label, OeeFigures Figures);

internal sealed record DowntimeLoss(string Reason, TimeSpan Time, int Stops);

internal sealed record ScrapLoss(string Reason, long Pieces);

internal sealed record ShiftReport(string WorkCentreId, string WorkCentreName, string Label, DateTimeOffset From,
    DateTimeOffset To, OeeFigures Total, IReadOnlyList<OeeRow> Machines, IReadOnlyList<DowntimeLoss> Downtime,
    IReadOnlyList<ScrapLoss> Scrap);

/// <summary>STAND-IN: sample figures over the plant's real work centres and machines (two 8-hour shifts from 06:00).</summary>
internal sealed class OeeQuery(WorkCentres centres, TimeProvider time)
{
    private static readonly string[] StopReasons = ["material-missing", "setup", "breakdown", "no-operator", "maintenance", "other", "unexplained"];
    private static readonly string[] ScrapReasons = ["chipped", "wrong-size", "damaged", "material-defect", "machine-fault", "other"];

    public async Task<IReadOnlyList<OeeRow>> RowsAsync(OeeScope scope, OeePeriod period, DateTimeOffset from, DateTimeOffset to, string? key, CancellationToken ct)
    {
        var subjects = await SubjectsAsync(scope, ct);
        var rows = new List<OeeRow>();
        foreach (var (id, name) in subjects.Where(s => key is null || s.Id == key))
        {
            foreach (var (start, end, label) in Periods(period, from, to))
            {
                rows.Add(new OeeRow(id, name, start, end, label, Figures(id, start, end - start)));
            }
        }

        return rows;
    }

    public Task<IReadOnlyList<DowntimeLoss>> DowntimeAsync(DateTimeOffset from, DateTimeOffset to, string? workCentreId, CancellationToken ct)
    {
        int seed = Seed(workCentreId ?? "*", from);
        double hours = Math.Max(1, (to - from).TotalHours / 24);
        IReadOnlyList<DowntimeLoss> losses = [.. StopReasons
            .Select((reason, i) => new DowntimeLoss(reason, TimeSpan.FromMinutes(Math.Round(hours * (5 + ((seed + (i * 37)) % 60)))), 1 + ((seed + i) % 9)))
            .OrderByDescending(l => l.Time)];
        return Task.FromResult(losses);
    }

    public Task<IReadOnlyList<ScrapLoss>> ScrapAsync(DateTimeOffset from, DateTimeOffset to, string? workCentreId, CancellationToken ct)
    {
        int seed = Seed(workCentreId ?? "*", from);
        IReadOnlyList<ScrapLoss> losses = [.. ScrapReasons
            .Select((reason, i) => new ScrapLoss(reason, (seed + (i * 13)) % 25))
            .Where(l => l.Pieces > 0)
            .OrderByDescending(l => l.Pieces)];
        return Task.FromResult(losses);
    }

    public async Task<ShiftReport?> ShiftReportAsync(string workCentreId, DateTimeOffset at, CancellationToken ct)
    {
        var centre = await centres.GetAsync(workCentreId, ct);
        if (centre is null)
        {
            return null;
        }

        var shifts = Periods(OeePeriod.Shift, at, at).ToList();
        var (start, end, label) = shifts.FirstOrDefault(s => at < s.To, shifts[^1]);
        var machines = (centre.Machines ?? []).Select(m => new OeeRow(m, m, start, end, label, Figures(m, start, end - start))).ToList();
        var total = machines.Count == 0
            ? new OeeFigures(end - start, TimeSpan.Zero, TimeSpan.Zero, end - start, 0, 0, TimeSpan.Zero)
            : new OeeFigures(Sum(machines, f => f.PlannedTime), Sum(machines, f => f.RunTime), Sum(machines, f => f.DelayTime), Sum(machines, f => f.DownTime),
                machines.Sum(r => r.Figures.Pieces), machines.Sum(r => r.Figures.Scrap), Sum(machines, f => f.IdealTime));
        return new ShiftReport(centre.Id!, centre.Name ?? centre.Id!, label, start, end, total, machines,
            await DowntimeAsync(start, end, workCentreId, ct), await ScrapAsync(start, end, workCentreId, ct));
    }

    private static TimeSpan Sum(List<OeeRow> rows, Func<OeeFigures, TimeSpan> of) => rows.Aggregate(TimeSpan.Zero, (sum, r) => sum + of(r.Figures));

    private async Task<IReadOnlyList<(string Id, string Name)>> SubjectsAsync(OeeScope scope, CancellationToken ct)
    {
        var list = await centres.ListAsync(ct);
        return scope switch
        {
            OeeScope.Machine => [.. list.SelectMany(c => c.Machines ?? []).Order(StringComparer.Ordinal).Select(m => (m, m))],
            OeeScope.WorkCentre => [.. list.Select(c => (c.Id!, c.Name ?? c.Id!))],
            _ => [("1001", "SO-1001"), ("1002", "SO-1002"), ("1003", "SO-1003")],
        };
    }

    /// <summary>The periods (shifts of 06-14 and 14-22 plant time, days, ISO weeks) that overlap from..to.</summary>
    private IEnumerable<(DateTimeOffset From, DateTimeOffset To, string Label)> Periods(OeePeriod period, DateTimeOffset from, DateTimeOffset to)
    {
        var zone = time.LocalTimeZone;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).Date);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to > from ? to.AddTicks(-1) : to, zone).Date);
        if (period == OeePeriod.Week)
        {
            day = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        }

        for (int guard = 0; day <= last && guard < 400; guard++)
        {
            string date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            switch (period)
            {
                case OeePeriod.Shift:
                    yield return (At(day, 6), At(day, 14), date + " shift 1");
                    yield return (At(day, 14), At(day, 22), date + " shift 2");
                    day = day.AddDays(1);
                    break;
                case OeePeriod.Day:
                    yield return (At(day, 0), At(day.AddDays(1), 0), date);
                    day = day.AddDays(1);
                    break;
                default:
                    var thursday = day.AddDays(3).ToDateTime(TimeOnly.MinValue);
                    yield return (At(day, 0), At(day.AddDays(7), 0),
                        string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(thursday)}-W{ISOWeek.GetWeekOfYear(thursday):00}"));
                    day = day.AddDays(7);
                    break;
            }
        }

        DateTimeOffset At(DateOnly d, int hour)
        {
            var local = d.ToDateTime(new TimeOnly(0, 0)).AddHours(hour);
            return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
        }
    }

    private static OeeFigures Figures(string key, DateTimeOffset from, TimeSpan length)
    {
        int seed = Seed(key, from);
        // A day or a week holds two shifts of 7.5 planned hours per weekday.
        var planned = length.TotalHours <= 8 ? TimeSpan.FromMinutes(450) : TimeSpan.FromMinutes(900 * Math.Max(1, Math.Round(length.TotalDays * 5 / 7)));
        if (seed % 11 == 0)
        {
            return new OeeFigures(planned, TimeSpan.Zero, TimeSpan.Zero, planned, 0, 0, TimeSpan.Zero);
        }

        double availability = 0.70 + (seed % 25 / 100.0);
        double performance = 0.75 + (seed / 7 % 22 / 100.0);
        var run = planned * availability;
        var delay = (planned - run) * 0.4;
        var ideal = run * performance;
        long pieces = (long)(ideal.TotalSeconds / 20);
        long scrap = pieces * (1 + (seed % 4)) / 100;
        return new OeeFigures(planned, run, delay, planned - run - delay, pieces, scrap, ideal);
    }

    /// <summary>A stable number from a key and a time (string.GetHashCode differs between processes).</summary>
    private static int Seed(string key, DateTimeOffset from)
    {
        unchecked
        {
            int hash = (int)(from.ToUnixTimeSeconds() / 3600);
            foreach (char c in key)
            {
                hash = (hash * 31) + c;
            }

            return Math.Abs(hash % 100_000);
        }
    }
}

internal static class OeeStandInExtensions
{
    /// <summary>STAND-IN for <c>builder.AddOee()</c>: delete with this file.</summary>
    public static IHostApplicationBuilder AddOeeStandIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OeeQuery>();
        return builder;
    }
}

namespace DomioOps.Cloud.Oee;

/// <summary>What an OEE row is about: one machine, the machines of one work centre, or one production order.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<OeeScope>))]
internal enum OeeScope
{
    Machine,
    WorkCentre,
    Order,
}

/// <summary>How long an OEE row covers: a shift occurrence, the shifts that start on a plant-local day, or on an ISO week's days.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<OeePeriod>))]
internal enum OeePeriod
{
    Shift,
    Day,
    Week,
}

/// <summary>
/// Time elements of one scope and period (ISO 22400-2: PBT, APT, ADET, ADOT, PQ, SQ and the ideal time of PQ); the run,
/// delay and down times sum to the planned time exactly. Ratios are null when their denominator is zero.
/// </summary>
internal sealed record OeeFigures(TimeSpan PlannedTime, TimeSpan RunTime, TimeSpan DelayTime, TimeSpan DownTime,
    long Pieces, long Scrap, TimeSpan IdealTime)
{
    public static OeeFigures Zero { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0, 0, TimeSpan.Zero);

    /// <summary>Run time / planned time (0..1).</summary>
    public double? Availability => PlannedTime > TimeSpan.Zero ? (double)RunTime.Ticks / PlannedTime.Ticks : null;

    /// <summary>Ideal time of the pieces made / run time; above 1 when the standard cycle is slower than the machine.</summary>
    public double? Performance => RunTime > TimeSpan.Zero ? (double)IdealTime.Ticks / RunTime.Ticks : null;

    /// <summary>Good pieces / pieces, where good = pieces - scrap (never below zero: scrap reported of pieces counted in another period).</summary>
    public double? Quality => Pieces > 0 ? (double)Math.Max(0, Pieces - Scrap) / Pieces : null;

    /// <summary>
    /// Availability × performance × quality, which is the ideal time of the good pieces / planned time: 0 when the planned
    /// time made nothing, null only when there was no planned time.
    /// </summary>
    public double? Oee => PlannedTime > TimeSpan.Zero
        ? (Quality ?? 0) * IdealTime.Ticks / PlannedTime.Ticks
        : null;

    /// <summary>Run time not explained by the pieces made at the ideal cycle (never below zero).</summary>
    public TimeSpan SpeedLoss => RunTime > IdealTime ? RunTime - IdealTime : TimeSpan.Zero;

    public static OeeFigures operator +(OeeFigures a, OeeFigures b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.PlannedTime + b.PlannedTime, a.RunTime + b.RunTime, a.DelayTime + b.DelayTime, a.DownTime + b.DownTime,
            a.Pieces + b.Pieces, a.Scrap + b.Scrap, a.IdealTime + b.IdealTime);
    }

    public static OeeFigures Sum(IEnumerable<OeeFigures> figures) => figures.Aggregate(Zero, (sum, f) => sum + f);
}

/// <summary>
/// One row: a machine / work centre / order over one shift / day / week (From..To in UTC; Label as a planner says it,
/// e.g. "2026-12-07 shift 1", "2026-12-07", "2026-W50").
/// </summary>
internal sealed record OeeRow(string Key, string Name, DateTimeOffset From, DateTimeOffset To, string Label, OeeFigures Figures);

/// <summary>Planned time lost in stops of one reason: a StopReason wire name, or "unexplained".</summary>
internal sealed record DowntimeLoss(string Reason, TimeSpan Time, int Stops);

/// <summary>Pieces scrapped for one reason (a ScrapReason wire name).</summary>
internal sealed record ScrapLoss(string Reason, long Pieces);

/// <summary>A work centre's shift as a plant manager prints it: the total, each machine, the stops and the scrap.</summary>
internal sealed record ShiftReport(string WorkCentreId, string WorkCentreName, string Label, DateTimeOffset From,
    DateTimeOffset To, OeeFigures Total, IReadOnlyList<OeeRow> Machines, IReadOnlyList<DowntimeLoss> Downtime,
    IReadOnlyList<ScrapLoss> Scrap);

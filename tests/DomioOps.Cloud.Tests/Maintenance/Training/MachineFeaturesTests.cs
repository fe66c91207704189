using DomioOps.Cloud.Maintenance.Training;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Tests.Maintenance.Training;

/// <summary>Features of a hand-made CNC router series at one instant, against values worked out by hand.</summary>
public sealed class MachineFeaturesTests
{
    private static readonly DateTimeOffset Origin = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// 120 minutes: working throughout except minutes 10 (spindle-bearing failure, alarm 201) and 100 (tool breakage,
    /// alarm 210), both in error; vibration only in minutes 60–119, minute mean 1 + 0.01·(m − 60), peak 0.5 above it;
    /// cycle time 30 s in the first hour, 33 s in the second; warning flag in minutes 110–119; 12 kW; one piece a
    /// minute (counter m → m + 1); 30 operating minutes before the series.
    /// </summary>
    private static MachineHistory Series()
    {
        var series = new MinuteSeries(Origin, 120, MachineHistory.SignalsOf(MachineClass.CncRouter));
        for (var m = 0; m < 120; m++)
        {
            var down = m is 10 or 100;
            series.Set(Signal.MachineState, m, down ? 4 : 3, down ? 4 : 3, (down ? 4 : 3) * 6, 6, down ? 4 : 3);
            series.Set(Signal.Alarm, m, 0, m == 10 ? 201 : m == 100 ? 210 : 0, 0, 6, 0);
            series.Set(Signal.Warning, m, 0, m >= 110 ? 1 : 0, 0, 6, 0);
            series.Set(Signal.CycleTime, m, 0, 0, (m < 60 ? 30 : 33) * 6, 6, 0);
            series.Set(Signal.Power, m, 12, 12, 72, 6, 12);
            series.Set(Signal.PieceCounter, m, m, m + 1, 0, 6, m + 1);
            if (m >= 60)
            {
                var y = 1 + (0.01 * (m - 60));
                series.Set(Signal.Vibration, m, y - 0.5, y + 0.5, y * 4, 4, y);
            }
        }

        return new MachineHistory(series, 30);
    }

    [Theory]
    // Vibration over 1 h (minutes 60–119 without the failed minute 100, so k = m − 60 in 0…59 without 40, 59 minutes):
    // mean 1 + 0.01·Σk/59 = 1 + 0.01·1730/59; peak 0.5 more; a line stays a line without one point: 0.01/min = 0.6/h;
    // standard deviation 0.01·√(Σk²/59 − (Σk/59)²) with Σk² = 70210 − 1600 = 68610.
    [InlineData("vibration.mean.1h", 1.2932203)]
    // Over 15 min: minutes 105–119, k = 45…59, mean 1 + 0.01·52; still the same line.
    [InlineData("vibration.mean.15min", 1.52)]
    [InlineData("vibration.trend.15min", 0.6)]
    [InlineData("vibration.peak.1h", 1.7932203)]
    [InlineData("vibration.trend.1h", 0.6)]
    [InlineData("vibration.variability.1h", 0.1740976)]
    // No vibration before minute 60: the 6 h and 24 h windows hold the same minutes, so no change.
    [InlineData("vibration.mean.24h", 1.2932203)]
    [InlineData("vibration.change.1h-24h", 0)]
    // Signals the series lacks are 0.
    [InlineData("spindle-temperature.mean.6h", 0)]
    // Alarms: minute 100 of the last 60; minutes 10 and 100 of the 120 with data in 6 h.
    [InlineData("alarm.rate.1h", 1.0 / 60)]
    [InlineData("alarm.rate.6h", 2.0 / 120)]
    [InlineData("warning.rate.1h", 10.0 / 60)]
    [InlineData("warning.rate.24h", 10.0 / 120)]
    // Cycle time over the minutes it ran: 1 h = 33 s; 24 h = (59·30 + 59·33)/118 = 31.5 s; 6 h = 24 h.
    [InlineData("cycle-time.drift.1h-24h", (33 / 31.5) - 1)]
    [InlineData("cycle-time.drift.6h-24h", 0)]
    // 120 minutes at 12 kW = 24 kWh for counter 0 → 120.
    [InlineData("energy-per-piece.6h", 0.2)]
    [InlineData("energy-per-piece.24h", 0.2)]
    // Reset by the failure alarm of minute 10; on in minutes 11–119 (in error too: switched on) = 109 min.
    [InlineData("operating-hours.since-repair", 109.0 / 60)]
    public void Compute_HandMadeSeries_FeatureAsWorkedOut(string key, double expected)
    {
        var schema = MachineFeatures.SchemaOf(MachineClass.CncRouter);

        var features = MachineFeatures.Compute(Series(), MachineClass.CncRouter, [120]);

        Assert.Equal(expected, features[0][schema.IndexOf(key)], 5);
    }

    [Fact]
    public void Compute_BeforeTheFailure_CountsTheOperatingMinutesBeforeTheSeries()
    {
        var schema = MachineFeatures.SchemaOf(MachineClass.CncRouter);

        var features = MachineFeatures.Compute(Series(), MachineClass.CncRouter, [0, 10, 11]);

        // 30 min before the series; + minutes 0–9; the failure minute 10 resets it.
        Assert.Equal([0.5, 0.6667, 0], features.Select(f => Math.Round(f[schema.IndexOf("operating-hours.since-repair")], 4)));
    }

    [Fact]
    public void Compute_ARepairClosedInAWorkOrder_StartsTheOperatingHoursAgain()
    {
        var schema = MachineFeatures.SchemaOf(MachineClass.CncRouter);
        var series = Series().Series;

        var features = MachineFeatures.Compute(new MachineHistory(series, 30, repairs: [50]), MachineClass.CncRouter, [50, 51, 120]);

        // 30 min before; the failure of minute 10 resets, then minutes 11–49 on (39 min); the repair in minute 50 resets;
        // minutes 51–119 on (69 min).
        Assert.Equal([Math.Round(39.0 / 60, 4), 0, Math.Round(69.0 / 60, 4)], features.Select(f => Math.Round(f[schema.IndexOf("operating-hours.since-repair")], 4)));
    }

    [Fact]
    public void SchemaOf_EveryClass_TextsInWordsAndOneFeaturePerKey()
    {
        foreach (var machineClass in (MachineClass[])[MachineClass.CncRouter, MachineClass.PanelSaw, MachineClass.Edgebander])
        {
            var schema = MachineFeatures.SchemaOf(machineClass);

            Assert.Equal(schema.Features.Count, schema.Features.Select(f => f.Key).Distinct().Count());
            Assert.Equal(schema.Features.Count, MachineFeatures.Compute(new MachineHistory(new MinuteSeries(Origin, 1, MachineHistory.SignalsOf(machineClass)), 0), machineClass, [1])[0].Length);
        }

        Assert.Contains(MachineFeatures.SchemaOf(MachineClass.CncRouter).Features, f => f.Text == "spindle vibration, trend over 6 h" && f.Unit == "mm/s/h");
        Assert.Contains(MachineFeatures.SchemaOf(MachineClass.Edgebander).Features, f => f.Text == "glue temperature, variability (standard deviation) over 1 h");
    }
}

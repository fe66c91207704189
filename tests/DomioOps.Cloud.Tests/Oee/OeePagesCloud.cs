using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Oee;

/// <summary>
/// The small shop of <see cref="ProductionCloud"/> with five days of real history for the OEE pages: every work centre
/// works two shifts every day (06-14 and 14-22, each with a 30-minute break), and on each of the five days before today
/// (plant time) saw-01 worked, broke down (a breakdown an operator explained), waited unexplained and counted pieces,
/// fed through the telemetry history as its edge would; an operator reported scrap on the saw. The edgebander and the
/// CNC router sent nothing (down, unexplained) and nobody reported scrap there.
/// </summary>
public sealed class OeePagesCloud : ProductionCloud, IAsyncLifetime
{
    private ulong _sequence;

    /// <summary>The first of the five days with history.</summary>
    internal static DateOnly FirstDay => LastDay.AddDays(-4);

    /// <summary>Yesterday in plant time: the last day with history (all its shifts have ended).</summary>
    internal static DateOnly LastDay => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.Local).Date).AddDays(-1);

    internal static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><paramref name="day"/> at <paramref name="hour"/>:<paramref name="minute"/> plant time.</summary>
    internal static DateTimeOffset At(DateOnly day, int hour, int minute = 0)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, TimeZoneInfo.Local.GetUtcOffset(local));
    }

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await base.InitializeAsync();
        List<DayOfWeek> every = [.. Enum.GetValues<DayOfWeek>()];
        var calendar = new WorkCalendar
        {
            Shifts =
            [
                new("1", new(6, 0), new(14, 0), every, [new(new(10, 0), new(10, 30))]),
                new("2", new(14, 0), new(22, 0), every, [new(new(18, 0), new(18, 30))]),
            ],
        };
        await QueryAsync(async db =>
        {
            foreach (var centre in await db.WorkCentres.ToListAsync())
            {
                centre.Calendar = calendar;
            }

            return await db.SaveChangesAsync();
        });

        var samples = new List<(Signal, double, DateTimeOffset)> { (Signal.PieceCounter, 0, At(FirstDay, 5, 59)) };
        double counter = 0;
        for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
        {
            samples.Add((Signal.MachineState, (double)MachineState.Working, At(day, 6)));
            samples.Add((Signal.PieceCounter, counter += 300, At(day, 8, 30)));
            samples.Add((Signal.MachineState, (double)MachineState.Error, At(day, 9)));
            samples.Add((Signal.MachineState, (double)MachineState.Working, At(day, 9, 40)));
            samples.Add((Signal.MachineState, (double)MachineState.Ready, At(day, 11)));
            samples.Add((Signal.MachineState, (double)MachineState.Working, At(day, 11, 10)));
            samples.Add((Signal.PieceCounter, counter += 600, At(day, 16)));
            samples.Add((Signal.PieceCounter, counter += 500, At(day, 21, 30)));
            samples.Add((Signal.MachineState, (double)MachineState.Standby, At(day, 22)));
        }

        var history = App.Services.GetRequiredService<TelemetryHistory>();
        var batch = samples.Select(s => new EdgeSample("saw-01", new MachineSample(++_sequence, s.Item1, s.Item3, s.Item2, null))).ToList();
        Assert.Equal(batch.Count, await history.AppendAsync("plant/oee-pages-edge", batch, CancellationToken.None));

        var order = await CreateOrderAsync($"OEEP-{Guid.NewGuid():N}"[..12], Panel("Door", 100));
        await QueryAsync(async db =>
        {
            for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
            {
                db.Stops.Add(new MachineStop { MachineId = "saw-01", Since = At(day, 9), Reason = StopReason.Breakdown, ReportedAt = At(day, 9, 5) });
            }

            var saw = await db.Operations.SingleAsync(o => o.OrderId == order.Id && o.WorkCentreId == "saw");
            saw.MachineId = "saw-01";
            db.Reports.Add(new OperationReport { OperationId = saw.Id, Good = 95, Scrap = 5, ScrapReason = ScrapReason.Chipped, At = At(LastDay.AddDays(-1), 12) });
            return await db.SaveChangesAsync();
        });
    }
}

using DomioOps.Cloud.Machines;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// Energy per local day (Europe/Moscow, UTC+3) from a meter's cumulative kWh counter in PostgreSQL: a day is what the
/// counter rose since the last reading before it; a counter that falls (reset) counts again from zero.
/// </summary>
public sealed class EnergyPerDayTests(MachineHistory history) : IClassFixture<MachineHistory>
{
    private static readonly DateOnly March8 = new(2026, 3, 8);

    private EnergyPerDay Energy => history.Get<EnergyPerDay>();

    [Fact]
    public async Task ReadAsync_RisesAcrossLocalMidnightAndAReset_EnergyOfEachDay()
    {
        await history.AppendAsync("meter-e1", Signal.Energy,
            (Utc(7, 20, 0), 1000.0),   // 7 March 23:00 local: the reading before the first day
            (Utc(7, 22, 0), 1002.0),   // 8 March 01:00 local: +2
            (Utc(8, 12, 0), 1010.5),   // +8.5
            (Utc(8, 20, 59), 1012.0),  // 8 March 23:59 local: +1.5, so 12 on 8 March
            (Utc(8, 21, 30), 1013.0),  // 9 March 00:30 local: +1
            (Utc(9, 6, 0), 1020.0),    // +7
            (Utc(9, 7, 0), 3.0),       // the counter was reset: +3
            (Utc(9, 15, 0), 9.5));     // +6.5, so 17.5 on 9 March

        var days = await Energy.ReadAsync("meter-e1", [March8, March8.AddDays(1), March8.AddDays(2)], TestContext.Current.CancellationToken);

        Assert.Equal([new DailyEnergy(March8, 12.0), new DailyEnergy(March8.AddDays(1), 17.5), new DailyEnergy(March8.AddDays(2), null)], days);
    }

    [Fact]
    public async Task ReadAsync_NoReadingBeforeTheFirstDay_FromItsFirstReading()
    {
        await history.AppendAsync("meter-e2", Signal.Energy, (Utc(9, 6, 0), 50), (Utc(9, 8, 0), 55.25), (Utc(10, 5, 0), 60.5));

        var days = await Energy.ReadAsync("meter-e2", [March8.AddDays(1), March8.AddDays(2)], TestContext.Current.CancellationToken);

        Assert.Equal([new DailyEnergy(March8.AddDays(1), 5.25), new DailyEnergy(March8.AddDays(2), 5.25)], days);
    }

    private static DateTimeOffset Utc(int day, int hour, int minute) => new(2026, 3, day, hour, minute, 0, TimeSpan.Zero);
}

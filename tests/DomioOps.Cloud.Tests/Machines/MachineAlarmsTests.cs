using DomioOps.Cloud.Machines;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// Alarms from the Alarm signal in PostgreSQL: a non-zero code starts one, zero ends it, another code ends it and starts
/// the next; one active when the window opens is shown from its real start; one still active has no end.
/// </summary>
public sealed class MachineAlarmsTests(MachineHistory history) : IClassFixture<MachineHistory>
{
    private static readonly DateTimeOffset Ten = new(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);

    private MachineAlarms Alarms => history.Get<MachineAlarms>();

    [Fact]
    public async Task ReadAsync_AlarmsInAndBeforeTheWindow_StartEndAndDurationNewestFirst()
    {
        await history.AppendAsync("saw-a1", Signal.Alarm,
            (At(-60), 0), (At(-30), 110), (At(-29.5), 110), (At(-0.2), 110), (At(5), 0), (At(30), 120), (At(45), 130), (At(60), 0), (At(100), 140));

        var alarms = await Alarms.ReadAsync("saw-a1", new TimeRange(Ten, At(110)), TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                new MachineAlarm(140, At(100), null),
                new MachineAlarm(130, At(45), At(60)),
                new MachineAlarm(120, At(30), At(45)),
                new MachineAlarm(110, At(-30), At(5)),
            ],
            alarms);
        Assert.Equal(TimeSpan.FromMinutes(35), alarms[3].Duration(At(110)));
        Assert.Equal(TimeSpan.FromMinutes(10), alarms[0].Duration(At(110)));
    }

    [Fact]
    public async Task ReadAsync_AlarmActiveSinceTheFirstSampleAndNoneInTheWindow_OpenFromTheFirstSample()
    {
        await history.AppendAsync("saw-a2", Signal.Alarm, (At(-120), 7), (At(-60), 7), (At(-1), 7));

        var alarms = await Alarms.ReadAsync("saw-a2", new TimeRange(Ten, At(60)), TestContext.Current.CancellationToken);

        Assert.Equal([new MachineAlarm(7, At(-120), null)], alarms);
    }

    [Fact]
    public async Task ReadAsync_OnlyZeroes_NoAlarm()
    {
        await history.AppendAsync("saw-a3", Signal.Alarm, (At(-5), 0), (At(10), 0), (At(20), 0));

        var alarms = await Alarms.ReadAsync("saw-a3", new TimeRange(Ten, At(60)), TestContext.Current.CancellationToken);

        Assert.Empty(alarms);
    }

    private static DateTimeOffset At(double minutes) => Ten.AddMinutes(minutes);
}

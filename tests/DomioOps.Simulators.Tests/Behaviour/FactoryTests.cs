using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Tests.Behaviour;

public sealed class FactoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Advance_SameSeed_SameGroundTruthHoweverTheRunIsSliced()
    {
        var whole = new Factory(Scenario(seed: 7), Start).Advance(Start + TimeSpan.FromDays(10)).ToList();

        var sliced = new Factory(Scenario(seed: 7), Start);
        var events = new List<GroundTruthEvent>();
        var slicing = new Random(99);
        var reading = new MachineReading();
        for (var at = Start; at < Start + TimeSpan.FromDays(10);)
        {
            at = Min(at + TimeSpan.FromSeconds(slicing.Next(1, 7200)), Start + TimeSpan.FromDays(10));
            events.AddRange(sliced.Advance(at));
            foreach (var device in sliced.Devices)
            {
                device.Read(at, reading);
            }
        }

        Assert.Equal(whole, events);
        foreach (var kind in new[] { CncRouter.SpindleBearing, PanelSaw.BladeDulling, Edgebander.GlueHeater })
        {
            Assert.Equal(["failure", "onset", "repair"], whole.Where(e => e.Kind == kind).Select(e => e.Event).Distinct().Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Advance_OtherSeed_OtherGroundTruth()
    {
        var one = new Factory(Scenario(seed: 7), Start).Advance(Start + TimeSpan.FromDays(10));
        var other = new Factory(Scenario(seed: 8), Start).Advance(Start + TimeSpan.FromDays(10));

        Assert.NotEqual(one.Select(e => e.Time), other.Select(e => e.Time));
    }

    [Fact]
    public void Advance_EveryFailure_HasOnsetBeforeItAndRepairAfterIt()
    {
        var events = new Factory(Scenario(seed: 3), Start).Advance(Start + TimeSpan.FromDays(20));

        foreach (var machine in events.Where(e => e.Kind != "panel-jam" && e.Kind != "tool-breakage" && e.Kind != "edge-feed-jam").GroupBy(e => (e.Machine, e.Kind)))
        {
            var sequence = machine.Select(e => e.Event).ToList();
            for (var i = 0; i + 2 < sequence.Count; i += 3)
            {
                Assert.Equal(["onset", "failure", "repair"], sequence.Skip(i).Take(3));
            }
        }

        Assert.Equal(events.OrderBy(e => e.Time).Select(e => e.Time), events.Select(e => e.Time));
    }

    [Fact]
    public void Read_BladeDulling_CurrentAndCycleTimeRiseBeforeTheFailure()
    {
        var (healthy, failing) = BeforeFailure("saw-01", PanelSaw.BladeDulling, r => (r.BladeMotorCurrent, r.CycleTime));

        Assert.True(failing.Average(r => r.Item1) > healthy.Average(r => r.Item1) + 2, $"current {healthy.Average(r => r.Item1):0.0} → {failing.Average(r => r.Item1):0.0} A");
        Assert.True(failing.Average(r => r.Item2) > healthy.Average(r => r.Item2) * 1.1, $"cycle {healthy.Average(r => r.Item2):0.0} → {failing.Average(r => r.Item2):0.0} s");
    }

    [Fact]
    public void Read_SpindleBearingWear_VibrationAndTemperatureRiseBeforeTheFailure()
    {
        var (healthy, failing) = BeforeFailure("cnc-01", CncRouter.SpindleBearing, r => (r.Vibration, r.SpindleTemperature));

        Assert.True(failing.Average(r => r.Item1) > healthy.Average(r => r.Item1) * 2, $"vibration {healthy.Average(r => r.Item1):0.00} → {failing.Average(r => r.Item1):0.00} mm/s");
        Assert.True(failing.Average(r => r.Item2) > healthy.Average(r => r.Item2) + 8, $"temperature {healthy.Average(r => r.Item2):0.0} → {failing.Average(r => r.Item2):0.0} °C");
    }

    [Fact]
    public void Read_GlueHeaterFault_GlueTemperatureDriftsBeforeTheFailure()
    {
        var (healthy, failing) = BeforeFailure("eb-01", Edgebander.GlueHeater, r => (r.GlueTemperature, 0.0));

        Assert.True(failing.Average(r => r.Item1) < healthy.Average(r => r.Item1) - 10, $"glue {healthy.Average(r => r.Item1):0.0} → {failing.Average(r => r.Item1):0.0} °C");
        Assert.InRange(healthy.Average(r => r.Item1), 185, 195);
    }

    [Fact]
    public void Read_AtFailureAndAfterRepair_ErrorWithAlarmThenBackWithoutIt()
    {
        var factory = new Factory(Scenario(seed: 7), Start);
        var failure = factory.Advance(Start + TimeSpan.FromDays(10)).First(e => e is { Machine: "saw-01", Kind: PanelSaw.BladeDulling, Event: "failure" });
        factory = new Factory(Scenario(seed: 7), Start);
        var reading = new MachineReading();
        var saw = factory.Find("saw-01")!;

        factory.Advance(failure.Time);
        saw.Read(failure.Time, reading);
        Assert.Equal((MachineState.Error, (ushort)101), (reading.State, reading.Alarm));
        Assert.True(reading.Flags.HasFlag(MachineFlags.Error) && reading.Flags.HasFlag(MachineFlags.Alarm));

        var repair = factory.Advance(failure.Time + TimeSpan.FromHours(2)).First(e => e.Machine == "saw-01" && e.Event == "repair");
        factory = new Factory(Scenario(seed: 7), Start);
        factory.Advance(repair.Time);
        saw = factory.Find("saw-01")!;
        saw.Read(repair.Time, reading);
        Assert.NotEqual(MachineState.Error, reading.State);
        Assert.Equal((ushort)0, reading.Alarm);
        Assert.True(reading.BladeWear < 5, $"blade wear {reading.BladeWear} after the blade change");
    }

    [Fact]
    public void Read_OutsideShiftAndOnBreak_OfflineThenStandbyAsleep()
    {
        var factory = new Factory(Scenario(seed: 1), Start);
        var reading = new MachineReading();
        var saw = factory.Find("saw-01")!;

        factory.Advance(Start + TimeSpan.FromHours(3));
        saw.Read(Start + TimeSpan.FromHours(3), reading);
        Assert.Equal((MachineState.Offline, MachineMode.Other), (reading.State, reading.Mode));
        Assert.False(reading.Flags.HasFlag(MachineFlags.MachineOn));

        var onBreak = Start + new TimeSpan(9, 10, 0);
        factory.Advance(onBreak);
        saw.Read(onBreak, reading);
        Assert.True(reading.State is MachineState.Standby or MachineState.Working or MachineState.Error, $"{reading.State} on a break");
        factory.Advance(onBreak + TimeSpan.FromMinutes(4));
        saw.Read(onBreak + TimeSpan.FromMinutes(4), reading);
        Assert.True((reading.State, reading.Mode) is (MachineState.Standby, MachineMode.Sleep) or (MachineState.Error, _), $"{reading.State} {reading.Mode} on a break");
        Assert.True(reading.PiecesOut > 0);
    }

    [Fact]
    public void Hold_WhileHeld_NothingIsProducedThenProductionGoesOn()
    {
        var factory = new Factory(Scenario(seed: 1), Start);
        var saw = (SimulatedMachine)factory.Find("saw-01")!;
        var at = Start + TimeSpan.FromHours(7);
        factory.Advance(at);
        saw.Hold(at, hold: true, []);
        var held = saw.PiecesOut;

        factory.Advance(at + TimeSpan.FromHours(1));
        Assert.Equal(held, saw.PiecesOut);
        Assert.Equal(MachineState.Standby, saw.State);

        saw.Hold(at + TimeSpan.FromHours(1), hold: false, []);
        factory.Advance(at + TimeSpan.FromHours(2));
        Assert.True(saw.PiecesOut > held);
    }

    [Fact]
    public void Read_Meter_IntegratesItsMachinesPowerIntoEnergy()
    {
        var factory = new Factory(Scenario(seed: 1), Start);
        var meter = factory.Find("meter-01")!;
        var reading = new MachineReading();

        factory.Advance(Start + TimeSpan.FromHours(3));
        meter.Read(Start + TimeSpan.FromHours(3), reading);
        Assert.Equal((0.0, 0.0), (reading.Power, reading.Energy));
        for (var at = Start + TimeSpan.FromHours(7); at < Start + TimeSpan.FromHours(8); at += TimeSpan.FromMinutes(1))
        {
            factory.Advance(at);
            meter.Read(at, reading);
        }

        Assert.InRange(reading.Energy, 1, 24);
        Assert.InRange(reading.Voltage, 228, 232);
        Assert.InRange(reading.Frequency, 49.9, 50.1);
    }

    /// <summary>A day shift with a break, and degradations that fail within days.</summary>
    internal static Scenario Scenario(int seed)
    {
        static FailureSpec Fast() => new() { MeanTimeToOnset = TimeSpan.FromDays(2), Progression = TimeSpan.FromHours(4), Repair = TimeSpan.FromMinutes(45) };
        return ScenarioFile.Complete(
            new Scenario
            {
                Seed = seed,
                Start = Start,
                Shifts = [new Shift { Name = "day", Start = TimeSpan.FromHours(6), End = TimeSpan.FromHours(22), Breaks = [new ShiftBreak { Start = TimeSpan.FromHours(9), Duration = TimeSpan.FromMinutes(15) }] }],
                Machines =
                [
                    new MachineSpec { Id = "cnc-01", Kind = MachineKind.CncRouter, Failures = new() { [CncRouter.SpindleBearing] = Fast() } },
                    new MachineSpec { Id = "saw-01", Kind = MachineKind.PanelSaw, Failures = new() { [PanelSaw.BladeDulling] = Fast() } },
                    new MachineSpec { Id = "eb-01", Kind = MachineKind.Edgebander, Protocol = MachineProtocol.ModbusTcp, Failures = new() { [Edgebander.GlueHeater] = Fast() } },
                    new MachineSpec { Id = "meter-01", Kind = MachineKind.EnergyMeter, Measures = "saw-01" },
                ],
            },
            "test scenario");
    }

    /// <summary>Readings of the machine while it works: in the day before the first onset, and in the last hour before the failure.</summary>
    private static (List<T> Healthy, List<T> Failing) BeforeFailure<T>(string machine, string kind, Func<MachineReading, T> select)
    {
        var events = new Factory(Scenario(seed: 7), Start).Advance(Start + TimeSpan.FromDays(10));
        var onset = events.First(e => e.Machine == machine && e.Kind == kind && e.Event == "onset");
        var failure = events.First(e => e.Machine == machine && e.Kind == kind && e.Event == "failure" && e.Time > onset.Time);
        var factory = new Factory(Scenario(seed: 7), Start);
        var device = factory.Find(machine)!;
        var reading = new MachineReading();
        var healthy = new List<T>();
        var failing = new List<T>();
        for (var at = Start; at < failure.Time; at += TimeSpan.FromSeconds(20))
        {
            factory.Advance(at);
            device.Read(at, reading);
            if (reading.State != MachineState.Working)
            {
                continue;
            }

            if (at < onset.Time)
            {
                healthy.Add(select(reading));
            }
            else if (failure.Time - at < TimeSpan.FromHours(1) || (failure.Time - onset.Time < TimeSpan.FromHours(3) && at > onset.Time + ((failure.Time - onset.Time) * 0.8)))
            {
                failing.Add(select(reading));
            }
        }

        Assert.NotEmpty(healthy);
        Assert.NotEmpty(failing);
        return (healthy, failing);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

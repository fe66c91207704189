using DomioOps.Cloud.Maintenance.Notifications;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>Alert sequences replayed on a virtual clock; every expected message time is worked out by hand in the comments.</summary>
public sealed class NotificationTimelineTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Poll_BurstThenChanges_OneMessagePerGroupAtGroupWaitThenOnGroupIntervalAndRepeat()
    {
        var options = Options(Rule("team", groupWait: 30, groupInterval: 300, repeat: 3600));
        var replay = new TimelineReplay(options, Midnight);
        replay.Publish(At(0), 1, AlertStatus.Raised);                    // saw-1 group created: first flush 00:00:30
        replay.Publish(At(10), 2, AlertStatus.Raised);                   // same group, same message
        replay.Publish(At(20), 3, AlertStatus.Raised, machine: "edge-1"); // its own group: 00:00:50
        replay.Publish(At(60), 4, AlertStatus.Raised);                   // next tick of saw-1: 00:05:30
        replay.Publish(At(360), 1, AlertStatus.Resolved);                // reported at the tick 00:10:30
        replay.RunUntil(At(4500));                                       // repeats: 00:10:30 + 1 h, 00:00:50 + 1 h

        Assert.Equal(
        [
            "00:00:30 team Group F[1,2] R[]",
            "00:00:50 team Group F[3] R[]",
            "00:05:30 team Group F[1,2,4] R[]",
            "00:10:30 team Group F[2,4] R[1]",
            "01:00:50 team Group F[3] R[]",
            "01:10:30 team Group F[2,4] R[]",
        ], replay.Sent);
    }

    [Fact]
    public void Poll_RulesBySeverityMachineAndWorkCentre_EachReceiverHearsItsOwn()
    {
        var options = Options(
            Rule("manager", name: "critical", minimum: AlertSeverity.Critical, groupWait: 10),
            Rule("team", name: "saws", machines: ["saw-1"], groupWait: 10),
            Rule("edgers", name: "edging", workCentres: ["edge"], groupWait: 10));
        var replay = new TimelineReplay(options, Midnight);
        replay.Publish(At(0), 1, AlertStatus.Raised, machine: "saw-1", severity: AlertSeverity.Warning, workCentre: "saw");
        replay.Publish(At(1), 2, AlertStatus.Raised, machine: "edge-1", severity: AlertSeverity.Critical, workCentre: "edge");
        replay.Publish(At(2), 3, AlertStatus.Raised, machine: "cnc-1", severity: AlertSeverity.Info, workCentre: "cnc");
        replay.RunUntil(At(600));

        Assert.Equal(
        [
            "00:00:10 team Group F[1] R[]",
            "00:00:11 edgers Group F[2] R[]",
            "00:00:11 manager Group F[2] R[]",
        ], replay.Sent);
    }

    [Fact]
    public void Poll_FlappingAlert_HeldBackUntilSteadyForTheWindow()
    {
        var options = Options(Rule("team", groupWait: 30, groupInterval: 60, repeat: 3600));
        options.Flapping = new FlappingOptions { MaxChanges = 4, Window = TimeSpan.FromMinutes(10) };
        var replay = new TimelineReplay(options, Midnight);
        replay.Publish(At(0), 1, AlertStatus.Raised, title: "Spindle");     // change 1; told at 00:00:30
        replay.Publish(At(60), 1, AlertStatus.Resolved, title: "Spindle");  // change 2; told at 00:01:30, group gone
        replay.Publish(At(120), 2, AlertStatus.Raised, title: "Spindle");   // change 3; new group, flush 00:02:30
        replay.Publish(At(130), 2, AlertStatus.Resolved, title: "Spindle"); // change 4
        replay.Publish(At(140), 3, AlertStatus.Raised, title: "Spindle");   // change 5 > 4 within 10 min: flapping
        // Ticks 00:02:30, 00:03:30 … stay silent; at 00:10:30 the changes after 00:00:30 are 4 (1, 2, 2:10, 2:20 min): steady.
        replay.RunUntil(At(1800));

        Assert.Equal(
        [
            "00:00:30 team Group F[1] R[]",
            "00:01:30 team Group F[] R[1]",
            "00:10:30 team Group F[3] R[]",
        ], replay.Sent);
    }

    [Fact]
    public void Poll_QuietHours_HeldUntilTheyEndExceptCritical()
    {
        var options = Options(Rule("night", "day", groupWait: 30, groupInterval: 300, repeat: 86_400));
        options.Receivers["night"].QuietHours = new QuietHours { From = new TimeOnly(22, 0), To = new TimeOnly(6, 0), TimeZone = "UTC" };
        var evening = new DateTimeOffset(2026, 3, 2, 21, 50, 0, TimeSpan.Zero);
        var replay = new TimelineReplay(options, evening);
        replay.Publish(evening.AddMinutes(5), 1, AlertStatus.Raised);   // 21:55:30, before the quiet hours: both
        replay.Publish(evening.AddMinutes(20), 2, AlertStatus.Raised);  // tick 22:10:30: night holds it
        replay.Publish(evening.AddMinutes(70), 1, AlertStatus.Resolved); // tick 23:00:30: night's held message takes it
        replay.Publish(evening.AddMinutes(100), 3, AlertStatus.Raised, severity: AlertSeverity.Critical); // 23:30:30: critical breaks through, with the held resolution
        replay.Publish(evening.AddMinutes(110), 3, AlertStatus.Resolved); // tick 23:40:30: night holds it until 06:00
        replay.RunUntil(evening.AddHours(9));

        Assert.Equal(
        [
            "21:55:30 day Group F[1] R[]",
            "21:55:30 night Group F[1] R[]",
            "22:10:30 day Group F[1,2] R[]",
            "23:00:30 day Group F[2] R[1]",
            "23:30:30 day Group F[2,3] R[]",
            "23:30:30 night Group F[2,3] R[1]",
            "23:40:30 day Group F[2] R[3]",
            "06:00:00 night Group F[2] R[3]",
        ], replay.Sent);
    }

    [Fact]
    public void Poll_UnacknowledgedAlert_EscalatesStepByStepAndAcknowledgementStopsIt()
    {
        var rule = Rule("team", groupWait: 30, groupInterval: 300, repeat: 14_400);
        rule.Escalation = [new EscalationStep { After = TimeSpan.FromMinutes(15), Receivers = ["lead"] }, new EscalationStep { After = TimeSpan.FromMinutes(30), Receivers = ["manager"] }];
        var options = Options(rule);
        options.Receivers["lead"] = Receiver();
        options.Receivers["manager"] = Receiver();
        var replay = new TimelineReplay(options, Midnight);
        replay.Publish(At(0), 1, AlertStatus.Raised);         // told 00:00:30; step 1 at 00:15:30, step 2 30 min later
        replay.Publish(At(60), 2, AlertStatus.Raised);        // told 00:05:30; step 1 would be 00:20:30
        replay.Publish(At(1200), 2, AlertStatus.Acknowledged); // 00:20:00: alert 2 never escalates, nor is repeated
        replay.Publish(At(3000), 1, AlertStatus.Resolved);     // 00:50:00: reported at the tick 00:50:30
        replay.RunUntil(At(7200));

        Assert.Equal(
        [
            "00:00:30 team Group F[1] R[]",
            "00:05:30 team Group F[1,2] R[]",
            "00:15:30 lead Escalation1 F[1] R[]",
            "00:45:30 manager Escalation2 F[1] R[]",
            "00:50:30 team Group F[] R[1]",
        ], replay.Sent);
    }

    [Theory]
    [InlineData("2026-07-01T21:00:00Z", "2026-07-02T04:00:00Z")] // 23:00 CEST: until 06:00 CEST
    [InlineData("2026-01-15T04:00:00Z", "2026-01-15T05:00:00Z")] // 05:00 CET: until 06:00 CET
    [InlineData("2026-01-15T05:30:00Z", null)]                   // 06:30 CET: not quiet
    [InlineData("2026-01-15T20:59:00Z", null)]                   // 21:59 CET: not yet
    public void QuietUntil_BerlinNights_EndsAtSixLocal(string now, string? expected)
    {
        var quiet = new QuietHours { From = new TimeOnly(22, 0), To = new TimeOnly(6, 0), TimeZone = "Europe/Berlin" };
        var until = NotificationTimeline.QuietUntil(quiet, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), until);
    }

    private static DateTimeOffset At(int seconds) => Midnight.AddSeconds(seconds);

    private static NotificationReceiver Receiver() =>
        new() { Channels = [new NotificationTarget { Channel = NotificationChannel.Bell, Address = "someone" }] };

    private static NotificationRule Rule(string receiver, string? second = null, string name = "rule", AlertSeverity minimum = AlertSeverity.Info,
        List<string>? machines = null, List<string>? workCentres = null, int groupWait = 30, int groupInterval = 300, int repeat = 3600) => new()
        {
            Name = name,
            MinimumSeverity = minimum,
            Machines = machines ?? [],
            WorkCentres = workCentres ?? [],
            Receivers = second is null ? [receiver] : [receiver, second],
            GroupWait = TimeSpan.FromSeconds(groupWait),
            GroupInterval = TimeSpan.FromSeconds(groupInterval),
            RepeatInterval = TimeSpan.FromSeconds(repeat),
        };

    private static NotificationOptions Options(params NotificationRule[] rules)
    {
        var options = new NotificationOptions { Rules = [.. rules] };
        foreach (var receiver in rules.SelectMany(r => r.Receivers).Distinct())
        {
            options.Receivers[receiver] = Receiver();
        }

        return options;
    }
}

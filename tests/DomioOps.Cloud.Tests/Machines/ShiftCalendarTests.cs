using System.Globalization;

using DomioOps.Cloud.Machines;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>The plant's shifts and days as instants, across midnight and the changes to and from summer time; and their settings checked at start.</summary>
public sealed class ShiftCalendarTests
{
    [Theory]
    // Moscow is UTC+3: 06:00, 14:00 and 22:00 local are 03:00, 11:00 and 19:00 UTC.
    [InlineData("2026-03-10T10:00:00Z", "2026-03-10T03:00:00Z", "2026-03-10T11:00:00Z")]
    [InlineData("2026-03-10T11:00:00Z", "2026-03-10T11:00:00Z", "2026-03-10T19:00:00Z")]
    [InlineData("2026-03-10T20:30:00Z", "2026-03-10T19:00:00Z", "2026-03-11T03:00:00Z")]
    [InlineData("2026-03-10T01:00:00Z", "2026-03-09T19:00:00Z", "2026-03-10T03:00:00Z")]
    public void ShiftAt_DefaultShiftsInMoscow_TheShiftNowFallsIn(string now, string from, string to)
    {
        var calendar = Calendar("Europe/Moscow");

        Assert.Equal(new TimeRange(Instant(from), Instant(to)), calendar.ShiftAt(Instant(now)));
    }

    [Fact]
    public void ShiftAt_StartSkippedBySummerTime_FirstInstantAfterTheGap()
    {
        // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC), so 02:30 never happens that day.
        var calendar = Calendar("Europe/Berlin", "02:30", "14:30");

        var shift = calendar.ShiftAt(Instant("2026-03-29T10:00:00Z"));

        Assert.Equal(new TimeRange(Instant("2026-03-29T01:00:00Z"), Instant("2026-03-29T12:30:00Z")), shift);
    }

    [Fact]
    public void ShiftAt_StartRepeatedAtTheEndOfSummerTime_FirstOccurrence()
    {
        // Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens first at 00:30 UTC.
        var calendar = Calendar("Europe/Berlin", "14:30", "02:30");

        var shift = calendar.ShiftAt(Instant("2026-10-25T05:00:00Z"));

        Assert.Equal(new TimeRange(Instant("2026-10-25T00:30:00Z"), Instant("2026-10-25T13:30:00Z")), shift);
    }

    [Fact]
    public void DayAt_JustAfterLocalMidnight_TheLocalDay()
    {
        var calendar = Calendar("Europe/Moscow");

        var day = calendar.DayAt(Instant("2026-03-10T22:30:00Z"));

        Assert.Equal(new TimeRange(Instant("2026-03-10T21:00:00Z"), Instant("2026-03-11T21:00:00Z")), day);
        Assert.Equal([new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 11)], calendar.LastDays(Instant("2026-03-10T22:30:00Z"), 3));
    }

    [Fact]
    public void Options_WrongZoneAndStarts_ErrorsNameEachKey()
    {
        using var host = Host(new()
        {
            ["Machines:TimeZone"] = "Mars/Olympus",
            ["Machines:ShiftStarts:0"] = "06:00",
            ["Machines:ShiftStarts:1"] = "25:00",
            ["Machines:ShiftStarts:2"] = "06:00",
        });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<MachinesOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("Machines:TimeZone 'Mars/Olympus' is not a time zone", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Machines:ShiftStarts:1 must be a local time of day as HH:mm", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Machines:ShiftStarts:2 repeats 06:00 (Machines:ShiftStarts:0)", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_FromConfiguration_ShiftsInTheirOrder()
    {
        using var host = Host(new() { ["Machines:TimeZone"] = "Europe/Moscow", ["Machines:ShiftStarts:0"] = "19:00", ["Machines:ShiftStarts:1"] = "07:00" });

        var calendar = host.Services.GetRequiredService<ShiftCalendar>();

        Assert.Equal(
            new TimeRange(Instant("2026-03-10T04:00:00Z"), Instant("2026-03-10T16:00:00Z")),
            calendar.ShiftAt(Instant("2026-03-10T10:00:00Z")));
    }

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static ShiftCalendar Calendar(string zone, params string[] starts) =>
        new(Microsoft.Extensions.Options.Options.Create(new MachinesOptions { TimeZone = zone, ShiftStarts = [.. starts] }));

    /// <summary>The services as the cloud host registers them (<c>AddMachines</c>), not started.</summary>
    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMachines();
        return builder.Build();
    }
}

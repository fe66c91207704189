using DomioOps.Cloud.Storage;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Orleans.Configuration;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>The reminder contract, query by query, through Orleans' own ADO.NET reminder table.</summary>
public sealed class ReminderTableTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly DateTime Start = new(2026, 11, 25, 6, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task UpsertRow_SameReminderTwice_MovesETagAndStaleRemoveIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await NewTableAsync("upsert", ct);
        var grain = GrainId.Create("machine", "cnc-1");

        var first = await table.UpsertRow(Reminder(grain, "lubricate", TimeSpan.FromHours(8)), ct);
        var second = await table.UpsertRow(Reminder(grain, "lubricate", TimeSpan.FromDays(40)), ct);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);

        var read = await table.ReadRow(grain, "lubricate", ct);
        Assert.NotNull(read);
        Assert.Equal(grain, read.GrainId);
        Assert.Equal(Start, read.StartAt);
        // Longer than int.MaxValue milliseconds: Orleans then binds the period as a bigint.
        Assert.Equal(TimeSpan.FromDays(40), read.Period);
        Assert.Equal(second, read.ETag);

        Assert.False(await table.RemoveRow(grain, "lubricate", first, ct));
        Assert.True(await table.RemoveRow(grain, "lubricate", second, ct));
        Assert.Null(await table.ReadRow(grain, "lubricate", ct));
        Assert.False(await table.RemoveRow(grain, "lubricate", second, ct));
    }

    [Fact]
    public async Task ReadRows_Grain_ReturnsOnlyThatGrainsReminders()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await NewTableAsync("by-grain", ct);
        var saw = GrainId.Create("machine", "saw-1");
        var edge = GrainId.Create("machine", "edge-1");
        await table.UpsertRow(Reminder(saw, "blade", TimeSpan.FromHours(1)), ct);
        await table.UpsertRow(Reminder(saw, "dust", TimeSpan.FromHours(2)), ct);
        await table.UpsertRow(Reminder(edge, "glue", TimeSpan.FromHours(3)), ct);

        var rows = await table.ReadRows(saw, ct);

        Assert.Equal(["blade", "dust"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(saw, r.GrainId));
    }

    [Fact]
    public async Task ReadRows_HashRanges_MatchTheRingIncludingWrapAround()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await NewTableAsync("ranges", ct);
        List<GrainId> grains = [.. Enumerable.Range(0, 40).Select(i => GrainId.Create("machine", $"m-{i}"))];
        foreach (var grain in grains)
        {
            await table.UpsertRow(Reminder(grain, "inspect", TimeSpan.FromHours(1)), ct);
        }

        List<uint> hashes = [.. grains.Select(g => g.GetUniformHashCode()).Order()];
        uint low = hashes[5], high = hashes[30];
        (uint Begin, uint End)[] ranges =
        [
            (low, high),                     // plain
            (high, low),                     // wraps past uint.MaxValue
            (0x7FFF_FFF0, 0x8000_0010),      // crosses the signed boundary only
            (0x8000_0010, 0x7FFF_FFF0),      // wraps, and crosses the signed boundary
            (low, low),                      // the whole ring
        ];

        foreach ((var begin, var end) in ranges)
        {
            var rows = await table.ReadRows(begin, end, ct);
            List<GrainId> expected = [.. grains.Where(g => InRange(g.GetUniformHashCode(), begin, end)).OrderBy(g => g.ToString())];
            Assert.Equal(expected, rows.Reminders.Select(r => r.GrainId).OrderBy(g => g.ToString()));
        }
    }

    [Fact]
    public async Task TestOnlyClearTable_Service_RemovesOnlyItsReminders()
    {
        var ct = TestContext.Current.CancellationToken;
        var cleared = await NewTableAsync("cleared", ct);
        var kept = await NewTableAsync("kept", ct);
        var grain = GrainId.Create("machine", "meter-1");
        await cleared.UpsertRow(Reminder(grain, "read", TimeSpan.FromMinutes(15)), ct);
        await kept.UpsertRow(Reminder(grain, "read", TimeSpan.FromMinutes(15)), ct);

        await cleared.TestOnlyClearTable(ct);

        Assert.Empty((await cleared.ReadRows(grain, ct)).Reminders);
        Assert.Single((await kept.ReadRows(grain, ct)).Reminders);
    }

    /// <summary>Orleans' ring range (begin, end]: it wraps when begin is past end, and is everything when they meet.</summary>
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private async Task<IReminderTable> NewTableAsync(string serviceId, CancellationToken ct)
    {
        // Orleans keeps AdoNetReminderTable internal; build it the way its DI registration would.
        var type = typeof(AdoNetReminderTableOptions).Assembly.GetType("Orleans.Runtime.ReminderService.AdoNetReminderTable", throwOnError: true)!;
        using var services = new ServiceCollection().BuildServiceProvider();
        var table = (IReminderTable)ActivatorUtilities.CreateInstance(
            services,
            type,
            Options.Create(new ClusterOptions { ClusterId = "reminders", ServiceId = serviceId }),
            Options.Create(new AdoNetReminderTableOptions { Invariant = PostgresSiloBuilderExtensions.Invariant, ConnectionString = database.ConnectionString }));
        await table.StartAsync(ct);
        return table;
    }

    private static ReminderEntry Reminder(GrainId grain, string name, TimeSpan period) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = Start,
        Period = period,
    };
}

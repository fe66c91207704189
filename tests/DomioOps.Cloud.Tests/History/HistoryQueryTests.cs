using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Tests.Ingestion;
using DomioOps.Models.Wire;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Tests.History;

/// <summary>
/// History queries return at most the points asked for, whatever the range: raw samples when they fit,
/// minute buckets from the rollups for long ranges, sub-minute buckets from raw samples for short dense ones.
/// Three hours of one sample a second (value = seconds since the start) are written once for the class.
/// </summary>
public sealed class HistoryQueryTests(CloudHost cloud) : IClassFixture<CloudHost>
{
    private const string Machine = "router-q";
    private const int Samples = 3 * 3600;

    private static readonly DateTimeOffset Start = new(DateTimeOffset.UtcNow.UtcDateTime.Date.AddHours(-6), TimeSpan.Zero);
    private static readonly SemaphoreSlim Once = new(1, 1);

    [Fact]
    public async Task Read_ShortRangeFewSamples_RawSamplesExactly()
    {
        var series = await ReadAsync(Start.AddMinutes(10), Start.AddMinutes(15), 500);

        Assert.Equal(HistoryQuery.Raw, series.Resolution);
        Assert.Equal(300, series.Points.Count);
        Assert.Equal((Start.AddMinutes(10), 600d, 1L), (series.Points[0].Time, series.Points[0].Last, series.Points[0].Count));
        Assert.Equal(Enumerable.Range(600, 300).Select(v => (double)v), series.Points.Select(p => p.Avg));
    }

    [Fact]
    public async Task Read_WholeRangeHundredPoints_MinuteBucketsFromRollups()
    {
        var series = await ReadAsync(Start, Start.AddHours(3), 100);

        Assert.Equal((HistoryQuery.Minute, 120d, 90), (series.Resolution, series.BucketSeconds, series.Points.Count));
        Assert.Equal(Samples, series.Points.Sum(p => p.Count));
        Assert.Equal((0d, 119d, 59.5, 119d), (series.Points[0].Min, series.Points[0].Max, series.Points[0].Avg, series.Points[0].Last));
        Assert.Equal((Samples - 1d, Start.AddMinutes(178)), (series.Points[^1].Max, series.Points[^1].Time));
    }

    [Fact]
    public async Task Read_ShortRangeManySamples_SubMinuteBucketsFromRawSamples()
    {
        var series = await ReadAsync(Start, Start.AddMinutes(10), 40);

        Assert.Equal((HistoryQuery.Bucket, 15d, 40), (series.Resolution, series.BucketSeconds, series.Points.Count));
        Assert.All(series.Points, p => Assert.Equal(15, p.Count));
        Assert.Equal((15d, 29d, 22d, 29d), (series.Points[1].Min, series.Points[1].Max, series.Points[1].Avg, series.Points[1].Last));
    }

    [Fact]
    public async Task Read_AnyRangeAndPoints_NeverMorePointsThanAsked()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 40; i++)
        {
            var from = Start.AddSeconds(random.Next(-86_400 * 30, Samples));
            var to = from.AddSeconds(1 + random.Next(0, random.Next(2) == 0 ? 7200 : 86_400 * 365));
            var points = 1 + random.Next(0, 1000);

            var series = await ReadAsync(from, to, points);

            Assert.InRange(series.Points.Count, 0, points);
            Assert.True(series.Points.Zip(series.Points.Skip(1)).All(p => p.First.Time < p.Second.Time), $"{from:O}..{to:O} in {points}: times not increasing");
        }
    }

    [Fact]
    public async Task Read_NoSamplesInRange_Empty()
    {
        var series = await ReadAsync(Start.AddDays(-3), Start.AddDays(-2), 500);

        Assert.Equal((HistoryQuery.Raw, 0), (series.Resolution, series.Points.Count));
    }

    [Fact]
    public async Task Read_RawSamplesGoneRollupsKept_MinutesWhollyInsideTheRangeFromTheRollups()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Pruned = "router-pruned";
        var history = cloud.Services.GetRequiredService<TelemetryHistory>();
        // Ten minutes of one sample a second (value = seconds since the start), then the raw samples go as retention takes them.
        await history.AppendAsync(EdgeGrain.Key("plant-q", "edge-pruned"),
            [.. Enumerable.Range(0, 600).Select(i => new EdgeSample(Pruned, new MachineSample((ulong)i + 1, Signal.SpindleLoad, Start.AddSeconds(i), i, null)))], ct);
        await using (var prune = cloud.Services.GetRequiredService<HistoryDatabase>().DataSource.CreateCommand("DELETE FROM telemetry_sample WHERE machine = 'router-pruned'"))
        {
            Assert.Equal(600, await prune.ExecuteNonQueryAsync(ct));
        }

        // From 0:30 to 5:30: the minutes 1–4 lie wholly inside; minute 0 and minute 5 only in part.
        var series = await Query.ReadAsync(Pruned, Signal.SpindleLoad, Start.AddSeconds(30), Start.AddSeconds(330), 100, ct);

        Assert.Equal((HistoryQuery.Minute, 60d), (series.Resolution, series.BucketSeconds));
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2), Start.AddMinutes(3), Start.AddMinutes(4)], series.Points.Select(p => p.Time));
        Assert.Equal((60d, 119d, 89.5, 60L), (series.Points[0].Min, series.Points[0].Max, series.Points[0].Avg, series.Points[0].Count));
        // Within one minute nothing lies wholly inside: nothing rather than a minute that reaches past the range.
        Assert.Empty((await Query.ReadAsync(Pruned, Signal.SpindleLoad, Start.AddSeconds(70), Start.AddSeconds(100), 100, ct)).Points);
    }

    [Theory]
    [InlineData("router-q", null, null, null, null, "signal")]
    [InlineData("router-q", "NoSuchSignal", null, null, null, "signal")]
    [InlineData("router-q", "3", null, null, null, "signal")]
    [InlineData("router-q", "Unspecified", null, null, null, "signal")]
    [InlineData("router-q", "PieceCounter", "yesterday", null, null, "from")]
    [InlineData("router-q", "PieceCounter", "2026-11-25T12:00:00Z", "2026-11-25T11:00:00Z", null, "to")]
    [InlineData("router-q", "PieceCounter", null, null, "0", "points")]
    [InlineData("router-q", "PieceCounter", null, null, "100001", "points")]
    [InlineData("router-q", "PieceCounter", null, null, "-5", "points")]
    [InlineData("../etc", "PieceCounter", null, null, null, "id")]
    public async Task ReadAsync_InvalidQuery_ValidationProblemNamingTheParameter(string id, string? signal, string? from, string? to, string? points, string parameter)
    {
        var result = await HistoryApi.ReadAsync(id, signal, from, to, points, Query, cloud.Services.GetRequiredService<IOptions<HistoryOptions>>(), TimeProvider.System, TestContext.Current.CancellationToken);

        var problem = Assert.IsType<ValidationProblem>(result);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.Equal([parameter], problem.ProblemDetails.Errors.Keys);
    }

    [Fact]
    public async Task ReadAsync_ValidQuery_OkWithSeries()
    {
        await SeedAsync();

        var result = await HistoryApi.ReadAsync(Machine, "spindleload", Start.ToString("O"), Start.AddMinutes(1).ToString("O"), null, Query, cloud.Services.GetRequiredService<IOptions<HistoryOptions>>(), TimeProvider.System, TestContext.Current.CancellationToken);

        var ok = Assert.IsType<Ok<HistorySeries>>(result);
        Assert.Equal((Signal.SpindleLoad, 60), (ok.Value!.Signal, ok.Value.Points.Count));
    }

    private HistoryQuery Query => cloud.Services.GetRequiredService<HistoryQuery>();

    private async Task<HistorySeries> ReadAsync(DateTimeOffset from, DateTimeOffset to, int points)
    {
        await SeedAsync();
        return await Query.ReadAsync(Machine, Signal.SpindleLoad, from, to, points, TestContext.Current.CancellationToken);
    }

    private async Task SeedAsync()
    {
        await Once.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            var history = cloud.Services.GetRequiredService<TelemetryHistory>();
            var samples = Enumerable.Range(0, Samples)
                .Select(i => new EdgeSample(Machine, new MachineSample((ulong)i + 1, Signal.SpindleLoad, Start.AddSeconds(i), i, null)))
                .ToList();
            // Idempotent: after the first test the history's mark makes this write nothing.
            foreach (var chunk in samples.Chunk(2000))
            {
                await history.AppendAsync(EdgeGrain.Key("plant-q", "edge-q"), chunk, TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            Once.Release();
        }
    }
}

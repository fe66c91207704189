using System.Diagnostics.Metrics;
using System.Text;

using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Models.Wire;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Tests.History;

/// <summary>The line-protocol sink: the exact lines it writes, that it never blocks or grows without bound, and that real InfluxDB and VictoriaMetrics receive every point.</summary>
public sealed class LineProtocolSinkTests(InfluxDbServer influx, VictoriaMetricsServer victoria) : IClassFixture<InfluxDbServer>, IClassFixture<VictoriaMetricsServer>
{
    private const int Points = 12_345;

    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow.AddHours(-1);

    [Fact]
    public void Format_NumberAndText_EscapedLinesWithNanosecondTimestamps()
    {
        using var sink = Sink(new Uri("http://127.0.0.1:1/write"));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);
        var body = new StringBuilder();

        var count = sink.Format(body, new LineProtocolSink.Pending("plant 1/edge,a", [
            new EdgeSample("saw=1", new MachineSample(1, Signal.BladeMotorCurrent, at, 12.5, null)),
            new EdgeSample("saw=1", new MachineSample(2, Signal.Alarm, at, null, "door \"B\" open\\")),
            new EdgeSample("saw=1", new MachineSample(3, Signal.Alarm, at, null, null)),
        ], 0, default));

        Assert.Equal(2, count);
        Assert.Equal(
            "telemetry,site=plant\\ 1,edge=edge\\,a,machine=saw\\=1,signal=BladeMotorCurrent value=12.5 1764000000123000000\n"
            + "telemetry,site=plant\\ 1,edge=edge\\,a,machine=saw\\=1,signal=Alarm text=\"door \\\"B\\\" open\\\\\" 1764000000123000000\n",
            body.ToString());
    }

    [Fact]
    public void Offer_BeyondBufferCapacity_DropsAndCountsWithoutBlocking()
    {
        using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HistoryMetrics.MeterName && instrument.Name == "domio.history.line_protocol.points.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();
        using var sink = Sink(new Uri("http://127.0.0.1:1/write"), capacity: 10, metrics: metrics);

        for (var i = 0; i < 5; i++)
        {
            sink.Offer("plant/edge", Samples("m", 5));
        }

        Assert.Equal(10, sink.Buffered);
        Assert.Equal(15, Interlocked.Read(ref dropped));
    }

    [Fact]
    public async Task Offer_InfluxDb_EveryPointArrives()
    {
        var machine = $"cnc-{Guid.NewGuid():N}"[..12];
        var texts = new[] { new EdgeSample(machine, new MachineSample(1, Signal.Alarm, At.AddDays(-1), null, "spindle \"overload\", axis=Z")) };

        await DeliverAsync(influx, machine, texts);

        Assert.Equal(Points, await influx.CountAsync("telemetry", machine, TestContext.Current.CancellationToken));
        Assert.Equal(["spindle \"overload\", axis=Z"], await influx.TextsAsync("telemetry", machine, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Offer_VictoriaMetrics_EveryPointArrives()
    {
        var machine = $"cnc-{Guid.NewGuid():N}"[..12];

        await DeliverAsync(victoria, machine, []);

        Assert.Equal(Points, await victoria.CountAsync("telemetry", machine, TestContext.Current.CancellationToken));
    }

    private static async Task DeliverAsync(TimeSeriesServer server, string machine, IReadOnlyList<EdgeSample> extra)
    {
        var ct = TestContext.Current.CancellationToken;
        using var sink = Sink(server.WriteUrl, batchSize: 1000);
        await sink.StartAsync(ct);
        var samples = Samples(machine, Points);
        // Batches of the sizes ingestion produces, offered from several threads like several EdgeGrains.
        await Task.WhenAll(samples.Chunk(500).Select(chunk => Task.Run(() => sink.Offer("plant/edge-1", chunk), ct)));
        sink.Offer("plant/edge-1", extra);

        await Eventually.ReturnsAsync(() => server.CountAsync("telemetry", machine, ct), count => count >= Points, TimeSpan.FromSeconds(60), ct);
        await sink.StopAsync(ct);
    }

    private static List<EdgeSample> Samples(string machine, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new EdgeSample(machine, new MachineSample((ulong)i + 1, Signal.SpindleLoad, At.AddMilliseconds(i), i % 100, null)))];

    private static LineProtocolSink Sink(Uri url, int capacity = 1_000_000, int batchSize = 5000, ServiceProvider? metrics = null)
    {
        var options = Options.Create(new HistoryOptions
        {
            LineProtocol = new LineProtocolOptions { Enabled = true, Url = url, BufferCapacity = capacity, BatchSize = batchSize, RetryDelay = TimeSpan.FromMilliseconds(100) },
        });
        var meters = metrics ?? new ServiceCollection().AddMetrics().BuildServiceProvider();
        return new LineProtocolSink(options, new HistoryMetrics(meters.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<LineProtocolSink>.Instance);
    }
}

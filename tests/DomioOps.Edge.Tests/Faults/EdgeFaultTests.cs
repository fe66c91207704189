using DomioOps.Devices.Modbus;

namespace DomioOps.Edge.Tests.Faults;

/// <summary>
/// The edge as a real process under faults: the broker away for a minute, the edge killed (SIGKILL) again and again,
/// a device that stops answering. Each test is bounded in samples and time.
/// </summary>
public sealed class EdgeFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BrokerStoppedForAMinute_EverySampleArrivesOnceInSequenceOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        // 10 devices × 50 tags every 100 ms: about 5,000 samples/s.
        await using var rig = await EdgeRig.StartAsync(deviceCount: 10, tags: 50, TimeSpan.FromMilliseconds(100), "Broker", ct);
        await rig.UntilAsync(() => Task.FromResult(rig.DistinctCount() >= 10_000), TimeSpan.FromSeconds(60), "samples flowing", ct);

        await rig.Broker.StopAsync(ct);
        var stoppedAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(60), ct);
        var startedAt = DateTimeOffset.UtcNow;
        await rig.Broker.StartAgainAsync(ct);
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var last = await rig.DrainAndStopEdgeAsync(ct);

        var deliveries = rig.Deliveries();
        var sequences = deliveries.Select(d => d.Sample.Sequence).ToList();
        var duringOutage = deliveries.Count(d => d.Sample.TimestampMs >= stoppedAt.ToUnixTimeMilliseconds() && d.Sample.TimestampMs < startedAt.ToUnixTimeMilliseconds());
        output.WriteLine($"{last} samples, {deliveries.Count - sequences.Distinct().Count()} duplicate deliveries, {duringOutage} read while the broker was down");

        // Every sample exactly once by sequence, none missing; first arrivals in sequence order.
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (ulong)i), sequences.Distinct().Order());
        var firstArrivals = sequences.Distinct().ToList();
        Assert.Equal(firstArrivals.Order(), firstArrivals);

        // A batch in flight when the broker went down may come twice (QoS 1); nothing else does.
        Assert.True(deliveries.Count - (int)last <= 2 * 500, $"{deliveries.Count - (int)last} duplicates");
        Assert.True(duringOutage > 100_000, $"only {duringOutage} samples were read during the outage");
    }

    [Fact]
    public async Task EdgeKilledTwentyTimes_NoAcknowledgedSampleLost_DuplicatesOnlyUnacknowledged()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(20261125);
        // 5 devices × 20 tags every 100 ms: about 1,000 samples/s; the subscriber acknowledges as the cloud does.
        await using var rig = await EdgeRig.StartAsync(deviceCount: 5, tags: 20, TimeSpan.FromMilliseconds(100), "Cloud", ct);
        var trimmedAtKill = new List<ulong>();
        for (var kill = 0; kill < 20; kill++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 2_000)), ct);
            await rig.Edge!.StopAsync(kill: true);

            // What the dead edge had deleted from its queue: the cloud had acknowledged it, so it must have arrived.
            var (last, oldest, _) = rig.ReadQueue();
            var trimmed = oldest is { } o ? o - 1 : last;
            trimmedAtKill.Add(trimmed);
            var received = rig.Deliveries().Select(d => d.Sample.Sequence).ToHashSet();
            Assert.All(Enumerable.Range(1, (int)trimmed), s => Assert.Contains((ulong)s, received));
            await rig.StartEdgeAsync(ct);
        }

        var total = await rig.DrainAndStopEdgeAsync(ct);

        var deliveries = rig.Deliveries();
        Assert.Equal(Enumerable.Range(1, (int)total).Select(i => (ulong)i), deliveries.Select(d => d.Sample.Sequence).Distinct().Order());

        // A sample seen again after restart k was still in the queue at the kill (unacknowledged), and is the same sample: sequences are never reused.
        var first = new Dictionary<ulong, EdgeRig.Delivery>();
        var duplicates = 0;
        foreach (var delivery in deliveries)
        {
            if (!first.TryAdd(delivery.Sample.Sequence, delivery))
            {
                duplicates++;
                Assert.Equal(first[delivery.Sample.Sequence].Sample, delivery.Sample);
                if (delivery.Incarnation > first[delivery.Sample.Sequence].Incarnation)
                {
                    Assert.True(delivery.Sample.Sequence > trimmedAtKill[delivery.Incarnation - 2], $"sequence {delivery.Sample.Sequence} came again after restart {delivery.Incarnation - 1} though it was acknowledged and deleted (through {trimmedAtKill[delivery.Incarnation - 2]})");
                }
            }
        }

        output.WriteLine($"{total} samples over 21 edge processes, {duplicates} duplicate deliveries; acknowledged at each kill: {string.Join(", ", trimmedAtKill)}");
    }

    [Fact]
    public async Task OneDeviceStopsAnswering_TheOthersKeepTheirRate()
    {
        var ct = TestContext.Current.CancellationToken;
        // 4 devices × 10 tags every 50 ms: 200 samples/s each.
        await using var rig = await EdgeRig.StartAsync(deviceCount: 4, tags: 10, TimeSpan.FromMilliseconds(50), "Broker", ct);
        await rig.UntilAsync(() => Task.FromResult(rig.DistinctCount() >= 2_000), TimeSpan.FromSeconds(60), "samples flowing", ct);
        var window = TimeSpan.FromSeconds(4);
        var baselineFrom = DateTimeOffset.UtcNow;
        await Task.Delay(window, ct);

        rig.Devices[0].Fault = _ => new ModbusServerFault(ModbusServerFaultKind.NoAnswer);
        var faultFrom = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        await Task.Delay(window + TimeSpan.FromSeconds(3), ct);
        await rig.DrainAndStopEdgeAsync(ct);

        var samples = rig.Deliveries().Select(d => d.Sample).DistinctBy(s => s.Sequence).ToList();
        int Count(int device, DateTimeOffset from) => samples.Count(s => s.Machine == EdgeRig.Machine(device)
            && s.TimestampMs >= from.ToUnixTimeMilliseconds() && s.TimestampMs < (from + window).ToUnixTimeMilliseconds());
        var rates = Enumerable.Range(0, 4).Select(d => (Before: Count(d, baselineFrom), During: Count(d, faultFrom))).ToList();
        output.WriteLine(string.Join("; ", rates.Select((r, d) => $"{EdgeRig.Machine(d)}: {r.Before} then {r.During} samples in {window.TotalSeconds} s")));

        Assert.Equal(0, rates[0].During);
        Assert.All(rates.Skip(1), r => Assert.True(r.During >= r.Before / 2, $"a healthy device fell from {r.Before} to {r.During} samples"));
    }
}

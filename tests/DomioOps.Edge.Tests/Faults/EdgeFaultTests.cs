using DomioOps.Devices.Modbus.Server;

namespace DomioOps.Edge.Tests.Faults;

/// <summary>
/// The edge as a real process under faults: the broker away while 100,000 samples queue, the edge killed (SIGKILL) again
/// and again, a device that stops answering. Each test is bounded in samples, every wait by a deadline; rates under these
/// faults are benchmark figures (benchmarks/README.md), not pass conditions.
/// </summary>
public sealed class EdgeFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BrokerStoppedWhileAHundredThousandSamplesQueue_EverySampleArrivesOnceInSequenceOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        // 10 devices × 50 tags every 100 ms: about 5,000 samples/s.
        await using var rig = await EdgeRig.StartAsync(deviceCount: 10, tags: 50, TimeSpan.FromMilliseconds(100), "Broker", ct);
        await rig.UntilAsync(() => Task.FromResult(rig.DistinctCount() >= 10_000), TimeSpan.FromSeconds(60), "samples flowing", ct);

        await rig.Broker.StopAsync(ct);
        var (lastAtStop, _, _) = rig.ReadQueue();
        // The outage lasts until the edge holds 100,000 samples more than it did (about 20 s at the offered rate), not a
        // fixed time: how fast it reads and queues meanwhile is a figure for the benchmarks, not a pass condition.
        await rig.UntilAsync(() => Task.FromResult(rig.ReadQueue().Last >= lastAtStop + 100_000), TimeSpan.FromSeconds(180), "100,000 samples queued while the broker is down", ct);
        var (lastAtRestart, _, _) = rig.ReadQueue();
        await rig.Broker.StartAgainAsync(ct);
        // Replay and live reading together: until samples read after the restart have arrived too.
        await rig.UntilAsync(() => Task.FromResult(rig.DistinctCount() >= (int)lastAtRestart + 5_000), TimeSpan.FromSeconds(180), "backlog replayed and live samples after it", ct);
        var last = await rig.DrainAndStopEdgeAsync(ct);

        var deliveries = rig.Deliveries();
        var sequences = deliveries.Select(d => d.Sample.Sequence).ToList();
        output.WriteLine($"{last} samples, {deliveries.Count - sequences.Distinct().Count()} duplicate deliveries, {lastAtRestart - lastAtStop} read while the broker was down");

        // Every sample exactly once by sequence, none missing; first arrivals in sequence order.
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (ulong)i), sequences.Distinct().Order());
        var firstArrivals = sequences.Distinct().ToList();
        Assert.Equal(firstArrivals.Order(), firstArrivals);
        Assert.True(last > lastAtRestart, $"nothing was read after the restart (last {last})");

        // A batch in flight when the broker went down may come twice (QoS 1); nothing else does.
        Assert.True(deliveries.Count - (int)last <= 2 * 500, $"{deliveries.Count - (int)last} duplicates");
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
            // Killed at a random point of its work, counted in samples (0.2–2 s of production), not in time.
            var killAt = rig.DistinctCount() + random.Next(200, 2_000);
            await rig.UntilAsync(() => Task.FromResult(rig.DistinctCount() >= killAt), TimeSpan.FromSeconds(60), $"{killAt} samples before kill {kill + 1}", ct);
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
    public async Task BrokerAcknowledgement_NobodySubscribes_TheEdgeKeepsItsSamplesUntilSomeoneDoes()
    {
        var ct = TestContext.Current.CancellationToken;
        // 2 devices × 10 tags every 100 ms: about 200 samples/s, deleted from the queue on the broker's PUBACK.
        await using var rig = await EdgeRig.StartAsync(deviceCount: 2, tags: 10, TimeSpan.FromMilliseconds(100), "Broker", ct);
        await rig.UntilAsync(() => Task.FromResult(rig.DistinctCount() >= 500), TimeSpan.FromSeconds(60), "samples flowing", ct);

        // Mosquitto answers what is published meanwhile with "no matching subscribers" (MQTT 5 PUBACK 0x10) and drops it.
        await rig.UnsubscribeConsumerAsync(ct);
        var (lastAtUnsubscribe, _, _) = rig.ReadQueue();
        await rig.UntilAsync(() => Task.FromResult(rig.ReadQueue().Last >= lastAtUnsubscribe + 1_000), TimeSpan.FromSeconds(60), "1,000 samples read while nobody subscribes", ct);
        await rig.SubscribeConsumerAsync(ct);
        var last = await rig.DrainAndStopEdgeAsync(ct);

        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (ulong)i), rig.Deliveries().Select(d => d.Sample.Sequence).Distinct().Order());
        Assert.Contains("no consumer subscribes", rig.Edge!.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneDeviceStopsAnswering_TheOthersKeepDelivering()
    {
        var ct = TestContext.Current.CancellationToken;
        // 4 devices × 10 tags every 50 ms: 200 samples/s each; a read times out after 1 s.
        await using var rig = await EdgeRig.StartAsync(deviceCount: 4, tags: 10, TimeSpan.FromMilliseconds(50), "Broker", ct);
        await rig.UntilAsync(() => Task.FromResult(rig.DistinctCount() >= 2_000), TimeSpan.FromSeconds(60), "samples flowing", ct);

        rig.Devices[0].Fault = _ => new ModbusServerFault(ModbusServerFaultKind.NoAnswer);
        var atFault = Counts(rig);
        // Samples arrive in sequence order: once the healthy devices have each delivered 500 samples (50 reads) more, the
        // last read device 0 answered before the fault has arrived too. From then on, device 0 must deliver nothing while
        // each healthy device delivers 500 samples more. Had the silent device held up the others behind its 1 s timeouts,
        // 100 reads each would take over 100 s and miss the deadline.
        await rig.UntilAsync(() => Task.FromResult(Healthy(rig, atFault, 500)), TimeSpan.FromSeconds(60), "healthy devices delivering after the fault", ct);
        var silentFrom = Counts(rig)[0];
        await rig.UntilAsync(() => Task.FromResult(Healthy(rig, atFault, 1_000)), TimeSpan.FromSeconds(60), "healthy devices still delivering", ct);
        await rig.DrainAndStopEdgeAsync(ct);

        var final = Counts(rig);
        output.WriteLine($"at the fault {string.Join(", ", atFault)}; device 0 silent from {silentFrom}; at the end {string.Join(", ", final)}");
        Assert.Equal(silentFrom, final[0]);
        Assert.All(Enumerable.Range(1, 3), d => Assert.True(final[d] >= atFault[d] + 1_000, $"{EdgeRig.Machine(d)}: {atFault[d]} then {final[d]}"));
    }

    /// <summary>Distinct samples delivered so far per device.</summary>
    private static int[] Counts(EdgeRig rig)
    {
        var samples = rig.Deliveries().Select(d => d.Sample).DistinctBy(s => s.Sequence).ToList();
        return [.. Enumerable.Range(0, rig.Devices.Count).Select(d => samples.Count(s => s.Machine == EdgeRig.Machine(d)))];
    }

    private static bool Healthy(EdgeRig rig, int[] from, int more)
    {
        var now = Counts(rig);
        return Enumerable.Range(1, now.Length - 1).All(d => now[d] >= from[d] + more);
    }
}

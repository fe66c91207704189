using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Publishing;

/// <summary>
/// What the publisher sends next, in sequence order: the samples after <see cref="Sent"/>, while no more than
/// <see cref="PublishingOptions.MaxInFlightSamples"/> are published and unacknowledged. A full batch
/// (<see cref="PublishingOptions.MaxBatchSamples"/>) goes at once; a partial one too when nothing is in flight, and
/// otherwise when the acknowledgement arrives or its oldest sample is <see cref="PublishingOptions.MaxBatchAge"/> old.
/// Acknowledgements (the cloud's or the broker's, per <see cref="PublishingOptions.Acknowledgement"/>) delete samples from the queue and
/// move <see cref="Acknowledged"/>; a reconnect, or an acknowledgement that stops advancing for
/// <see cref="PublishingOptions.AcknowledgementTimeout"/>, moves <see cref="Sent"/> back to it, so the
/// unacknowledged samples are published again (replay from the last acknowledged sequence).
/// Each sample deleted on an acknowledgement is timed from its read at the device (its timestamp) to its deletion
/// (<c>domio.edge.samples.acknowledgement_latency</c>): the read times of the samples handed out and not yet deleted are
/// kept as runs of consecutive sequences read at the same instant (one device read is one run), each sample once,
/// however often it is replayed. They are at most the samples in flight (<see cref="PublishingOptions.MaxInFlightSamples"/>)
/// and one batch more, since <see cref="Next"/> hands out nothing beyond that.
/// </summary>
/// <remarks>
/// Owned by the publisher's loop; only <see cref="CloudAcknowledged"/> is called from elsewhere (the MQTT client's
/// receive loop), and it only records the newest sequence for the loop to apply. An acknowledgement above both
/// <see cref="HandedOut"/> and <see cref="IssuedBeforeStart"/> names samples no process of this edge can have published:
/// it is ignored, never remembered, so a forged one cannot delete samples as they are published later. One within
/// <see cref="IssuedBeforeStart"/> is the cloud's mark of what an earlier process published (kill -9 with batches in
/// flight); refusing it would stall the edge for good when that mark lies beyond the first window this process replays.
/// </remarks>
internal sealed class InFlightWindow(SampleQueue queue, PublishingOptions options, TimeProvider time, EdgeMetrics metrics)
{
    private readonly Queue<ReadTime> _readTimes = new();

    /// <summary>The last sequence the queue had issued when this process started: an earlier process may have published any of them.</summary>
    public ulong IssuedBeforeStart { get; } = queue.LastSequence;

    private ulong _received;
    private ulong _handedOut;
    private DateTimeOffset? _deadline;
    private ulong _timed;
    private ReadTime? _newestRead;

    /// <summary>Every sample up to here is acknowledged and deleted from the queue.</summary>
    public ulong Acknowledged { get; private set; }

    /// <summary>Every sample up to here has been published since the last replay.</summary>
    public ulong Sent { get; private set; }

    public ulong InFlight => Sent - Acknowledged;

    /// <summary>The highest sequence handed to the MQTT client in this process; it never decreases. Thread-safe.</summary>
    public ulong HandedOut => Interlocked.Read(ref _handedOut);

    /// <summary>
    /// The batch ending at <paramref name="last"/> goes to the MQTT client now: called before the publish, since the
    /// cloud may commit and acknowledge it before the broker's PUBACK comes back.
    /// </summary>
    public void Publishing(ulong last) => RaiseTo(ref _handedOut, last);

    /// <summary>
    /// Records the cloud's acknowledgement; applied by the next <see cref="Next"/>. False, and nothing recorded, when it
    /// is above both <see cref="HandedOut"/> and <see cref="IssuedBeforeStart"/>. Thread-safe.
    /// </summary>
    public bool CloudAcknowledged(ulong sequence)
    {
        if (sequence > Math.Max(HandedOut, IssuedBeforeStart))
        {
            metrics.AcknowledgementRefused();
            return false;
        }

        RaiseTo(ref _received, sequence);
        return true;
    }

    /// <summary>
    /// The next batch to publish, or none with the time at which to look again (null: when samples or an
    /// acknowledgement arrive).
    /// </summary>
    public (IReadOnlyList<Sample> Batch, DateTimeOffset? LookAgainAt) Next()
    {
        var now = time.GetUtcNow();
        ApplyAcknowledgement(now);
        if (Sent > Acknowledged && _deadline <= now)
        {
            // The acknowledgement stopped advancing: the broker or the cloud lost something. Send it all again.
            metrics.Replayed((long)InFlight);
            Sent = Acknowledged;
            _deadline = null;
        }

        if (InFlight >= (ulong)options.MaxInFlightSamples)
        {
            return ([], _deadline);
        }

        var waiting = queue.PeekAfter(Sent, options.MaxBatchSamples);
        if (waiting.Samples.Count == 0)
        {
            return ([], _deadline);
        }

        // A partial batch goes at once while nothing is in flight (Nagle's rule, Kafka's linger 0): what arrives during
        // a publish forms the next batch, so batches grow with the load by themselves. While samples are in flight
        // (waiting for the cloud's acknowledgement), a partial batch waits for it, at most MaxBatchAge.
        if (waiting.Samples.Count < options.MaxBatchSamples && InFlight > 0
            && waiting.FirstEnqueued + options.MaxBatchAge is { } due && due > now)
        {
            return ([], _deadline is { } d && d < due ? d : due);
        }

        KeepReadTimes(waiting.Samples);
        return (waiting.Samples, null);
    }

    /// <summary>The broker took the batch that ends at <paramref name="last"/> (its PUBACK).</summary>
    public void Published(ulong last)
    {
        if (options.Acknowledgement == Acknowledgement.Broker)
        {
            Remove(last);
            return;
        }

        if (Sent == Acknowledged)
        {
            _deadline = time.GetUtcNow() + options.AcknowledgementTimeout;
        }

        Sent = Math.Max(Sent, last);
    }

    /// <summary>The batch ending at <paramref name="last"/> can never be taken (the cloud refused it for good): it leaves the queue.</summary>
    public void Refused(ulong last) => Remove(last, refused: true);

    /// <summary>A new MQTT connection: whatever was in flight on the old one may be lost, so it is sent again.</summary>
    public void Reconnected()
    {
        if (InFlight > 0)
        {
            metrics.Replayed((long)InFlight);
        }

        Sent = Acknowledged;
        _deadline = null;
    }

    private static void RaiseTo(ref ulong field, ulong value)
    {
        var current = Interlocked.Read(ref field);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void ApplyAcknowledgement(DateTimeOffset now)
    {
        // Never above what this queue issued (see CloudAcknowledged); the bound stays as a guard.
        var acknowledged = Math.Min(Interlocked.Read(ref _received), queue.LastSequence);
        if (acknowledged <= Acknowledged)
        {
            return;
        }

        Remove(acknowledged);
        _deadline = Sent > Acknowledged ? now + options.AcknowledgementTimeout : null;
    }

    private void Remove(ulong last, bool refused = false)
    {
        var removed = queue.Acknowledge(last);
        if (refused)
        {
            metrics.Dropped(removed);
            ForgetReadTimes(last, 0);
        }
        else
        {
            metrics.Published(removed);
            ForgetReadTimes(last, removed);
        }

        Acknowledged = Math.Max(Acknowledged, last);
        Sent = Math.Max(Sent, Acknowledged);
    }

    /// <summary>The read times of the samples of a batch handed out for the first time (a replay adds nothing).</summary>
    private void KeepReadTimes(IReadOnlyList<Sample> batch)
    {
        foreach (var sample in batch)
        {
            if (sample.Sequence <= _timed)
            {
                continue;
            }

            _timed = sample.Sequence;
            if (_newestRead is { } run && run.Last + 1 == sample.Sequence && run.TimestampMs == sample.TimestampMs)
            {
                run.Last = sample.Sequence;
            }
            else
            {
                _newestRead = new ReadTime { First = sample.Sequence, Last = sample.Sequence, TimestampMs = sample.TimestampMs };
                _readTimes.Enqueue(_newestRead);
            }
        }
    }

    /// <summary>
    /// Forgets the read times up to <paramref name="last"/>, recording the latency of the newest
    /// <paramref name="deleted"/> of them: those the queue deleted now (older ones may have gone to its overflow policy).
    /// </summary>
    private void ForgetReadTimes(ulong last, long deleted)
    {
        var runs = new List<(long TimestampMs, long Samples)>();
        long samples = 0;
        while (_readTimes.TryPeek(out var run) && run.First <= last)
        {
            var upTo = Math.Min(run.Last, last);
            var count = (long)(upTo - run.First + 1);
            runs.Add((run.TimestampMs, count));
            samples += count;
            if (upTo == run.Last)
            {
                _readTimes.Dequeue();
                if (run == _newestRead)
                {
                    _newestRead = null;
                }
            }
            else
            {
                run.First = upTo + 1;
            }
        }

        var skip = Math.Max(0, samples - deleted);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (timestampMs, count) in runs)
        {
            var recorded = count - Math.Min(skip, count);
            skip -= count - recorded;
            if (recorded > 0)
            {
                metrics.AcknowledgedAfter(Math.Max(0, now - timestampMs), recorded);
            }
        }
    }

    /// <summary>Samples <see cref="First"/>..<see cref="Last"/> (consecutive sequences), read at <see cref="TimestampMs"/>.</summary>
    private sealed class ReadTime
    {
        public ulong First { get; set; }

        public ulong Last { get; set; }

        public long TimestampMs { get; set; }
    }
}

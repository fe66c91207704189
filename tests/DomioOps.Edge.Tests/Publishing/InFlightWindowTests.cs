using DomioOps.Edge.Publishing;
using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.Publishing;

public sealed class InFlightWindowTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-window-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly PublishingOptions _options = new()
    {
        MaxBatchSamples = 10,
        MaxBatchAge = TimeSpan.FromMilliseconds(200),
        MaxInFlightSamples = 30,
        AcknowledgementTimeout = TimeSpan.FromSeconds(10),
    };

    private readonly SampleQueue _queue;
    private readonly InFlightWindow _window;

    public InFlightWindowTests()
    {
        var metrics = EdgeTestMetrics.Create(_time);
        _queue = new SampleQueue(Path.Combine(_folder, "queue.db"), new QueueOptions(), _time, metrics);
        _window = new InFlightWindow(_queue, _options, _time, metrics);
    }

    public void Dispose()
    {
        _queue.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Next_BatchesInSequenceOrder_FullBatchAtOnce_PartialWaitsWhileSamplesInFlight()
    {
        _queue.Enqueue(Samples(25));

        Assert.Equal(Range(1, 10), Send());
        Assert.Equal(Range(11, 20), Send());

        // Five left: not a full batch, 20 samples wait for the cloud's acknowledgement, and not yet old enough.
        var (batch, lookAgainAt) = _window.Next();
        Assert.Empty(batch);
        Assert.Equal(_time.GetUtcNow() + _options.MaxBatchAge, lookAgainAt);

        _time.Advance(_options.MaxBatchAge);
        Assert.Equal(Range(21, 25), Send());
    }

    [Fact]
    public void Next_LoneSampleNothingInFlight_PublishedWithoutWaitingForMaxBatchAge()
    {
        _queue.Enqueue(Samples(1));

        // No time passes: the window is free, so the sample need not wait for company.
        Assert.Equal(Range(1, 1), Send());
    }

    [Fact]
    public void Next_BrokerAcknowledgement_WhatArrivesDuringAPublishIsTheNextBatch_AtOnce()
    {
        _options.Acknowledgement = Acknowledgement.Broker;
        _queue.Enqueue(Samples(1));
        var first = _window.Next().Batch;

        // Three device reads commit while the first batch waits for its PUBACK.
        _queue.Enqueue(Samples(3));
        _queue.Enqueue(Samples(4));
        _queue.Enqueue(Samples(2));
        _window.Published(first[^1].Sequence);

        Assert.Equal(Range(2, 10), Send());
        _queue.Enqueue(Samples(1));
        Assert.Equal(Range(11, 11), Send());
    }

    [Fact]
    public void Next_UnderLoad_BatchesFill()
    {
        _options.Acknowledgement = Acknowledgement.Broker;
        _queue.Enqueue(Samples(1));
        var first = _window.Next().Batch;

        // A load burst while the first publish is in flight: full batches, then the rest, without waiting.
        for (var read = 0; read < 7; read++)
        {
            _queue.Enqueue(Samples(5));
        }

        _window.Published(first[^1].Sequence);

        Assert.Equal(Range(2, 11), Send());
        Assert.Equal(Range(12, 21), Send());
        Assert.Equal(Range(22, 31), Send());
        Assert.Equal(Range(32, 36), Send());
        Assert.Empty(_window.Next().Batch);
    }

    [Fact]
    public void Next_CloudAcknowledgement_PartialBatchWaitsForTheAcknowledgement_AtMostMaxBatchAge()
    {
        _queue.Enqueue(Samples(1));
        Assert.Equal(Range(1, 1), Send());
        _queue.Enqueue(Samples(3));

        // Sample 1 waits for the cloud: the three wait for its acknowledgement, at most MaxBatchAge.
        var (batch, lookAgainAt) = _window.Next();
        Assert.Empty(batch);
        Assert.Equal(_time.GetUtcNow() + _options.MaxBatchAge, lookAgainAt);
        _window.CloudAcknowledged(1);
        Assert.Equal(Range(2, 4), Send());

        _queue.Enqueue(Samples(2));
        _time.Advance(_options.MaxBatchAge - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_window.Next().Batch);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Range(5, 6), Send());
    }

    [Fact]
    public void CloudAcknowledged_DeletesUpToTheSequence_NotBeforeIt()
    {
        _queue.Enqueue(Samples(20));
        Send();
        Send();

        // The broker took everything, but only the cloud's word removes samples.
        Assert.Equal(20, _queue.Count);
        _window.CloudAcknowledged(15);
        Assert.Empty(_window.Next().Batch);

        Assert.Equal(15ul, _window.Acknowledged);
        Assert.Equal(Range(16, 20), _queue.Peek(100).Select(s => s.Sequence));
    }

    [Fact]
    public void CloudAcknowledged_OlderOrRepeated_ChangesNothing()
    {
        _queue.Enqueue(Samples(20));
        Send();
        Send();
        _window.CloudAcknowledged(15);
        _window.Next();

        _window.CloudAcknowledged(12);
        _window.CloudAcknowledged(15);
        _window.Next();

        Assert.Equal(15ul, _window.Acknowledged);
        Assert.Equal(5, _queue.Count);
    }

    [Fact]
    public void CloudAcknowledged_AboveTheHighestPublished_DeletesNothing_IsForgotten_Counted()
    {
        _queue.Enqueue(Samples(10));
        Send();

        // A forged acknowledgement (issue #20): the edge has published up to 10.
        var refused = EdgeTestMetrics.Sum("domio.edge.acknowledgements.refused", () => Assert.False(_window.CloudAcknowledged(1_000_000_000_000_000_000)));
        Assert.Equal(1, refused);
        Assert.Empty(_window.Next().Batch);
        Assert.Equal(0ul, _window.Acknowledged);
        Assert.Equal(Range(1, 10), _queue.Peek(100).Select(s => s.Sequence));

        // Not remembered: the samples published after it stay until the cloud acknowledges them.
        _queue.Enqueue(Samples(10));
        _time.Advance(_options.MaxBatchAge);
        Assert.Equal(Range(11, 20), Send());
        Assert.Empty(_window.Next().Batch);
        Assert.Equal(0ul, _window.Acknowledged);
        Assert.Equal(20, _queue.Count);
    }

    [Fact]
    public void CloudAcknowledged_LegitimateAfterAForgedOne_Deletes()
    {
        _queue.Enqueue(Samples(20));
        Send();
        _window.CloudAcknowledged(ulong.MaxValue);
        Send();

        Assert.True(_window.CloudAcknowledged(15));
        _window.Next();

        Assert.Equal(15ul, _window.Acknowledged);
        Assert.Equal(Range(16, 20), _queue.Peek(100).Select(s => s.Sequence));
    }

    [Fact]
    public void CloudAcknowledged_HandedToTheClientBeforeItsPubAck_Deletes()
    {
        _queue.Enqueue(Samples(10));
        var batch = _window.Next().Batch;
        _window.Publishing(batch[^1].Sequence);

        // The cloud committed and acknowledged the batch before the broker's PUBACK reached the edge.
        Assert.True(_window.CloudAcknowledged(10));
        _window.Next();
        _window.Published(batch[^1].Sequence);

        Assert.Equal(10ul, _window.Acknowledged);
        Assert.Equal(0, _queue.Count);
        Assert.Equal(0ul, _window.InFlight);
    }

    [Fact]
    public void CloudAcknowledged_AfterAReplay_UpToTheHighestEverPublished()
    {
        _queue.Enqueue(Samples(20));
        Send();
        Send();

        // The reconnect moves Sent back; the highest sequence handed out stays, and the cloud may still acknowledge it.
        _window.Reconnected();
        Assert.True(_window.CloudAcknowledged(20));
        _window.Next();

        Assert.Equal(20ul, _window.Acknowledged);
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void Next_WindowFull_PausesUntilAcknowledged()
    {
        _queue.Enqueue(Samples(50));
        Send();
        Send();
        Send();

        var (batch, lookAgainAt) = _window.Next();
        Assert.Empty(batch);
        Assert.Equal(30ul, _window.InFlight);
        Assert.Equal(_time.GetUtcNow() + _options.AcknowledgementTimeout, lookAgainAt);

        _window.CloudAcknowledged(10);
        Assert.Equal(Range(31, 40), Send());
    }

    [Fact]
    public void Next_NoAcknowledgementWithinTimeout_ReplaysFromTheLastAcknowledged()
    {
        _queue.Enqueue(Samples(30));
        Send();
        Send();
        _window.CloudAcknowledged(5);
        Assert.Equal(Range(21, 30), Send());

        _time.Advance(_options.AcknowledgementTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_window.Next().Batch);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Range(6, 15), Send());
        Assert.Equal(Range(16, 25), Send());
    }

    [Fact]
    public void Next_AcknowledgementKeepsAdvancing_NoReplay()
    {
        _queue.Enqueue(Samples(40));
        Send();
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(_options.AcknowledgementTimeout / 2);
            _window.CloudAcknowledged(_window.Sent);
            Assert.Equal(Range(11 + (10 * i), 20 + (10 * i)), Send());
        }

        _time.Advance(_options.AcknowledgementTimeout / 2);
        Assert.Empty(_window.Next().Batch);
    }

    [Fact]
    public void Reconnected_ReplaysEverythingUnacknowledged_InOrder_ThenLiveSamples()
    {
        _queue.Enqueue(Samples(20));
        Send();
        Send();
        _window.CloudAcknowledged(7);
        _window.Next();

        _window.Reconnected();
        _queue.Enqueue(Samples(5));

        Assert.Equal(Range(8, 17), Send());
        _time.Advance(_options.MaxBatchAge);
        Assert.Equal(Range(18, 25), Send());
    }

    [Fact]
    public void Published_BrokerAcknowledgement_DeletesAtOnce()
    {
        _options.Acknowledgement = Acknowledgement.Broker;
        _queue.Enqueue(Samples(15));

        Send();

        Assert.Equal(10ul, _window.Acknowledged);
        Assert.Equal(Range(11, 15), _queue.Peek(100).Select(s => s.Sequence));
        _window.Reconnected();
        _time.Advance(_options.MaxBatchAge);
        Assert.Equal(Range(11, 15), Send());
    }

    [Fact]
    public void Refused_DeletesTheBatch_CountsItDropped()
    {
        _queue.Enqueue(Samples(15));
        var batch = _window.Next().Batch;

        var dropped = EdgeTestMetrics.Sum("domio.edge.queue.dropped", () => _window.Refused(batch[^1].Sequence));

        Assert.Equal(10, dropped);
        Assert.Equal(5, _queue.Count);
    }

    [Fact]
    public void Reopen_AfterCrash_ResendsFromTheOldestUnacknowledged()
    {
        _queue.Enqueue(Samples(20));
        Send();
        Send();
        _window.CloudAcknowledged(12);
        _window.Next();

        // A new process: the queue on disk, a new window that knows nothing.
        using var reopened = new SampleQueue(Path.Combine(_folder, "queue.db"), new QueueOptions(), _time, EdgeTestMetrics.Create(_time));
        var fresh = new InFlightWindow(reopened, _options, _time, EdgeTestMetrics.Create(_time));
        _time.Advance(_options.MaxBatchAge);

        Assert.Equal(Range(13, 20), fresh.Next().Batch.Select(s => s.Sequence));
    }

    [Fact]
    public void Reopen_CloudCommittedBeyondTheReplayWindow_TakesItsAcknowledgementAndMovesOn()
    {
        // The old process published 1..20, the cloud committed them all, and its acknowledgements were lost with the
        // process. The new one replays a window of 10 (13..22 would be next) and the cloud answers with its mark, 20.
        _queue.Enqueue(Samples(20));
        Send();
        Send();
        _window.CloudAcknowledged(12);
        _window.Next();
        using var reopened = new SampleQueue(Path.Combine(_folder, "queue.db"), new QueueOptions(), _time, EdgeTestMetrics.Create(_time));
        var fresh = new InFlightWindow(reopened, new PublishingOptions { MaxBatchSamples = 5, MaxBatchAge = _options.MaxBatchAge, MaxInFlightSamples = 5, AcknowledgementTimeout = _options.AcknowledgementTimeout }, _time, EdgeTestMetrics.Create(_time));
        Assert.Equal(Range(13, 17), fresh.Next().Batch.Select(s => s.Sequence));
        fresh.Publishing(17);

        Assert.True(fresh.CloudAcknowledged(20));
        reopened.Enqueue(Samples(3));
        _time.Advance(_options.MaxBatchAge);

        Assert.Equal(Range(21, 23), fresh.Next().Batch.Select(s => s.Sequence));
        Assert.Equal(20ul, fresh.Acknowledged);
    }

    [Fact]
    public void Reopen_AcknowledgementBeyondEverythingIssuedBeforeTheStart_Refused()
    {
        _queue.Enqueue(Samples(20));
        Send();
        using var reopened = new SampleQueue(Path.Combine(_folder, "queue.db"), new QueueOptions(), _time, EdgeTestMetrics.Create(_time));
        var fresh = new InFlightWindow(reopened, _options, _time, EdgeTestMetrics.Create(_time));

        // 21 was never issued: not by the old process, not yet by this one.
        Assert.False(fresh.CloudAcknowledged(21));
        reopened.Enqueue(Samples(5));
        Assert.Equal(Range(1, 10), fresh.Next().Batch.Select(s => s.Sequence));
        Assert.Equal(0ul, fresh.Acknowledged);
    }

    [Fact]
    public void Next_DropOldestOverflowWhileInFlight_ContinuesAfterTheGap()
    {
        var oneSample = Google.Protobuf.MessageExtensions.ToByteArray(Samples(1)[0]).Length + 2;
        using var small = new SampleQueue(Path.Combine(_folder, "small.db"), new QueueOptions { MaxBytes = oneSample * 20, Overflow = OverflowPolicy.DropOldest }, _time, EdgeTestMetrics.Create(_time));
        var bounded = new InFlightWindow(small, _options, _time, EdgeTestMetrics.Create(_time));
        small.Enqueue(Samples(20));
        bounded.Published(bounded.Next().Batch[^1].Sequence);

        // The cloud is away; the queue overflows and deletes the oldest, including samples in flight.
        small.Enqueue(Samples(15));
        _time.Advance(_options.AcknowledgementTimeout);

        var replay = bounded.Next().Batch.Select(s => s.Sequence).ToList();
        Assert.Equal(small.Peek(1).Single().Sequence, replay[0]);
        Assert.True(replay[0] > 1);
        Assert.Equal(Enumerable.Range((int)replay[0], 10).Select(i => (ulong)i), replay);
    }

    private const string AcknowledgementLatency = "domio.edge.samples.acknowledgement_latency";

    [Fact]
    public void CloudAcknowledged_RecordsPerDeletedSample_TheTimeFromItsRead()
    {
        _queue.Enqueue(Samples(3));
        _time.Advance(TimeSpan.FromMilliseconds(40));
        _queue.Enqueue(Samples(2));
        Send();
        _time.Advance(TimeSpan.FromMilliseconds(60));

        // Acknowledged up to 4: the three read 100 ms ago and one of the two read 60 ms ago; the fifth waits.
        var first = EdgeTestMetrics.Recorded(AcknowledgementLatency, () =>
        {
            _window.CloudAcknowledged(4);
            _window.Next();
        });
        Assert.Equal([100, 100, 100, 60], first);

        _time.Advance(TimeSpan.FromMilliseconds(5));
        var second = EdgeTestMetrics.Recorded(AcknowledgementLatency, () =>
        {
            _window.CloudAcknowledged(5);
            _window.Next();
        });
        Assert.Equal([65], second);
    }

    [Fact]
    public void CloudAcknowledged_AfterReplays_RecordsEachSampleOnce()
    {
        _queue.Enqueue(Samples(15));
        Send();
        _time.Advance(_options.MaxBatchAge);
        Send();

        // Replayed after a reconnect and again after the acknowledgement timeout: each sample is still timed once, when deleted.
        var recorded = EdgeTestMetrics.Recorded(AcknowledgementLatency, () =>
        {
            _window.CloudAcknowledged(6);
            Assert.Empty(_window.Next().Batch);
            _window.Reconnected();
            Assert.Equal(Range(7, 15), Send());
            _time.Advance(_options.AcknowledgementTimeout);
            Assert.Equal(Range(7, 15), Send());
            _window.CloudAcknowledged(15);
            _window.CloudAcknowledged(15);
            _window.Next();
        });

        Assert.Equal(15, recorded.Count);
        Assert.Equal(6, recorded.Count(ms => ms == _options.MaxBatchAge.TotalMilliseconds));
        Assert.Equal(9, recorded.Count(ms => ms == (_options.MaxBatchAge + _options.AcknowledgementTimeout).TotalMilliseconds));
    }

    [Fact]
    public void Refused_RecordsNoLatency_LaterAcknowledgementsStillTimed()
    {
        _queue.Enqueue(Samples(15));
        var batch = _window.Next().Batch;

        var recorded = EdgeTestMetrics.Recorded(AcknowledgementLatency, () =>
        {
            _window.Refused(batch[^1].Sequence);
            Assert.Equal(Range(11, 15), Send());
            _window.CloudAcknowledged(15);
            _window.Next();
        });

        Assert.Equal(5, recorded.Count);
    }

    [Fact]
    public void Published_BrokerAcknowledgement_RecordsOnThePubAck()
    {
        _options.Acknowledgement = Acknowledgement.Broker;
        _queue.Enqueue(Samples(10));
        var batch = _window.Next().Batch;
        _time.Advance(TimeSpan.FromMilliseconds(3));

        var recorded = EdgeTestMetrics.Recorded(AcknowledgementLatency, () => _window.Published(batch[^1].Sequence));

        Assert.Equal(Enumerable.Repeat(3.0, 10), recorded);
    }

    [Fact]
    public void CloudAcknowledged_SamplesLostToOverflowMeanwhile_OnlyTheDeletedOnesTimed()
    {
        var oneSample = Google.Protobuf.MessageExtensions.ToByteArray(Samples(1)[0]).Length + 2;
        using var small = new SampleQueue(Path.Combine(_folder, "small.db"), new QueueOptions { MaxBytes = oneSample * 20, Overflow = OverflowPolicy.DropOldest }, _time, EdgeTestMetrics.Create(_time));
        var bounded = new InFlightWindow(small, _options, _time, EdgeTestMetrics.Create(_time));
        small.Enqueue(Samples(10));
        var batch = bounded.Next().Batch;
        bounded.Publishing(batch[^1].Sequence);
        bounded.Published(batch[^1].Sequence);

        // The queue overflows and deletes some of the published samples before the cloud acknowledges them.
        small.Enqueue(Samples(15));
        var waiting = small.Count;
        var recorded = EdgeTestMetrics.Recorded(AcknowledgementLatency, () =>
        {
            bounded.CloudAcknowledged(10);
            bounded.Next();
        });

        Assert.Equal(10 - (25 - waiting), recorded.Count);
    }

    private static IEnumerable<ulong> Range(int first, int last) => Enumerable.Range(first, last - first + 1).Select(i => (ulong)i);

    /// <summary>Takes the next batch and reports it taken by the broker, as the publisher does.</summary>
    private List<ulong> Send()
    {
        var batch = _window.Next().Batch;
        Assert.NotEmpty(batch);
        _window.Publishing(batch[^1].Sequence);
        _window.Published(batch[^1].Sequence);
        return [.. batch.Select(s => s.Sequence)];
    }

    private List<Sample> Samples(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Sample { Machine = "saw-01", Signal = Signal.PieceCounter, TimestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds(), Number = i })];
}

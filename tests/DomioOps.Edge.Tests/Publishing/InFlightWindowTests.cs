using DomioOps.Edge.Publishing;
using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.Publishing;

public sealed class InFlightWindowTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("domioops-window-").FullName;
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly PublishingOptions options = new()
    {
        MaxBatchSamples = 10,
        MaxBatchAge = TimeSpan.FromMilliseconds(200),
        MaxInFlightSamples = 30,
        AcknowledgementTimeout = TimeSpan.FromSeconds(10),
    };

    private readonly SampleQueue queue;
    private readonly InFlightWindow window;

    public InFlightWindowTests()
    {
        var metrics = EdgeTestMetrics.Create(time);
        queue = new SampleQueue(Path.Combine(folder, "queue.db"), new QueueOptions(), time, metrics);
        window = new InFlightWindow(queue, options, time, metrics);
    }

    public void Dispose()
    {
        queue.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Next_BatchesInSequenceOrder_FullBatchAtOnce_PartialWaitsWhileSamplesInFlight()
    {
        queue.Enqueue(Samples(25));

        Assert.Equal(Range(1, 10), Send());
        Assert.Equal(Range(11, 20), Send());

        // Five left: not a full batch, 20 samples wait for the cloud's acknowledgement, and not yet old enough.
        var (batch, lookAgainAt) = window.Next();
        Assert.Empty(batch);
        Assert.Equal(time.GetUtcNow() + options.MaxBatchAge, lookAgainAt);

        time.Advance(options.MaxBatchAge);
        Assert.Equal(Range(21, 25), Send());
    }

    [Fact]
    public void Next_LoneSampleNothingInFlight_PublishedWithoutWaitingForMaxBatchAge()
    {
        queue.Enqueue(Samples(1));

        // No time passes: the window is free, so the sample need not wait for company.
        Assert.Equal(Range(1, 1), Send());
    }

    [Fact]
    public void Next_BrokerAcknowledgement_WhatArrivesDuringAPublishIsTheNextBatch_AtOnce()
    {
        options.Acknowledgement = Acknowledgement.Broker;
        queue.Enqueue(Samples(1));
        var first = window.Next().Batch;

        // Three device reads commit while the first batch waits for its PUBACK.
        queue.Enqueue(Samples(3));
        queue.Enqueue(Samples(4));
        queue.Enqueue(Samples(2));
        window.Published(first[^1].Sequence);

        Assert.Equal(Range(2, 10), Send());
        queue.Enqueue(Samples(1));
        Assert.Equal(Range(11, 11), Send());
    }

    [Fact]
    public void Next_UnderLoad_BatchesFill()
    {
        options.Acknowledgement = Acknowledgement.Broker;
        queue.Enqueue(Samples(1));
        var first = window.Next().Batch;

        // A load burst while the first publish is in flight: full batches, then the rest, without waiting.
        for (var read = 0; read < 7; read++)
        {
            queue.Enqueue(Samples(5));
        }

        window.Published(first[^1].Sequence);

        Assert.Equal(Range(2, 11), Send());
        Assert.Equal(Range(12, 21), Send());
        Assert.Equal(Range(22, 31), Send());
        Assert.Equal(Range(32, 36), Send());
        Assert.Empty(window.Next().Batch);
    }

    [Fact]
    public void Next_CloudAcknowledgement_PartialBatchWaitsForTheAcknowledgement_AtMostMaxBatchAge()
    {
        queue.Enqueue(Samples(1));
        Assert.Equal(Range(1, 1), Send());
        queue.Enqueue(Samples(3));

        // Sample 1 waits for the cloud: the three wait for its acknowledgement, at most MaxBatchAge.
        var (batch, lookAgainAt) = window.Next();
        Assert.Empty(batch);
        Assert.Equal(time.GetUtcNow() + options.MaxBatchAge, lookAgainAt);
        window.CloudAcknowledged(1);
        Assert.Equal(Range(2, 4), Send());

        queue.Enqueue(Samples(2));
        time.Advance(options.MaxBatchAge - TimeSpan.FromMilliseconds(1));
        Assert.Empty(window.Next().Batch);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Range(5, 6), Send());
    }

    [Fact]
    public void CloudAcknowledged_DeletesUpToTheSequence_NotBeforeIt()
    {
        queue.Enqueue(Samples(20));
        Send();
        Send();

        // The broker took everything, but only the cloud's word removes samples.
        Assert.Equal(20, queue.Count);
        window.CloudAcknowledged(15);
        Assert.Empty(window.Next().Batch);

        Assert.Equal(15ul, window.Acknowledged);
        Assert.Equal(Range(16, 20), queue.Peek(100).Select(s => s.Sequence));
    }

    [Fact]
    public void CloudAcknowledged_OlderOrRepeated_ChangesNothing()
    {
        queue.Enqueue(Samples(20));
        Send();
        Send();
        window.CloudAcknowledged(15);
        window.Next();

        window.CloudAcknowledged(12);
        window.CloudAcknowledged(15);
        window.Next();

        Assert.Equal(15ul, window.Acknowledged);
        Assert.Equal(5, queue.Count);
    }

    [Fact]
    public void CloudAcknowledged_AboveTheHighestPublished_DeletesNothing_IsForgotten_Counted()
    {
        queue.Enqueue(Samples(10));
        Send();

        // A forged acknowledgement (issue #20): the edge has published up to 10.
        var refused = EdgeTestMetrics.Sum("domio.edge.acknowledgements.refused", () => Assert.False(window.CloudAcknowledged(1_000_000_000_000_000_000)));
        Assert.Equal(1, refused);
        Assert.Empty(window.Next().Batch);
        Assert.Equal(0ul, window.Acknowledged);
        Assert.Equal(Range(1, 10), queue.Peek(100).Select(s => s.Sequence));

        // Not remembered: the samples published after it stay until the cloud acknowledges them.
        queue.Enqueue(Samples(10));
        time.Advance(options.MaxBatchAge);
        Assert.Equal(Range(11, 20), Send());
        Assert.Empty(window.Next().Batch);
        Assert.Equal(0ul, window.Acknowledged);
        Assert.Equal(20, queue.Count);
    }

    [Fact]
    public void CloudAcknowledged_LegitimateAfterAForgedOne_Deletes()
    {
        queue.Enqueue(Samples(20));
        Send();
        window.CloudAcknowledged(ulong.MaxValue);
        Send();

        Assert.True(window.CloudAcknowledged(15));
        window.Next();

        Assert.Equal(15ul, window.Acknowledged);
        Assert.Equal(Range(16, 20), queue.Peek(100).Select(s => s.Sequence));
    }

    [Fact]
    public void CloudAcknowledged_HandedToTheClientBeforeItsPubAck_Deletes()
    {
        queue.Enqueue(Samples(10));
        var batch = window.Next().Batch;
        window.Publishing(batch[^1].Sequence);

        // The cloud committed and acknowledged the batch before the broker's PUBACK reached the edge.
        Assert.True(window.CloudAcknowledged(10));
        window.Next();
        window.Published(batch[^1].Sequence);

        Assert.Equal(10ul, window.Acknowledged);
        Assert.Equal(0, queue.Count);
        Assert.Equal(0ul, window.InFlight);
    }

    [Fact]
    public void CloudAcknowledged_AfterAReplay_UpToTheHighestEverPublished()
    {
        queue.Enqueue(Samples(20));
        Send();
        Send();

        // The reconnect moves Sent back; the highest sequence handed out stays, and the cloud may still acknowledge it.
        window.Reconnected();
        Assert.True(window.CloudAcknowledged(20));
        window.Next();

        Assert.Equal(20ul, window.Acknowledged);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Next_WindowFull_PausesUntilAcknowledged()
    {
        queue.Enqueue(Samples(50));
        Send();
        Send();
        Send();

        var (batch, lookAgainAt) = window.Next();
        Assert.Empty(batch);
        Assert.Equal(30ul, window.InFlight);
        Assert.Equal(time.GetUtcNow() + options.AcknowledgementTimeout, lookAgainAt);

        window.CloudAcknowledged(10);
        Assert.Equal(Range(31, 40), Send());
    }

    [Fact]
    public void Next_NoAcknowledgementWithinTimeout_ReplaysFromTheLastAcknowledged()
    {
        queue.Enqueue(Samples(30));
        Send();
        Send();
        window.CloudAcknowledged(5);
        Assert.Equal(Range(21, 30), Send());

        time.Advance(options.AcknowledgementTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Empty(window.Next().Batch);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Range(6, 15), Send());
        Assert.Equal(Range(16, 25), Send());
    }

    [Fact]
    public void Next_AcknowledgementKeepsAdvancing_NoReplay()
    {
        queue.Enqueue(Samples(40));
        Send();
        for (var i = 0; i < 3; i++)
        {
            time.Advance(options.AcknowledgementTimeout / 2);
            window.CloudAcknowledged(window.Sent);
            Assert.Equal(Range(11 + (10 * i), 20 + (10 * i)), Send());
        }

        time.Advance(options.AcknowledgementTimeout / 2);
        Assert.Empty(window.Next().Batch);
    }

    [Fact]
    public void Reconnected_ReplaysEverythingUnacknowledged_InOrder_ThenLiveSamples()
    {
        queue.Enqueue(Samples(20));
        Send();
        Send();
        window.CloudAcknowledged(7);
        window.Next();

        window.Reconnected();
        queue.Enqueue(Samples(5));

        Assert.Equal(Range(8, 17), Send());
        time.Advance(options.MaxBatchAge);
        Assert.Equal(Range(18, 25), Send());
    }

    [Fact]
    public void Published_BrokerAcknowledgement_DeletesAtOnce()
    {
        options.Acknowledgement = Acknowledgement.Broker;
        queue.Enqueue(Samples(15));

        Send();

        Assert.Equal(10ul, window.Acknowledged);
        Assert.Equal(Range(11, 15), queue.Peek(100).Select(s => s.Sequence));
        window.Reconnected();
        time.Advance(options.MaxBatchAge);
        Assert.Equal(Range(11, 15), Send());
    }

    [Fact]
    public void Refused_DeletesTheBatch_CountsItDropped()
    {
        queue.Enqueue(Samples(15));
        var batch = window.Next().Batch;

        var dropped = EdgeTestMetrics.Sum("domio.edge.queue.dropped", () => window.Refused(batch[^1].Sequence));

        Assert.Equal(10, dropped);
        Assert.Equal(5, queue.Count);
    }

    [Fact]
    public void Reopen_AfterCrash_ResendsFromTheOldestUnacknowledged()
    {
        queue.Enqueue(Samples(20));
        Send();
        Send();
        window.CloudAcknowledged(12);
        window.Next();

        // A new process: the queue on disk, a new window that knows nothing.
        using var reopened = new SampleQueue(Path.Combine(folder, "queue.db"), new QueueOptions(), time, EdgeTestMetrics.Create(time));
        var fresh = new InFlightWindow(reopened, options, time, EdgeTestMetrics.Create(time));
        time.Advance(options.MaxBatchAge);

        // An acknowledgement the old process was owed names samples this one has not published yet: ignored.
        Assert.False(fresh.CloudAcknowledged(20));
        Assert.Equal(Range(13, 20), fresh.Next().Batch.Select(s => s.Sequence));
    }

    [Fact]
    public void Next_DropOldestOverflowWhileInFlight_ContinuesAfterTheGap()
    {
        var oneSample = Google.Protobuf.MessageExtensions.ToByteArray(Samples(1)[0]).Length + 2;
        using var small = new SampleQueue(Path.Combine(folder, "small.db"), new QueueOptions { MaxBytes = oneSample * 20, Overflow = OverflowPolicy.DropOldest }, time, EdgeTestMetrics.Create(time));
        var bounded = new InFlightWindow(small, options, time, EdgeTestMetrics.Create(time));
        small.Enqueue(Samples(20));
        bounded.Published(bounded.Next().Batch[^1].Sequence);

        // The cloud is away; the queue overflows and deletes the oldest, including samples in flight.
        small.Enqueue(Samples(15));
        time.Advance(options.AcknowledgementTimeout);

        var replay = bounded.Next().Batch.Select(s => s.Sequence).ToList();
        Assert.Equal(small.Peek(1).Single().Sequence, replay[0]);
        Assert.True(replay[0] > 1);
        Assert.Equal(Enumerable.Range((int)replay[0], 10).Select(i => (ulong)i), replay);
    }

    private static IEnumerable<ulong> Range(int first, int last) => Enumerable.Range(first, last - first + 1).Select(i => (ulong)i);

    /// <summary>Takes the next batch and reports it taken by the broker, as the publisher does.</summary>
    private List<ulong> Send()
    {
        var batch = window.Next().Batch;
        Assert.NotEmpty(batch);
        window.Publishing(batch[^1].Sequence);
        window.Published(batch[^1].Sequence);
        return [.. batch.Select(s => s.Sequence)];
    }

    private List<Sample> Samples(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Sample { Machine = "saw-01", Signal = Signal.PieceCounter, TimestampMs = time.GetUtcNow().ToUnixTimeMilliseconds(), Number = i })];
}

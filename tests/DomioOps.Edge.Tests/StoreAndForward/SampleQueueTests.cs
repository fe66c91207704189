using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Edge.Tests.StoreAndForward;

public sealed class SampleQueueTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-queue-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private string QueuePath => Path.Combine(_folder, "queue.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Enqueue_AssignsIncreasingSequences_PeekReturnsOldestFirst()
    {
        using var queue = Open();
        queue.Enqueue(Samples(3, first: 10));
        queue.Enqueue(Samples(2, first: 20));

        var peeked = queue.Peek(10);

        Assert.Equal([1ul, 2, 3, 4, 5], peeked.Select(s => s.Sequence));
        Assert.Equal([10d, 11, 12, 20, 21], peeked.Select(s => s.Number));
        Assert.Equal(5, queue.Count);
        Assert.Equal([1ul, 2], queue.Peek(2).Select(s => s.Sequence));
    }

    [Fact]
    public void Enqueue_ReadsLargerThanOneInsert_EverySampleStoredInOrder()
    {
        // Rows are inserted 50 to a statement: 123 and 50 samples cross and meet that boundary.
        using var queue = Open();
        Assert.Equal(123, queue.Enqueue(Samples(123)));
        Assert.Equal(50, queue.Enqueue(Samples(50, first: 1000)));

        var peeked = queue.Peek(1000);

        Assert.Equal(Enumerable.Range(1, 173).Select(i => (ulong)i), peeked.Select(s => s.Sequence));
        Assert.Equal(Enumerable.Range(0, 123).Concat(Enumerable.Range(1000, 50)).Select(i => (double)i), peeked.Select(s => s.Number));
        Assert.Equal(173, queue.Count);
        Assert.Equal(173ul, queue.LastSequence);
    }

    [Fact]
    public void Acknowledge_RemovesUpToTheSequence_KeepsTheRest()
    {
        using var queue = Open();
        queue.Enqueue(Samples(5));
        var bytesBefore = queue.Bytes;

        queue.Acknowledge(3);

        Assert.Equal([4ul, 5], queue.Peek(10).Select(s => s.Sequence));
        Assert.Equal(2, queue.Count);
        Assert.True(queue.Bytes < bytesBefore && queue.Bytes > 0);
    }

    [Fact]
    public void Reopen_UnacknowledgedSamples_AreReplayedInOrder()
    {
        using (var queue = Open())
        {
            queue.Enqueue(Samples(4));
            queue.Acknowledge(1);
        }

        using var reopened = Open();

        Assert.Equal([2ul, 3, 4], reopened.Peek(10).Select(s => s.Sequence));
        Assert.Equal(3, reopened.Count);
    }

    [Fact]
    public void Reopen_AfterEverythingAcknowledged_SequenceNeverRepeats()
    {
        using (var queue = Open())
        {
            queue.Enqueue(Samples(3));
            queue.Acknowledge(3);
            Assert.Equal(0, queue.Count);
        }

        using var reopened = Open();
        reopened.Enqueue(Samples(1));

        Assert.Equal(4ul, reopened.Peek(1).Single().Sequence);
    }

    [Fact]
    public void Enqueue_OverBoundWithDropOldest_DeletesOldestAndCountsThem()
    {
        var oneSample = SampleSize();
        using var queue = Open(new QueueOptions { MaxBytes = oneSample * 10, Overflow = OverflowPolicy.DropOldest });
        queue.Enqueue(Samples(10));

        var dropped = EdgeTestMetrics.Sum("domio.edge.queue.dropped", () => queue.Enqueue(Samples(3, first: 100)));

        Assert.Equal(3, dropped);
        var left = queue.Peek(100);
        Assert.Equal(Enumerable.Range(4, 10).Select(i => (ulong)i), left.Select(s => s.Sequence));
        Assert.True(queue.Bytes <= oneSample * 10);
    }

    [Fact]
    public void Enqueue_OverBoundWithDropNewest_RefusesNewAndKeepsOldest()
    {
        var oneSample = SampleSize();
        using var queue = Open(new QueueOptions { MaxBytes = oneSample * 10, Overflow = OverflowPolicy.DropNewest });
        Assert.Equal(10, queue.Enqueue(Samples(10)));

        long stored = 0;
        var dropped = EdgeTestMetrics.Sum("domio.edge.queue.dropped", () => stored = queue.Enqueue(Samples(3)));

        Assert.Equal(0, stored);
        Assert.Equal(3, dropped);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), queue.Peek(100).Select(s => s.Sequence));

        // Once the cloud has taken some, there is room again, and sequences continue without a gap.
        queue.Acknowledge(5);
        Assert.Equal(3, queue.Enqueue(Samples(3)));
        Assert.Equal([6ul, 7, 8, 9, 10, 11, 12, 13], queue.Peek(100).Select(s => s.Sequence));
    }

    [Fact]
    public void OldestEnqueued_FollowsTheOldestUnacknowledgedSample()
    {
        using var queue = Open();
        Assert.Null(queue.OldestEnqueued);
        var first = _time.GetUtcNow();
        queue.Enqueue(Samples(1));
        _time.Advance(TimeSpan.FromSeconds(5));
        queue.Enqueue(Samples(1));

        Assert.Equal(first, queue.OldestEnqueued);
        queue.Acknowledge(1);
        Assert.Equal(first.AddSeconds(5), queue.OldestEnqueued);
    }

    [Fact]
    public async Task WaitForSamples_CompletesWhenSomethingIsEnqueued()
    {
        using var queue = Open();
        var waiting = queue.WaitForSamplesAsync(TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);

        queue.Enqueue(Samples(1));

        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private SampleQueue Open(QueueOptions? options = null) =>
        new(QueuePath, options ?? new QueueOptions(), _time, EdgeTestMetrics.Create(_time));

    private List<Sample> Samples(int count, int first = 0) =>
        [.. Enumerable.Range(first, count).Select(i => new Sample { Machine = "saw-01", Signal = Signal.PieceCounter, TimestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds(), Number = i })];

    private long SampleSize()
    {
        var sample = Samples(1, first: 100)[0];
        sample.Sequence = 10;
        return Google.Protobuf.MessageExtensions.ToByteArray(sample).Length;
    }
}

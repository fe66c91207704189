namespace DomioOps.Edge.StoreAndForward;

/// <summary>The durable queue's bound and what happens when it is reached.</summary>
public sealed class QueueOptions
{
    /// <summary>Upper bound of queued sample bytes.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    public OverflowPolicy Overflow { get; set; } = OverflowPolicy.DropOldest;
}

/// <summary>What a full queue does with one more sample; every drop is counted in <c>domio.edge.queue.dropped</c>.</summary>
public enum OverflowPolicy
{
    /// <summary>Keep the newest data: the oldest samples are deleted (the cloud sees a sequence gap).</summary>
    DropOldest,

    /// <summary>Keep the oldest data: new samples are refused until the backlog drains.</summary>
    DropNewest,
}

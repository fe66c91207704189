using DomioOps.Cloud.Ingestion;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// The machine feed inside one silo, for its live pages: a page subscribes while it is open and hears every machine and
/// edge change the silo's <see cref="MachineFeed"/> receives. Handlers run on the feed's thread: a page hands the change
/// to its own renderer (<c>InvokeAsync</c>) and returns.
/// </summary>
internal sealed class MachineChanges
{
    private readonly Lock gate = new();
    // Replaced whole on every change, so publishing reads it without a lock.
    private volatile Subscriber[] subscribers = [];

    public IDisposable Subscribe(Action<MachineSnapshot>? machineChanged, Action<EdgeSnapshot>? edgeChanged = null)
    {
        var subscriber = new Subscriber(this, machineChanged, edgeChanged);
        lock (gate)
        {
            subscribers = [.. subscribers, subscriber];
        }

        return subscriber;
    }

    public void Publish(MachineSnapshot machine)
    {
        foreach (var subscriber in subscribers)
        {
            subscriber.MachineChanged?.Invoke(machine);
        }
    }

    public void Publish(EdgeSnapshot edge)
    {
        foreach (var subscriber in subscribers)
        {
            subscriber.EdgeChanged?.Invoke(edge);
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (gate)
        {
            subscribers = [.. subscribers.Where(s => s != subscriber)];
        }
    }

    private sealed class Subscriber(MachineChanges owner, Action<MachineSnapshot>? machineChanged, Action<EdgeSnapshot>? edgeChanged) : IDisposable
    {
        public Action<MachineSnapshot>? MachineChanged { get; } = machineChanged;

        public Action<EdgeSnapshot>? EdgeChanged { get; } = edgeChanged;

        public void Dispose() => owner.Remove(this);
    }
}

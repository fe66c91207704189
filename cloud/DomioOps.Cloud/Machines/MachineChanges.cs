using System.Globalization;

using DomioOps.Cloud.Ingestion;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// The machine feed inside one silo, for its live pages: a page subscribes while it is open and hears every machine and
/// edge change the silo's <see cref="MachineFeed"/> receives. Handlers run on the feed's thread: a page hands the change
/// to its own renderer (<c>InvokeAsync</c>) and returns. They run in the culture their page subscribed in (the feed's
/// thread has the process's), which <c>InvokeAsync</c> carries to the rendering: a live update keeps the page's language.
/// </summary>
internal sealed class MachineChanges
{
    private readonly Lock _gate = new();
    // Replaced whole on every change, so publishing reads it without a lock.
    private volatile Subscriber[] _subscribers = [];

    public IDisposable Subscribe(Action<MachineSnapshot>? machineChanged, Action<EdgeSnapshot>? edgeChanged = null)
    {
        var subscriber = new Subscriber(this, machineChanged, edgeChanged, CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
        }

        return subscriber;
    }

    public void Publish(MachineSnapshot machine)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Deliver(subscriber.MachineChanged, machine);
        }
    }

    public void Publish(EdgeSnapshot edge)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Deliver(subscriber.EdgeChanged, edge);
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscriber)];
        }
    }

    private sealed class Subscriber(
        MachineChanges owner,
        Action<MachineSnapshot>? machineChanged,
        Action<EdgeSnapshot>? edgeChanged,
        CultureInfo culture,
        CultureInfo uiCulture) : IDisposable
    {
        public Action<MachineSnapshot>? MachineChanged { get; } = machineChanged;

        public Action<EdgeSnapshot>? EdgeChanged { get; } = edgeChanged;

        /// <summary>Calls <paramref name="handler"/> in the subscriber's culture, and puts the thread's back.</summary>
        public void Deliver<T>(Action<T>? handler, T change)
        {
            if (handler is null)
            {
                return;
            }

            var (threadCulture, threadUiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            try
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
                handler(change);
            }
            finally
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (threadCulture, threadUiCulture);
            }
        }

        public void Dispose() => owner.Remove(this);
    }
}

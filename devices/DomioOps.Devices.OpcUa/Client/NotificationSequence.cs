using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>
/// Puts the NotificationMessages of one subscription back into SequenceNumber order before they are delivered
/// (OPC 10000-4 §5.13.1.1, §7.25): a server numbers its messages 1, 2, 3, ... (wrapping from UInt32.MaxValue to 1), but
/// several Publish requests are outstanding and their responses can be handled out of order. A message that is not the
/// next one is held until the gap fills — by a late response or by Republish — or, after <see cref="GapTimeout"/>, the
/// missing sequence numbers are declared lost (counted in <c>opcua.client.notification_messages.lost</c>) and delivery
/// goes on with the next held message. A keep-alive carries the sequence number of the next message without consuming
/// it, so it can reveal a gap but is never delivered. A sequence number already delivered or held is a duplicate.
/// </summary>
/// <remarks>
/// Owner of the state is the lock inside; <see cref="Offer"/> may be called from any thread and delivers on the caller's
/// thread, one message at a time, in order.
/// </remarks>
internal sealed class NotificationSequence : IDisposable
{
    /// <summary>Held messages beyond this are not waited for any longer: the gap before them is declared lost at once.</summary>
    internal const int MaxHeld = 1000;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Action<NotificationMessage> _deliver;
    private readonly Dictionary<uint, NotificationMessage> _held = [];
    private ITimer? _timer;
    private bool _timerArmed;
    private DateTimeOffset _deadline;
    private uint _next = 1;
    private uint _horizon = 1;
    private bool _recovering;
    private bool _disposed;

    /// <param name="time">The clock of the gap timeout.</param>
    /// <param name="gapTimeout">How long a gap is waited for before Republish is tried and what is still missing is declared lost.</param>
    /// <param name="deliver">Called for each message in order, under the sequence's lock.</param>
    public NotificationSequence(TimeProvider time, TimeSpan gapTimeout, Action<NotificationMessage> deliver)
    {
        _time = time;
        GapTimeout = gapTimeout;
        _deliver = deliver;
    }

    public TimeSpan GapTimeout { get; }

    /// <summary>
    /// Tried when a gap has lasted <see cref="GapTimeout"/>: fetches the missing sequence numbers (Republish) and offers
    /// them; whatever it could not fetch is declared lost when its task ends. Null: declare lost at once.
    /// </summary>
    public Func<IReadOnlyList<uint>, Task>? Recover { get; init; }

    /// <summary>Whether a gap may be given up now (false while the connection is down: the reconnect transfers and republishes).</summary>
    public Func<bool>? CanGiveUp { get; init; }

    /// <summary>Called with the first lost sequence number and how many were lost, under the lock.</summary>
    public Action<uint, long>? Lost { get; init; }

    /// <summary>The sequence number of the next message to deliver.</summary>
    public uint Next
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    /// <summary>Messages declared lost.</summary>
    public long LostCount { get; private set; }

    /// <summary>Messages dropped because they were delivered or held already.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Messages that came ahead of their turn (another response overtook the one before them) and were held.</summary>
    public long Overtaken { get; private set; }

    public int HeldCount
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>
    /// Takes a message: delivers it (and any held ones that follow) when it is the next, holds it when it is ahead,
    /// drops it when it is a duplicate; a keep-alive (no NotificationData) only moves the horizon. Returns whether the
    /// message was new (delivered or held).
    /// </summary>
    public bool Offer(NotificationMessage message)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            var sequence = message.SequenceNumber;
            if (message.NotificationData.Count == 0)
            {
                // §5.13.1.1: a keep-alive's sequence number is that of the next message, not consumed.
                if (IsAhead(sequence, _horizon))
                {
                    _horizon = sequence;
                }

                ArmIfGap();
                return false;
            }

            if (sequence == _next)
            {
                _deliver(message);
                AdvanceLocked();
                return true;
            }

            if (!IsAhead(sequence, _next) || _held.ContainsKey(sequence))
            {
                Duplicates++;
                return false;
            }

            _held[sequence] = message;
            Overtaken++;
            if (IsAhead(Following(sequence), _horizon))
            {
                _horizon = Following(sequence);
            }

            if (_held.Count > MaxHeld)
            {
                GiveUpGapLocked();
            }
            else
            {
                ArmIfGap();
            }

            return true;
        }
    }

    /// <summary>Reads and delivers a message from a receive buffer (the reader stands at its NotificationData).</summary>
    internal delegate void InPlaceDelivery(ref UaBinaryReader reader, int count);

    /// <summary>
    /// Delivers the message at <paramref name="reader"/> straight from the buffer when <paramref name="sequence"/> is the
    /// next one (then any held ones that follow); false otherwise, and nothing was read: the caller decodes it and <see cref="Offer"/>s it.
    /// </summary>
    public bool TryDeliverInPlace(uint sequence, ref UaBinaryReader reader, int count, InPlaceDelivery deliver)
    {
        lock (_gate)
        {
            if (_disposed || sequence != _next)
            {
                return false;
            }

            deliver(ref reader, count);
            AdvanceLocked();
            return true;
        }
    }

    /// <summary>Whether a message with this sequence number was delivered or is held (Republish need not fetch it).</summary>
    public bool Has(uint sequence)
    {
        lock (_gate)
        {
            return IsAhead(_next, sequence) || _held.ContainsKey(sequence);
        }
    }

    /// <summary>The sequence numbers between the next and the horizon that are neither delivered nor held (at most <paramref name="max"/>).</summary>
    public IReadOnlyList<uint> Missing(int max = 100)
    {
        lock (_gate)
        {
            return MissingLocked(max);
        }
    }

    /// <summary>A new subscription on the server: its first message is 1 (§5.13.1.1); what was held belongs to the old one.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _next = 1;
            _horizon = 1;
            _held.Clear();
            _recovering = false;
            Disarm();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _held.Clear();
            _timer?.Dispose();
            _timer = null;
        }
    }

    private List<uint> MissingLocked(int max)
    {
        List<uint> missing = [];
        for (var s = _next; s != _horizon && missing.Count < max; s = Following(s))
        {
            if (!_held.ContainsKey(s))
            {
                missing.Add(s);
            }
        }

        return missing;
    }

    private void AdvanceLocked()
    {
        _next = Following(_next);
        if (IsAhead(_next, _horizon))
        {
            _horizon = _next;
        }

        while (_held.Remove(_next, out var held))
        {
            _deliver(held);
            _next = Following(_next);
        }

        if (_next == _horizon)
        {
            Disarm();
        }
    }

    private void ArmIfGap()
    {
        if (_next == _horizon || _recovering)
        {
            return;
        }

        // The wait starts when the gap is first seen; a later arrival does not extend it.
        if (!_timerArmed)
        {
            _deadline = _time.GetUtcNow() + GapTimeout;
        }

        if (_timer is null)
        {
            _timer = _time.CreateTimer(static state => ((NotificationSequence)state!).OnGapTimeout(), this, GapTimeout, Timeout.InfiniteTimeSpan);
            _timerArmed = true;
        }
        else if (!_timerArmed)
        {
            _timer.Change(GapTimeout, Timeout.InfiniteTimeSpan);
            _timerArmed = true;
        }
    }

    private void Disarm()
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timerArmed = false;
    }

    private void OnGapTimeout()
    {
        IReadOnlyList<uint> missing;
        Func<IReadOnlyList<uint>, Task>? recover;
        lock (_gate)
        {
            if (_disposed || _next == _horizon || !_timerArmed)
            {
                return;
            }

            var early = _deadline - _time.GetUtcNow();
            if (early > TimeSpan.Zero)
            {
                // A callback of an earlier arming: wait out the current deadline.
                _timer?.Change(early, Timeout.InfiniteTimeSpan);
                return;
            }

            _timerArmed = false;

            if (CanGiveUp is not null && !CanGiveUp())
            {
                ArmIfGap();
                return;
            }

            recover = Recover;
            if (recover is null)
            {
                GiveUpGapLocked();
                return;
            }

            missing = MissingLocked(100);
            _recovering = true;
        }

        _ = RecoverThenGiveUpAsync(recover, missing);
    }

    private async Task RecoverThenGiveUpAsync(Func<IReadOnlyList<uint>, Task> recover, IReadOnlyList<uint> missing)
    {
        try
        {
            await recover(missing).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpcUaException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // What Republish could not fetch is lost; that is decided below.
        }

        lock (_gate)
        {
            _recovering = false;
            if (!_disposed)
            {
                GiveUpGapLocked();
            }
        }
    }

    /// <summary>Declares the sequence numbers before the first held message (or before the horizon) lost and delivers on.</summary>
    private void GiveUpGapLocked()
    {
        if (_next == _horizon)
        {
            return;
        }

        var target = _horizon;
        foreach (var held in _held.Keys)
        {
            if (IsAhead(target, held))
            {
                target = held;
            }
        }

        var lost = Distance(_next, target);
        if (lost > 0)
        {
            LostCount += lost;
            OpcUaMetrics.NotificationMessagesLost.Add(lost);
            Lost?.Invoke(_next, lost);
        }

        _next = target;
        while (_held.Remove(_next, out var held))
        {
            _deliver(held);
            _next = Following(_next);
        }

        ArmIfGap();
    }

    /// <summary>The sequence number after <paramref name="sequence"/> (see <see cref="NotificationMessage.Following"/>).</summary>
    internal static uint Following(uint sequence) => NotificationMessage.Following(sequence);

    /// <summary>Steps from <paramref name="from"/> to <paramref name="to"/> in the rolling sequence 1..UInt32.MaxValue.</summary>
    internal static long Distance(uint from, uint to) => to >= from ? to - from : (long)uint.MaxValue - from + to;

    /// <summary>Whether <paramref name="sequence"/> lies ahead of <paramref name="reference"/> (within half the number space).</summary>
    internal static bool IsAhead(uint sequence, uint reference)
    {
        var d = Distance(reference, sequence);
        return d > 0 && d < int.MaxValue;
    }
}

using System.Diagnostics.Metrics;

using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Encoding;
using DomioOps.Devices.OpcUa.Services;

using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>
/// NotificationMessages are delivered in SequenceNumber order (OPC 10000-4 §5.13.1.1) although Publish responses can
/// arrive out of order: held back until the gap fills, given up after the gap timeout, once each.
/// </summary>
public sealed class NotificationSequenceTests : IDisposable
{
    private static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new();
    private readonly List<uint> _delivered = [];
    private readonly NotificationSequence _sequence;

    public NotificationSequenceTests() => _sequence = new NotificationSequence(_time, GapTimeout, m => _delivered.Add(m.SequenceNumber));

    public void Dispose() => _sequence.Dispose();

    private static NotificationMessage Data(uint sequence) =>
        new(sequence, DateTime.UnixEpoch, [new ExtensionObject(new NodeId(0, BinaryEncodingIds.DataChangeNotification_Encoding_DefaultBinary), new DataChangeNotification([]))]);

    private static NotificationMessage KeepAlive(uint next) => new(next, DateTime.UnixEpoch, []);

    [Fact]
    public void Offer_OutOfOrder1324_Delivers1234()
    {
        foreach (var s in new uint[] { 1, 3, 2, 4 })
        {
            _sequence.Offer(Data(s));
        }

        Assert.Equal([1u, 2, 3, 4], _delivered);
        Assert.Equal(5u, _sequence.Next);
        Assert.Equal(0, _sequence.HeldCount);
        Assert.Equal(0, _sequence.LostCount);
    }

    [Fact]
    public void Offer_HeldMessage_WaitsUntilTheGapFills()
    {
        _sequence.Offer(Data(1));
        _sequence.Offer(Data(3));
        _sequence.Offer(Data(4));

        Assert.Equal([1u], _delivered);
        Assert.Equal([2u], _sequence.Missing());
        Assert.True(_sequence.Has(1));
        Assert.False(_sequence.Has(2));
        Assert.True(_sequence.Has(3));
        Assert.False(_sequence.Has(5));
        _time.Advance(GapTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal([1u], _delivered);

        _sequence.Offer(Data(2));
        Assert.Equal([1u, 2, 3, 4], _delivered);
        _time.Advance(GapTimeout);
        Assert.Equal(0, _sequence.LostCount);
    }

    [Fact]
    public void Offer_GapNeverFilled_DeliversAfterTheGapTimeoutAndCountsTheLoss()
    {
        long metered = 0;
        using MeterListener listener = new();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OpcUaMetrics.MeterName && instrument.Name == "opcua.client.notification_messages.lost")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref metered, value));
        listener.Start();

        _sequence.Offer(Data(1));
        _sequence.Offer(Data(4));
        _sequence.Offer(Data(5));
        Assert.Equal([1u], _delivered);
        Assert.Equal([2u, 3], _sequence.Missing());

        _time.Advance(GapTimeout);

        Assert.Equal([1u, 4, 5], _delivered);
        Assert.Equal(2, _sequence.LostCount);
        Assert.True(Interlocked.Read(ref metered) >= 2, "the Meter counts the lost messages");
        Assert.Equal(6u, _sequence.Next);

        // A lost message that turns up late is not delivered behind its successors.
        _sequence.Offer(Data(2));
        Assert.Equal([1u, 4, 5], _delivered);
    }

    [Fact]
    public void Offer_SameSequenceTwice_DeliversOnce()
    {
        _sequence.Offer(Data(1));
        _sequence.Offer(Data(1));
        _sequence.Offer(Data(3));
        _sequence.Offer(Data(3));
        _sequence.Offer(Data(2));
        _sequence.Offer(Data(2));

        Assert.Equal([1u, 2, 3], _delivered);
        Assert.Equal(3, _sequence.Duplicates);
    }

    [Fact]
    public void Offer_KeepAlive_CarriesTheNextSequenceNumberWithoutConsumingIt()
    {
        _sequence.Offer(KeepAlive(1));
        _sequence.Offer(Data(1));
        _sequence.Offer(KeepAlive(2));
        _sequence.Offer(Data(2));
        _time.Advance(GapTimeout);

        Assert.Equal([1u, 2], _delivered);
        Assert.Equal(0, _sequence.LostCount);
    }

    [Fact]
    public void Offer_KeepAliveAheadOfTheLastMessage_RevealsTheGapAndDeclaresItLost()
    {
        _sequence.Offer(Data(1));
        _sequence.Offer(KeepAlive(3));
        Assert.Equal([2u], _sequence.Missing());

        _time.Advance(GapTimeout);
        _sequence.Offer(Data(3));

        Assert.Equal([1u, 3], _delivered);
        Assert.Equal(1, _sequence.LostCount);
    }

    [Fact]
    public void Offer_WhileTheConnectionIsDown_KeepsWaitingForTheTransfer()
    {
        var connected = false;
        using NotificationSequence sequence = new(_time, GapTimeout, m => _delivered.Add(m.SequenceNumber)) { CanGiveUp = () => connected };
        sequence.Offer(Data(1));
        sequence.Offer(Data(3));

        _time.Advance(GapTimeout * 3);
        Assert.Equal([1u], _delivered);

        sequence.Offer(Data(2));
        Assert.Equal([1u, 2, 3], _delivered);
        Assert.Equal(0, sequence.LostCount);
    }

    [Fact]
    public async Task Offer_GapTimeout_TriesRecoverFirstAndDeliversWhatItFetched()
    {
        TaskCompletionSource recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        List<uint> asked = [];
        NotificationSequence? sequence = null;
        sequence = new(_time, GapTimeout, m => _delivered.Add(m.SequenceNumber))
        {
            Recover = missing =>
            {
                asked.AddRange(missing);
                sequence!.Offer(Data(2));
                recovered.SetResult();
                return Task.CompletedTask;
            },
        };
        using (sequence)
        {
            sequence.Offer(Data(1));
            sequence.Offer(Data(4));

            _time.Advance(GapTimeout);
            await recovered.Task.WaitAsync(TestContext.Current.CancellationToken);

            Assert.Equal([2u, 3], asked);
            Assert.Equal([1u, 2, 4], _delivered);
            Assert.Equal(1, sequence.LostCount);
        }
    }

    [Fact]
    public void Following_Rollover_GoesFromUInt32MaxToOne()
    {
        Assert.Equal(1u, NotificationSequence.Following(uint.MaxValue));
        Assert.True(NotificationSequence.IsAhead(1, uint.MaxValue));
        Assert.False(NotificationSequence.IsAhead(uint.MaxValue, 1));
        Assert.Equal(2, NotificationSequence.Distance(uint.MaxValue, 2));
    }

    [Fact]
    public void Reset_NewSubscription_StartsAgainAtOne()
    {
        _sequence.Offer(Data(1));
        _sequence.Offer(Data(2));
        _sequence.Offer(Data(5));

        _sequence.Reset();
        _sequence.Offer(Data(1));

        Assert.Equal([1u, 2, 1], _delivered);
        Assert.Equal(0, _sequence.HeldCount);
    }
}

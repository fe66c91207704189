using System.Threading.Channels;

using DomioOps.Cloud.Ingestion;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using MQTTnet;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// The <c>cmd/ack</c> pace: a commit after a quiet spell is acknowledged at once, the commits within the interval after
/// a flush leave together in one message per edge, and a failed publish is tried again later, not lost.
/// </summary>
public sealed class EdgeCommandsTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    private readonly CountingTime _time = new();
    private readonly EdgeCommands _commands;
    private readonly Channel<TelemetryAck> _sent = Channel.CreateUnbounded<TelemetryAck>();
    private bool _brokerDown;

    public EdgeCommandsTests()
    {
        var options = Options.Create(new IngestionOptions { AcknowledgementInterval = Interval });
        _commands = new EdgeCommands(options, new EdgeConfigurationKey(Options.Create(new BrokerOptions()), NullLogger<EdgeConfigurationKey>.Instance), _time, NullLogger<EdgeCommands>.Instance);
        _commands.Attach(PublishAsync, end: null);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (_brokerDown)
        {
            throw new InvalidOperationException("the broker is down");
        }

        _sent.Writer.TryWrite(TelemetryAck.Parser.ParseFrom(message.Payload));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Acknowledge_AfterAQuietSpell_LeavesAtOnce()
    {
        await _commands.StartAsync(Ct);

        _commands.Acknowledge("plant-1", "edge-1", 5);

        // No time passes on the fake clock: only the first flush can send it.
        var ack = await _sent.Reader.ReadAsync(Ct);
        Assert.Equal(("edge-1", 5ul), (ack.Edge, ack.Sequence));
    }

    [Fact]
    public async Task Acknowledge_WithinTheInterval_CoalescedIntoOneMessagePerEdge()
    {
        await _commands.StartAsync(Ct);
        _commands.Acknowledge("plant-1", "edge-1", 5);
        await _sent.Reader.ReadAsync(Ct);
        await WaitForTheIntervalTimerAsync();

        _commands.Acknowledge("plant-1", "edge-1", 6);
        _commands.Acknowledge("plant-1", "edge-2", 40);
        _commands.Acknowledge("plant-1", "edge-1", 8);
        _commands.Acknowledge("plant-1", "edge-1", 7);
        await Task.Delay(50, Ct);
        Assert.False(_sent.Reader.TryRead(out _), "sent before the interval ended");

        _time.Advance(Interval);
        var acks = new[] { await _sent.Reader.ReadAsync(Ct), await _sent.Reader.ReadAsync(Ct) };
        Assert.Equal([("edge-1", 8ul), ("edge-2", 40ul)], acks.Select(a => (a.Edge, a.Sequence)).Order());
        await Task.Delay(50, Ct);
        Assert.False(_sent.Reader.TryRead(out _), "more than one message per edge");
    }

    [Fact]
    public async Task Acknowledge_PublishFails_SentWhenTheBrokerIsBack()
    {
        _brokerDown = true;
        await _commands.StartAsync(Ct);
        _commands.Acknowledge("plant-1", "edge-1", 5);
        await WaitForTheIntervalTimerAsync();

        _brokerDown = false;
        _commands.Acknowledge("plant-1", "edge-1", 6);
        _time.Advance(TimeSpan.FromSeconds(1));

        var ack = await _sent.Reader.ReadAsync(Ct);
        Assert.Equal(("edge-1", 6ul), (ack.Edge, ack.Sequence));
    }

    /// <summary>Until the flush loop has sent what it had and sleeps on the fake clock (the only timer it makes).</summary>
    private async Task WaitForTheIntervalTimerAsync()
    {
        while (Volatile.Read(ref _time.Timers) == 0)
        {
            await Task.Delay(5, Ct);
        }
    }

    private sealed class CountingTime : FakeTimeProvider
    {
        public int Timers;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref Timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _commands.StopAsync(CancellationToken.None);
        _commands.Dispose();
    }
}

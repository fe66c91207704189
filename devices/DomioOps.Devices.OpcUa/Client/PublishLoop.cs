using System.Collections.Concurrent;
using System.Diagnostics;

using DomioOps.Devices.OpcUa.Services;
using DomioOps.Devices.OpcUa.Transport;

namespace DomioOps.Devices.OpcUa.Client;

/// <summary>
/// The Publish requests of a client's session (OPC 10000-4 §5.13.5): <see cref="OpcUaClientOptions.PublishRequests"/>
/// loops on one channel, each keeping one Publish request outstanding, so that the server always has one to answer
/// with. Acknowledgements of received NotificationMessages ride on the next request. The values of a response are
/// delivered on the receive loop as it is read (<see cref="OpcUaClient.ReadPublishResponse"/>); a response that had to
/// be decoded in full is delivered here. Owned by its <see cref="OpcUaClient"/>; started again on each new channel.
/// </summary>
internal sealed class PublishLoop(OpcUaClient client, TimeProvider time) : IDisposable
{
    private const int MaxAcknowledgementsPerRequest = 100;

    private readonly ConcurrentQueue<SubscriptionAcknowledgement> _acks = new();
    private readonly Lock _gate = new();
    private CancellationTokenSource? _stop;
    private int _running;

    /// <summary>Acknowledges a NotificationMessage with the next Publish request.</summary>
    public void Acknowledge(uint subscriptionId, uint sequenceNumber) => _acks.Enqueue(new SubscriptionAcknowledgement(subscriptionId, sequenceNumber));

    /// <summary>
    /// Starts the loops on <paramref name="channel"/> unless they already run; loops of an earlier channel are stopped.
    /// </summary>
    public void Restart(ClientSecureChannel channel, CancellationToken disposing)
    {
        CancellationTokenSource? old;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(disposing);
        lock (_gate)
        {
            if (_stop is not null && !_stop.IsCancellationRequested && Volatile.Read(ref _running) > 0)
            {
                stop.Dispose();
                return;
            }

            old = _stop;
            _stop = stop;
        }

        old?.Cancel();
        for (var i = 0; i < client.Options.PublishRequests; i++)
        {
            Interlocked.Increment(ref _running);
            _ = Task.Run(() => RunAsync(channel, stop.Token), CancellationToken.None);
        }
    }

    /// <summary>Stops the loops (the connection is lost; <see cref="Restart"/> follows on the new channel).</summary>
    public void Stop() => _stop?.Cancel();

    public void Dispose() => _stop?.Dispose();

    /// <summary>One outstanding Publish request at a time; acknowledgements ride on the next request.</summary>
    private async Task RunAsync(ClientSecureChannel channel, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested && !channel.Closed.IsCompleted)
            {
                List<SubscriptionAcknowledgement> acks = [];
                while (acks.Count < MaxAcknowledgementsPerRequest && _acks.TryDequeue(out var ack))
                {
                    acks.Add(ack);
                }

                var timeout = TimeSpan.FromMilliseconds(Math.Max(client.Options.RequestTimeout.TotalMilliseconds, client.LongestKeepAliveMs() * 2));
                IServiceResponse response;
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    response = await channel.RequestAsync<IServiceResponse>(new PublishRequest(client.SessionHeader(), acks), timeout, stop).ConfigureAwait(false);
                    OpcUaMetrics.PublishDuration.Record(OpcUaMetrics.ElapsedMs(started));
                }
                catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadNoSubscription || ex.StatusCode == StatusCode.BadTooManyPublishRequests)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), time, stop).ConfigureAwait(false);
                    continue;
                }
                catch (OpcUaException ex) when (ex.StatusCode == StatusCode.BadTimeout)
                {
                    continue;
                }
                catch (OpcUaException ex) when (OpcUaClient.IsSessionLost(ex.StatusCode))
                {
                    channel.Abort(ex);
                    return;
                }

                if (response is DeliveredPublishResponse delivered)
                {
                    // Delivered on the receive loop as it was read; only the acknowledgement is left.
                    if (delivered.HasNotifications)
                    {
                        Acknowledge(delivered.SubscriptionId, delivered.SequenceNumber);
                    }

                    continue;
                }

                if (response is not PublishResponse full || client.FindSubscription(full.SubscriptionId) is not { } subscription)
                {
                    continue;
                }

                if (full.NotificationMessage.NotificationData.Count > 0)
                {
                    Acknowledge(full.SubscriptionId, full.NotificationMessage.SequenceNumber);
                }

                subscription.Deliver(full.NotificationMessage);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (OpcUaException)
        {
            // The channel is gone or the session was lost; the reconnect path restarts publishing.
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

using DomioOps.Cloud.Ingestion;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.History;

/// <summary>
/// Copies committed samples to InfluxDB 1.x/2.x/3.x or VictoriaMetrics as line protocol over HTTP. Never in
/// the way of ingestion: <see cref="Offer"/> only enqueues; a bounded number of samples waits, beyond which
/// new ones are dropped and counted; a failed request is retried a bounded number of times, then dropped.
/// One point per sample: <c>{measurement},site=…,edge=…,machine=…,signal=… value=…|text="…" {ns}</c>.
/// </summary>
/// <remarks>Line protocol: https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/ (timestamps in nanoseconds, the default precision of both InfluxDB and VictoriaMetrics).</remarks>
internal sealed partial class LineProtocolSink : BackgroundService
{
    private static readonly MediaTypeHeaderValue TextPlain = new("text/plain") { CharSet = "utf-8" };

    private readonly LineProtocolOptions _options;
    private readonly HistoryMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<LineProtocolSink> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpClient? _http;
    private long _buffered;

    public LineProtocolSink(IOptions<HistoryOptions> options, HistoryMetrics metrics, TimeProvider time, ILogger<LineProtocolSink> logger)
    {
        this._options = options.Value.LineProtocol;
        this._metrics = metrics;
        this._time = time;
        this._logger = logger;
        if (this._options.Enabled)
        {
            _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = this._options.RequestTimeout };
        }
    }

    public bool Enabled => _http is not null;

    /// <summary>Samples waiting to be sent.</summary>
    public long Buffered => Interlocked.Read(ref _buffered);

    /// <summary>Queues <paramref name="samples"/> from index <paramref name="first"/> on, skipping those older than <paramref name="oldest"/>; returns at once.</summary>
    public void Offer(string edge, IReadOnlyList<EdgeSample> samples, int first = 0, DateTime oldest = default)
    {
        if (_http is null)
        {
            return;
        }

        var count = samples.Count - first;
        if (Interlocked.Add(ref _buffered, count) > _options.BufferCapacity)
        {
            Interlocked.Add(ref _buffered, -count);
            _metrics.SinkDropped(count, "buffer-full");
            LogBufferFull(edge, count, _options.BufferCapacity);
            return;
        }

        _queue.Writer.TryWrite(new Pending(edge, samples, first, oldest));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_http is null)
        {
            return;
        }

        var body = new StringBuilder(_options.BatchSize * 96);
        var reader = _queue.Reader;
        Pending? carry = null;
        try
        {
            while (carry is not null || await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Take what is queued, up to a batch: under load batches fill up, when idle a sample goes out at once.
                var points = 0;
                while (points < _options.BatchSize)
                {
                    var next = carry;
                    carry = null;
                    if (next is null && !reader.TryRead(out next))
                    {
                        break;
                    }

                    var room = _options.BatchSize - points;
                    var end = Math.Min(next.Samples.Count, next.First + room);
                    points += Format(body, next with { End = end });
                    Interlocked.Add(ref _buffered, -(end - next.First));
                    if (end < next.Samples.Count)
                    {
                        carry = next with { First = end };
                    }
                }

                if (points > 0)
                {
                    await SendAsync(body.ToString(), points, stoppingToken).ConfigureAwait(false);
                }

                body.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is lost, like a full buffer; PostgreSQL has it all.
        }
    }

    public override void Dispose()
    {
        _http?.Dispose();
        base.Dispose();
    }

    /// <summary>Appends the line-protocol points of <paramref name="pending"/>; returns how many.</summary>
    internal int Format(StringBuilder body, Pending pending)
    {
        var slash = pending.Edge.IndexOf('/', StringComparison.Ordinal);
        var (site, edge) = slash < 0 ? ("", pending.Edge) : (pending.Edge[..slash], pending.Edge[(slash + 1)..]);
        var points = 0;
        for (var i = pending.First; i < (pending.End ?? pending.Samples.Count); i++)
        {
            var (machine, sample) = (pending.Samples[i].Machine, pending.Samples[i].Sample);
            if (sample.Timestamp.UtcDateTime < pending.Oldest || (sample.Number is null && sample.Text is null))
            {
                continue;
            }

            AppendEscaped(body, _options.Measurement, measurement: true);
            body.Append(",site=");
            AppendEscaped(body, site);
            body.Append(",edge=");
            AppendEscaped(body, edge);
            body.Append(",machine=");
            AppendEscaped(body, machine);
            body.Append(",signal=").Append(sample.Signal.ToString());
            if (sample.Number is { } number)
            {
                body.Append(" value=").Append(number.ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                body.Append(" text=\"");
                foreach (var character in sample.Text!)
                {
                    if (character is '"' or '\\')
                    {
                        body.Append('\\');
                    }

                    body.Append(character);
                }

                body.Append('"');
            }

            var nanoseconds = (sample.Timestamp.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
            body.Append(' ').Append(nanoseconds.ToString(CultureInfo.InvariantCulture)).Append('\n');
            points++;
        }

        return points;
    }

    private async Task SendAsync(string body, int points, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new StringContent(body, TextPlain) };
                if (_options.Authorization is { Length: > 0 } authorization)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                using var response = await _http!.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    _metrics.SinkSent(points);
                    return;
                }

                _metrics.SinkFailed();
                var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                // A 4xx other than 429 will not get better by retrying: the points themselves are refused.
                if ((int)response.StatusCode is >= 400 and < 500 and not 429 || attempt >= _options.MaxAttempts)
                {
                    Drop(points, $"{(int)response.StatusCode} {detail}", attempt);
                    return;
                }

                LogRetrying(_options.Url!, (int)response.StatusCode, attempt);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                _metrics.SinkFailed();
                if (attempt >= _options.MaxAttempts)
                {
                    Drop(points, e.Message, attempt);
                    return;
                }

                LogRetryingAfterError(_options.Url!, e.Message, attempt);
            }

            await Task.Delay(_options.RetryDelay * attempt, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Drop(int points, string reason, int attempts)
    {
        _metrics.SinkDropped(points, "write-failed");
        LogDropped(points, _options.Url!, attempts, reason);
    }

    private static void AppendEscaped(StringBuilder body, string value, bool measurement = false)
    {
        foreach (var c in value)
        {
            if (c is ',' or ' ' || (!measurement && c == '='))
            {
                body.Append('\\');
            }

            body.Append(c);
        }
    }

    internal sealed record Pending(string Edge, IReadOnlyList<EdgeSample> Samples, int First, DateTime Oldest, int? End = null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Line-protocol buffer full ({Capacity} samples): dropped {Count} samples of edge {Edge}")]
    private partial void LogBufferFull(string edge, int count, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Line-protocol write to {Url} answered {Status} (attempt {Attempt}); retrying")]
    private partial void LogRetrying(Uri url, int status, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Line-protocol write to {Url} failed: {Error} (attempt {Attempt}); retrying")]
    private partial void LogRetryingAfterError(Uri url, string error, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped {Points} line-protocol points after {Attempts} attempts to write to {Url}: {Reason}")]
    private partial void LogDropped(int points, Uri url, int attempts, string reason);
}

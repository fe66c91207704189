using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

using DomioOps.Devices.Serial;
using DomioOps.Edge.Signals;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Reads one device that sends ASCII lines, over TCP or a serial port, on its own connection and loop: each line is
/// unframed (checksum), parsed by the field rules, and its values go through the tag engine into the durable queue.
/// A line longer than MaxLineLength, or with a wrong checksum, is dropped. No useful line for SilenceTimeout closes
/// the connection; it is reopened with back-off, alone.
/// </summary>
internal sealed class LineDeviceDriver
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly LineDeviceOptions _device;
    private readonly AcquisitionContext _context;
    private readonly LineParser _parser;
    private readonly TagReporter[] _reporters;
    private readonly string _endpoint;

    public LineDeviceDriver(LineDeviceOptions device, AcquisitionContext context)
    {
        (this._device, this._context) = (device, context);
        _parser = Parser(device);
        _reporters = [.. device.Fields.Select(f => new TagReporter(device.Machine, f))];
        _endpoint = device.Host is not null ? $"{device.Host}:{device.Port}" : device.SerialPort!;
    }

    /// <summary>Lines dropped (too long, wrong checksum, or no configured field in them).</summary>
    public long Dropped { get; private set; }

    /// <summary>Connections (or port openings) made.</summary>
    public int Connects { get; private set; }

    /// <summary>The parser of the device's line format and fields; a field's index is its index in <see cref="LineDeviceOptions.Fields"/>.</summary>
    internal static LineParser Parser(LineDeviceOptions device) => new(
        new LineFormat { Checksum = device.Checksum, PairSeparators = device.PairSeparators, KeyValueSeparator = device.KeyValueSeparator },
        [.. device.Fields.Select(f => new LineField(f.Key, f.Pattern, f.Group, f.Values))]);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await using var stream = await OpenAsync(cancellationToken);
                Connects++;
                using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var requests = _device.Request is null ? Task.CompletedTask : SendRequestsAsync(stream, session.Token);
                try
                {
                    await ReadLinesAsync(stream, () => backoff = TimeSpan.FromSeconds(1), cancellationToken);
                }
                finally
                {
                    await session.CancelAsync();
                    await requests.ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException or UnauthorizedAccessException or InvalidOperationException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                _context.Metrics.ReadFailed(_device.Machine);
                _context.Status.Report(_device.Machine, DeviceHealth.Failing, e.Message, _endpoint);
                await Task.Delay(backoff, _context.Time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (_device.Host is not null)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connect.CancelAfter(_device.SilenceTimeout);
                await socket.ConnectAsync(_device.Host, _device.Port, connect.Token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new TimeoutException($"No connection to {_endpoint} within {_device.SilenceTimeout}.");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        var port = new System.IO.Ports.SerialPort(_device.SerialPort!, _device.BaudRate, _device.Parity, _device.DataBits, _device.StopBits)
        {
            Handshake = System.IO.Ports.Handshake.None,
            ReadTimeout = System.IO.Ports.SerialPort.InfiniteTimeout,
            WriteTimeout = 2000,
        };
        try
        {
            port.Open();
            if (_device.RtsEnable)
            {
                port.RtsEnable = true;
            }

            if (_device.DtrEnable)
            {
                port.DtrEnable = true;
            }

            // Bytes sent while nobody listened are still queued: start from silence.
            port.DiscardInBuffer();
            return new SerialLineStream(port);
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }

    private async Task ReadLinesAsync(Stream stream, Action answered, CancellationToken cancellationToken)
    {
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        silence.CancelAfter(_device.SilenceTimeout);
        var discarding = false;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(silence.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"No line with a configured field from {_endpoint} within {_device.SilenceTimeout}.");
                }

                var buffer = result.Buffer;
                var samples = new List<Sample>();
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end);
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                    if (discarding)
                    {
                        // The tail of a line that was too long.
                        discarding = false;
                        continue;
                    }

                    if (Take(line, samples))
                    {
                        if (!silence.TryReset())
                        {
                            silence.Dispose();
                            silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        }

                        silence.CancelAfter(_device.SilenceTimeout);
                        answered();
                    }
                }

                if (buffer.Length > _device.MaxLineLength)
                {
                    Drop($"a line longer than {_device.MaxLineLength} characters");
                    discarding = true;
                    buffer = buffer.Slice(buffer.End);
                }

                _context.Commit(samples);
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    throw new IOException($"{_endpoint} closed the connection.");
                }
            }
        }
        finally
        {
            silence.Dispose();
            await input.CompleteAsync();
        }
    }

    /// <summary>Parses one line into samples; true when it carried at least one configured field.</summary>
    private bool Take(ReadOnlySequence<byte> bytes, List<Sample> samples)
    {
        if (bytes.Length > _device.MaxLineLength)
        {
            Drop($"a line longer than {_device.MaxLineLength} characters");
            return false;
        }

        var line = Encoding.Latin1.GetString(bytes).TrimEnd('\r');
        if (line.Length == 0)
        {
            return false;
        }

        if (_parser.Unframe(line) is not { } text)
        {
            Drop($"a line with a wrong or missing checksum: {Shorten(line)}");
            return false;
        }

        var values = _parser.Parse(text);
        if (values.Count == 0)
        {
            Drop($"a line without any configured field: {Shorten(line)}");
            return false;
        }

        var now = _context.Time.GetUtcNow();
        foreach (var (field, raw) in values)
        {
            if (_reporters[field].Observe(raw, now) is { } sample)
            {
                samples.Add(sample);
            }
        }

        _context.Status.Report(_device.Machine, DeviceHealth.Connected, null, _endpoint);
        return true;
    }

    private void Drop(string why)
    {
        Dropped++;
        _context.Status.Report(_device.Machine, DeviceHealth.Degraded, $"dropped {why}", _endpoint);
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";

    private async Task SendRequestsAsync(Stream stream, CancellationToken cancellationToken)
    {
        var request = Encoding.Latin1.GetBytes(Regex.Unescape(_device.Request!));
        using var timer = new PeriodicTimer(_device.RequestInterval, _context.Time);
        do
        {
            await stream.WriteAsync(request, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>A serial port's stream that also closes the port.</summary>
    private sealed class SerialLineStream(System.IO.Ports.SerialPort port) : Stream
    {
        private readonly Stream _inner = port.BaseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => _inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                port.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

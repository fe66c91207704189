using System.Buffers;
using System.IO.Pipelines;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Server;

/// <summary>
/// Modbus RTU or ASCII server (one or more units) on a serial port. Answers requests addressed to its
/// units, executes broadcast (unit 0) writes without answering, and stays silent for other addresses,
/// which belong to other units on the bus (Modbus over Serial Line v1.02, §2.1–2.2).
/// </summary>
public sealed class ModbusSerialServer : IAsyncDisposable
{
    private readonly Func<ModbusLine> _openLine;
    private readonly ModbusSerialServerOptions _options;
    private readonly ModbusUnits _units = new();
    private readonly CancellationTokenSource _stopping = new();
    private ModbusLine? _line;
    private Task? _serving;

    public ModbusSerialServer(ModbusSerialPortOptions port, ModbusSerialServerOptions options)
        : this(
            () =>
            {
                var serialPort = port.Open();
                return new ModbusLine(serialPort.BaseStream, serialPort);
            },
            options)
    {
        ArgumentNullException.ThrowIfNull(port);
        port.Validate();
    }

    internal ModbusSerialServer(Func<ModbusLine> openLine, ModbusSerialServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this._openLine = openLine;
        this._options = options;
    }

    /// <summary>Frames that failed their CRC/LRC or could not be framed, and were discarded.</summary>
    public long DiscardedFrames => Interlocked.Read(ref _discarded);

    private long _discarded;

    public ModbusDataModel AddUnit(byte unitId) => AddUnit(unitId, new ModbusDataModel());

    public ModbusDataModel AddUnit(byte unitId, ModbusDataModel model)
    {
        ArgumentOutOfRangeException.ThrowIfZero(unitId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(unitId, (byte)247);
        return _units.Add(unitId, model);
    }

    public bool RemoveUnit(byte unitId) => _units.Remove(unitId);

    /// <summary>Fault injection: asked with the unit id of each request before it is answered; null answers normally.</summary>
    public Func<byte, ModbusServerFault>? Fault { get; set; }

    /// <summary>Opens the port and starts answering.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_line is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        _line = _openLine();
        _serving = ServeAsync(_line);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_line is not null)
        {
            await _line.DisposeAsync().ConfigureAwait(false);
        }

        if (_serving is not null)
        {
            await _serving.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ServeAsync(ModbusLine current)
    {
        var input = current.Input;
        var request = new byte[ModbusPdu.MaxLength];
        var response = new byte[ModbusTransaction.BufferLength];
        var frame = new byte[ModbusTransaction.BufferLength];
        var partial = false;
        var resynchronising = false;
        try
        {
            while (true)
            {
                ReadResult result;
                if (partial)
                {
                    // Part of a frame is buffered: if the line falls silent, that start was noise (§2.5.1.1).
                    using var gap = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    gap.CancelAfter(_options.FrameGap);
                    try
                    {
                        result = await input.ReadAsync(gap.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
                    {
                        if (input.TryRead(out var stale))
                        {
                            input.AdvanceTo(stale.Buffer.Length > 0 ? stale.Buffer.GetPosition(1) : stale.Buffer.Start);
                            Interlocked.Increment(ref _discarded);
                        }

                        partial = false;
                        continue;
                    }
                }
                else
                {
                    result = await input.ReadAsync(_stopping.Token).ConfigureAwait(false);
                }

                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    bool framed;
                    byte unitId;
                    int length;
                    try
                    {
                        framed = _options.Framing == ModbusSerialFraming.Rtu
                            ? RtuFrame.TryReadRequest(ref buffer, request, out unitId, out length)
                            : AsciiFrame.TryRead(ref buffer, request, out unitId, out length);
                    }
                    catch (ModbusProtocolException e)
                    {
                        // Garbage or a corrupted frame: slide one byte and look for the next frame start.
                        Interlocked.Increment(ref _discarded);
                        if (e.IsChecksumMismatch && !resynchronising)
                        {
                            ModbusMetrics.ServerChecksumError(_options.Framing);
                        }

                        resynchronising = true;
                        if (_options.Framing == ModbusSerialFraming.Rtu)
                        {
                            buffer = buffer.Slice(1);
                        }

                        continue;
                    }

                    if (!framed)
                    {
                        break;
                    }

                    resynchronising = false;

                    if (unitId == 0)
                    {
                        if (ModbusPdu.IsWrite(request[0]))
                        {
                            foreach (var unit in BroadcastTargets())
                            {
                                ModbusRequestHandler.Handle(_units.Find(unit)!, request.AsSpan(0, length), response);
                            }
                        }

                        continue;
                    }

                    var model = _units.Find(unitId);
                    if (model is null)
                    {
                        continue;
                    }

                    var fault = Fault?.Invoke(unitId) ?? default;
                    if (fault.Kind is ModbusServerFaultKind.NoAnswer or ModbusServerFaultKind.Disconnect)
                    {
                        continue;
                    }

                    var responseLength = fault.Kind == ModbusServerFaultKind.Exception
                        ? ModbusRequestHandler.Exception(response, request[0], fault.ExceptionCode)
                        : ModbusRequestHandler.Handle(model, request.AsSpan(0, length), response);
                    var frameLength = _options.Framing == ModbusSerialFraming.Rtu
                        ? RtuFrame.Write(frame, unitId, response.AsSpan(0, responseLength))
                        : AsciiFrame.Write(frame, unitId, response.AsSpan(0, responseLength));
                    if (fault.Kind == ModbusServerFaultKind.Garbage)
                    {
                        Random.Shared.NextBytes(frame.AsSpan(0, frameLength));
                    }

                    if (fault.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(fault.Delay, _stopping.Token).ConfigureAwait(false);
                    }
                    await current.WriteAsync(frame.AsMemory(0, frameLength), _stopping.Token).ConfigureAwait(false);
                }

                partial = !buffer.IsEmpty;
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or ModbusConnectionException)
        {
            // Stopped, or the port went away.
        }
    }

    private IEnumerable<byte> BroadcastTargets()
    {
        for (var unit = 1; unit <= 247; unit++)
        {
            if (_units.Find((byte)unit) is not null)
            {
                yield return (byte)unit;
            }
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// Modbus RTU or ASCII server (one or more slaves) on a serial port. Answers requests addressed to its
/// units, executes broadcast (unit 0) writes without answering, and stays silent for other addresses,
/// which belong to other slaves on the bus (Modbus over Serial Line v1.02, §2.1–2.2).
/// </summary>
public sealed class ModbusSerialServer : IAsyncDisposable
{
    private readonly Func<ModbusLine> openLine;
    private readonly ModbusSerialServerOptions options;
    private readonly ModbusUnits units = new();
    private readonly CancellationTokenSource stopping = new();
    private ModbusLine? line;
    private Task? serving;

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
        this.openLine = openLine;
        this.options = options;
    }

    /// <summary>Frames that failed their CRC/LRC or could not be framed, and were discarded.</summary>
    public long DiscardedFrames => Interlocked.Read(ref discarded);

    private long discarded;

    public ModbusDataModel AddUnit(byte unitId) => AddUnit(unitId, new ModbusDataModel());

    public ModbusDataModel AddUnit(byte unitId, ModbusDataModel model)
    {
        ArgumentOutOfRangeException.ThrowIfZero(unitId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(unitId, (byte)247);
        return units.Add(unitId, model);
    }

    public bool RemoveUnit(byte unitId) => units.Remove(unitId);

    /// <summary>Fault injection: asked with the address of each request before it is answered; null answers normally.</summary>
    public Func<byte, ModbusServerFault>? Fault { get; set; }

    /// <summary>Opens the port and starts answering.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (line is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        line = openLine();
        serving = ServeAsync(line);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (line is not null)
        {
            await line.DisposeAsync().ConfigureAwait(false);
        }

        if (serving is not null)
        {
            await serving.ConfigureAwait(false);
        }

        stopping.Dispose();
    }

    private async Task ServeAsync(ModbusLine current)
    {
        PipeReader input = current.Input;
        byte[] request = new byte[ModbusPdu.MaxLength];
        byte[] response = new byte[ModbusTransaction.BufferLength];
        byte[] frame = new byte[ModbusTransaction.BufferLength];
        bool partial = false;
        bool resynchronising = false;
        try
        {
            while (true)
            {
                ReadResult result;
                if (partial)
                {
                    // Part of a frame is buffered: if the line falls silent, that start was noise (§2.5.1.1).
                    using var gap = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                    gap.CancelAfter(options.FrameGap);
                    try
                    {
                        result = await input.ReadAsync(gap.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                    {
                        if (input.TryRead(out ReadResult stale))
                        {
                            input.AdvanceTo(stale.Buffer.Length > 0 ? stale.Buffer.GetPosition(1) : stale.Buffer.Start);
                            Interlocked.Increment(ref discarded);
                        }

                        partial = false;
                        continue;
                    }
                }
                else
                {
                    result = await input.ReadAsync(stopping.Token).ConfigureAwait(false);
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    bool framed;
                    byte address;
                    int length;
                    try
                    {
                        framed = options.Framing == ModbusSerialFraming.Rtu
                            ? RtuFrame.TryReadRequest(ref buffer, request, out address, out length)
                            : AsciiFrame.TryRead(ref buffer, request, out address, out length);
                    }
                    catch (ModbusProtocolException e)
                    {
                        // Garbage or a corrupted frame: slide one byte and look for the next frame start.
                        Interlocked.Increment(ref discarded);
                        if (e.IsChecksumMismatch && !resynchronising)
                        {
                            ModbusMetrics.ServerChecksumError(options.Framing);
                        }

                        resynchronising = true;
                        if (options.Framing == ModbusSerialFraming.Rtu)
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

                    if (address == 0)
                    {
                        if (ModbusRequestHandler.IsWrite(request[0]))
                        {
                            foreach (byte unit in BroadcastTargets())
                            {
                                ModbusRequestHandler.Handle(units.Find(unit)!, request.AsSpan(0, length), response);
                            }
                        }

                        continue;
                    }

                    ModbusDataModel? model = units.Find(address);
                    if (model is null)
                    {
                        continue;
                    }

                    ModbusServerFault fault = Fault?.Invoke(address) ?? default;
                    if (fault.Kind is ModbusServerFaultKind.NoAnswer or ModbusServerFaultKind.Disconnect)
                    {
                        continue;
                    }

                    int responseLength = fault.Kind == ModbusServerFaultKind.Exception
                        ? ModbusRequestHandler.Exception(response, request[0], fault.ExceptionCode)
                        : ModbusRequestHandler.Handle(model, request.AsSpan(0, length), response);
                    int frameLength = options.Framing == ModbusSerialFraming.Rtu
                        ? RtuFrame.Write(frame, address, response.AsSpan(0, responseLength))
                        : AsciiFrame.Write(frame, address, response.AsSpan(0, responseLength));
                    if (fault.Kind == ModbusServerFaultKind.Garbage)
                    {
                        Random.Shared.NextBytes(frame.AsSpan(0, frameLength));
                    }

                    if (fault.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(fault.Delay, stopping.Token).ConfigureAwait(false);
                    }
                    await current.WriteAsync(frame.AsMemory(0, frameLength), stopping.Token).ConfigureAwait(false);
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
        for (int unit = 1; unit <= 247; unit++)
        {
            if (units.Find((byte)unit) is not null)
            {
                yield return (byte)unit;
            }
        }
    }
}

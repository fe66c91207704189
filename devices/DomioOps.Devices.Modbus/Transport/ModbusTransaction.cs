using System.Threading.Tasks.Sources;

using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Transport;

/// <summary>
/// One request/response exchange, pooled by its client so a request costs no allocation.
/// The buffer holds the request ADU on the way out and the response PDU on the way back.
/// It is completed exactly once, by whoever removes it from its connection's pending table.
/// </summary>
internal sealed class ModbusTransaction : IValueTaskSource<int>
{
    /// <summary>Large enough for an ASCII ADU (':' + 2 × 255 hex digits + CR LF).</summary>
    public const int BufferLength = 520;

    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = true };

    public byte[] Buffer { get; } = new byte[BufferLength];

    public ushort TransactionId { get; set; }

    public byte UnitId { get; set; }

    public ModbusFunctionCode Function { get; set; }

    public long Deadline { get; set; }

    public object? Owner { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }

    public ValueTask<int> Completion => new(this, _core.Version);

    public void Reset()
    {
        _core.Reset();
        Owner = null;
    }

    /// <summary>Completes with the response; the awaiting caller continues on another thread.</summary>
    public void SetResult(int responsePduLength)
    {
        _core.RunContinuationsAsynchronously = true;
        _core.SetResult(responsePduLength);
    }

    /// <summary>Completes with the response and runs the awaiting caller's continuation on this thread, before returning.</summary>
    public void SetResultInline(int responsePduLength)
    {
        _core.RunContinuationsAsynchronously = false;
        _core.SetResult(responsePduLength);
    }

    /// <summary>Fails the exchange; the awaiting caller continues on another thread (never inline on a timer's or canceller's thread).</summary>
    public void SetException(Exception error)
    {
        _core.RunContinuationsAsynchronously = true;
        _core.SetException(error);
    }

    public int GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

using System.Runtime.CompilerServices;

using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>
/// The Modbus client (master), written once over a transport: it builds each request PDU, has the transport carry
/// it to the unit, checks the response against the request and decodes it into the caller's memory. Requests rent
/// a pooled transaction, so a read into a caller's buffer allocates nothing once warm. Construct it as
/// <see cref="ModbusTcpClient"/> (MBAP, pipelined) or <see cref="ModbusSerialClient"/> (RTU or ASCII on a line).
/// Thread-safe. Addresses are 0-based protocol addresses.
/// </summary>
public abstract partial class ModbusClient : IModbusClient
{
    private readonly IModbusTransport _transport;

    private protected ModbusClient(IModbusTransport transport)
    {
        this._transport = transport;
    }

    /// <summary>True while the connection or line is open.</summary>
    public bool IsConnected => _transport.IsOpen;

    /// <summary>Opens the connection or line now (requests also open it on demand). Throws <see cref="ModbusConnectionException"/>.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken) => _transport.OpenAsync(cancellationToken);

    /// <summary>Closes the connection or line; requests in flight fail with <see cref="ModbusConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Functions 05 and 06: the 5-byte request the response echoes.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteSingleAsync(ModbusFunctionCode function, byte unitId, ushort address, ushort value, CancellationToken cancellationToken)
    {
        var t = _transport.Rent();
        try
        {
            var n = ModbusPdu.WriteAddressValueRequest(t.Buffer.AsSpan(_transport.PduOffset), function, address, value);
            var length = await _transport.TransactAsync(unitId, t, n, idempotent: false, cancellationToken).ConfigureAwait(false);
            ModbusPdu.CheckEcho(t.Buffer.AsSpan(0, length), function, address, value);
        }
        finally
        {
            _transport.Return(t);
        }
    }
}

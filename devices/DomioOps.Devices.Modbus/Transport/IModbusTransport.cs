namespace DomioOps.Devices.Modbus.Transport;

/// <summary>
/// How a <see cref="Client.ModbusClient"/> moves one request PDU to a unit and its response PDU back: MBAP over TCP
/// with pipelined transactions (<see cref="ModbusTcpTransport"/>), or RTU/ASCII frames on a line, one request at a
/// time (<see cref="ModbusSerialTransport"/>). A transport owns its connection or line, opens it again after a loss,
/// and records the client metrics of what it sends.
/// </summary>
internal interface IModbusTransport : IAsyncDisposable
{
    /// <summary>Where the request PDU starts in <see cref="ModbusTransaction.Buffer"/>.</summary>
    int PduOffset { get; }

    /// <summary>True while the connection or line is open.</summary>
    bool IsOpen { get; }

    /// <summary>Opens the connection or line now (requests also open it on demand).</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    ModbusTransaction Rent();

    void Return(ModbusTransaction transaction);

    /// <summary>
    /// Sends the request PDU (at <see cref="PduOffset"/>) to <paramref name="unitId"/>; returns the length of the
    /// response PDU, which is then at the start of the buffer. <paramref name="idempotent"/> requests may be retried.
    /// </summary>
    ValueTask<int> TransactAsync(byte unitId, ModbusTransaction transaction, int pduLength, bool idempotent, CancellationToken cancellationToken);
}

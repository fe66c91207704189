namespace DomioOps.Devices.Modbus;

/// <summary>How a client moves one request PDU to a unit and its response PDU back: MBAP over TCP, RTU or ASCII.</summary>
internal interface IModbusTransport
{
    /// <summary>Where the request PDU starts in <see cref="ModbusTransaction.Buffer"/>.</summary>
    int PduOffset { get; }

    ModbusTransaction Rent();

    void Return(ModbusTransaction transaction);

    /// <summary>
    /// Sends the request PDU (at <see cref="PduOffset"/>) to <paramref name="unitId"/>; returns the length of the
    /// response PDU, which is then at the start of the buffer. <paramref name="idempotent"/> requests may be retried.
    /// </summary>
    ValueTask<int> TransactAsync(byte unitId, ModbusTransaction transaction, int pduLength, bool idempotent, CancellationToken cancellationToken);
}

using System.Diagnostics;

using DomioOps.Devices.Modbus.Framing;
using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Client;

/// <summary>One client's view of <see cref="ModbusMetrics"/>: its transport and endpoint tags.</summary>
internal sealed class ModbusClientMetrics(string transport, string endpoint)
{
    private readonly KeyValuePair<string, object?> _transportTag = new("modbus.transport", transport);
    private readonly KeyValuePair<string, object?> _endpointTag = new("modbus.endpoint", endpoint);

    public void Request(byte function)
    {
        if (ModbusMetrics.Requests.Enabled)
        {
            ModbusMetrics.Requests.Add(1, _transportTag, _endpointTag, new("modbus.function", ModbusMetrics.Byte(function)));
        }
    }

    /// <summary>Records the round trip, and the exception code when <paramref name="responsePdu"/> is an exception response.</summary>
    public void Answered(byte function, byte unitId, ReadOnlySpan<byte> responsePdu, TimeSpan roundTrip)
    {
        if (ModbusMetrics.RoundTrip.Enabled)
        {
            ModbusMetrics.RoundTrip.Record(roundTrip.TotalSeconds, _transportTag, _endpointTag, new("modbus.function", ModbusMetrics.Byte(function)));
        }

        if (responsePdu.Length == 2 && responsePdu[0] == (function | ModbusPdu.ExceptionFlag))
        {
            var tags = new TagList
            {
                _transportTag,
                _endpointTag,
                { "modbus.function", ModbusMetrics.Byte(function) },
                { "modbus.exception_code", ModbusMetrics.Byte(responsePdu[1]) },
                { "modbus.unit", ModbusMetrics.Byte(unitId) },
            };
            ModbusMetrics.Exceptions.Add(1, in tags);
        }
    }

    public void Timeout(byte unitId) => ModbusMetrics.Timeouts.Add(1, _transportTag, _endpointTag, new("modbus.unit", ModbusMetrics.Byte(unitId)));

    public void Reconnect() => ModbusMetrics.Reconnects.Add(1, _transportTag, _endpointTag);

    public void ChecksumError(ModbusSerialFraming framing)
    {
        var tags = new TagList { _transportTag, _endpointTag, { "modbus.framing", ModbusMetrics.Framing(framing) }, { "modbus.role", "client" } };
        ModbusMetrics.ChecksumErrors.Add(1, in tags);
    }

    public void CircuitOpened(byte unitId) => ModbusMetrics.CircuitOpens.Add(1, _transportTag, _endpointTag, new("modbus.unit", ModbusMetrics.Byte(unitId)));
}

using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Client;

// Read Device Identification: function 2B, MEI type 0E (Modbus Application Protocol v1.1b3, §6.21).
public abstract partial class ModbusClient
{
    public async ValueTask<ModbusDeviceIdentification> ReadDeviceIdentificationAsync(byte unitId, ModbusDeviceIdCategory category, CancellationToken cancellationToken)
    {
        var objects = new Dictionary<byte, string>();
        byte conformity = 0;
        byte objectId = 0;
        var t = _transport.Rent();
        try
        {
            // A device that keeps saying "more follows" must still end: 256 object ids at most.
            for (var round = 0; round < 256; round++)
            {
                var n = ModbusPdu.ReadDeviceIdentificationRequest(t.Buffer.AsSpan(_transport.PduOffset), category, objectId);
                var length = await _transport.TransactAsync(unitId, t, n, idempotent: true, cancellationToken).ConfigureAwait(false);
                var next = ModbusPdu.ReadDeviceIdentificationResponse(t.Buffer.AsSpan(0, length), objects, out conformity);
                if (next is null || category == ModbusDeviceIdCategory.Individual)
                {
                    break;
                }

                if (next.Value <= objectId && round > 0)
                {
                    throw new ModbusProtocolException($"Device identification does not advance (next object 0x{next.Value:X2}).");
                }

                objectId = next.Value;
            }
        }
        finally
        {
            _transport.Return(t);
        }

        return new ModbusDeviceIdentification(conformity, objects);
    }
}

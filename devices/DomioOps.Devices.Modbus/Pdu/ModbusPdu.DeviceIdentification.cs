using System.Text;

namespace DomioOps.Devices.Modbus.Pdu;

// Read Device Identification, Modbus Application Protocol v1.1b3, §6.21 (function 2B, MEI type 0E):
//
//   req: 2B | 0E | read device id code (1: basic, 2: regular, 3: extended, 4: one object) | object id
//   rsp: 2B | 0E | read device id code | conformity level | more follows (00/FF) | next object id
//           | number of objects | { object id | length | value (length bytes) } ...
internal static partial class ModbusPdu
{
    public const byte MeiReadDeviceIdentification = 0x0E;

    public static int ReadDeviceIdentificationRequest(Span<byte> destination, ModbusDeviceIdCategory category, byte objectId)
    {
        destination[0] = (byte)ModbusFunctionCode.EncapsulatedInterfaceTransport;
        destination[1] = MeiReadDeviceIdentification;
        destination[2] = (byte)category;
        destination[3] = objectId;
        return 4;
    }

    /// <summary>Decodes one response into <paramref name="objects"/>; returns the next object id, or null when no more follow.</summary>
    public static byte? ReadDeviceIdentificationResponse(
        ReadOnlySpan<byte> response, Dictionary<byte, string> objects, out byte conformityLevel)
    {
        ThrowIfNotResponseTo(response, ModbusFunctionCode.EncapsulatedInterfaceTransport);
        if (response.Length < 7 || response[1] != MeiReadDeviceIdentification)
        {
            throw new ModbusProtocolException("Malformed read device identification response header.");
        }

        conformityLevel = response[3];
        var moreFollows = response[4] == 0xFF;
        var nextObjectId = response[5];
        int count = response[6];
        var offset = 7;
        for (var i = 0; i < count; i++)
        {
            if (offset + 2 > response.Length)
            {
                throw new ModbusProtocolException("Device identification object header past the end of the response.");
            }

            var id = response[offset];
            int length = response[offset + 1];
            offset += 2;
            if (offset + length > response.Length)
            {
                throw new ModbusProtocolException($"Device identification object 0x{id:X2} runs past the end of the response.");
            }

            objects[id] = Encoding.ASCII.GetString(response.Slice(offset, length));
            offset += length;
        }

        if (offset != response.Length)
        {
            throw new ModbusProtocolException("Trailing bytes after the device identification objects.");
        }

        return moreFollows ? nextObjectId : null;
    }
}

using System.Buffers.Binary;

namespace DomioOps.Devices.Modbus.Pdu;

// Protocol data units, Modbus Application Protocol v1.1b3, §4.1 and §6.
//
//   PDU = function code (1) | data (0..252)        at most 253 bytes
//   exception response PDU = function code | 0x80 (1) | exception code (1)   (§7)
//
// Requests are written into spans by the client; responses are checked against the
// request they answer and decoded into the caller's span, so decoding never allocates.
// The server side (request readers, response writers) lives in ModbusRequestHandler.
internal static partial class ModbusPdu
{
    public const int MaxLength = 253;

    /// <summary>Most registers a read may ask for (§6.3, §6.4).</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>Most bits a read may ask for (§6.1, §6.2).</summary>
    public const int MaxReadBits = 2000;

    public const int MaxWriteRegisters = 123;
    public const int MaxWriteBits = 1968;
    public const int MaxReadWriteWriteRegisters = 121;

    public const byte ExceptionFlag = 0x80;

    /// <summary>
    /// Checks that <paramref name="pdu"/> answers <paramref name="function"/>: throws the device's
    /// exception response, or a protocol error for a different function or a truncated PDU.
    /// </summary>
    public static void ThrowIfNotResponseTo(ReadOnlySpan<byte> pdu, ModbusFunctionCode function)
    {
        if (pdu.IsEmpty)
        {
            throw new ModbusProtocolException("Empty response PDU.");
        }

        if (pdu[0] == ((byte)function | ExceptionFlag))
        {
            if (pdu.Length != 2)
            {
                throw new ModbusProtocolException($"Exception response of {pdu.Length} bytes; expected 2.");
            }

            throw new ModbusExceptionResponseException(function, (ModbusExceptionCode)pdu[1]);
        }

        if (pdu[0] != (byte)function)
        {
            throw new ModbusProtocolException($"Response function 0x{pdu[0]:X2} does not match request function 0x{(byte)function:X2}.");
        }
    }

    /// <summary>True for the functions that write (05, 06, 0F, 10, 16, 17): the only ones a broadcast may carry (Serial Line §2.1).</summary>
    public static bool IsWrite(byte function) => function is 0x05 or 0x06 or 0x0F or 0x10 or 0x16 or 0x17;

    /// <summary>Writes the 5-byte request shared by functions 01–06: function, address, quantity or value.</summary>
    public static int WriteAddressValueRequest(Span<byte> destination, ModbusFunctionCode function, ushort address, ushort quantityOrValue)
    {
        destination[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], quantityOrValue);
        return 5;
    }

    /// <summary>Checks a response that echoes address and quantity/value (functions 05, 06, 0F, 10).</summary>
    public static void CheckEcho(ReadOnlySpan<byte> response, ModbusFunctionCode function, ushort address, ushort quantityOrValue)
    {
        ThrowIfNotResponseTo(response, function);
        if (response.Length != 5)
        {
            throw new ModbusProtocolException($"Response to 0x{(byte)function:X2} has {response.Length} bytes; expected 5.");
        }

        var echoedAddress = BinaryPrimitives.ReadUInt16BigEndian(response[1..]);
        var echoedValue = BinaryPrimitives.ReadUInt16BigEndian(response[3..]);
        if (echoedAddress != address || echoedValue != quantityOrValue)
        {
            throw new ModbusProtocolException(
                $"Response to 0x{(byte)function:X2} echoes {echoedAddress}/{echoedValue}; expected {address}/{quantityOrValue}.");
        }
    }

    internal static void CheckQuantity(int quantity, int max, string name)
    {
        if (quantity < 1 || quantity > max)
        {
            throw new ArgumentOutOfRangeException(name, quantity, $"Quantity must be 1..{max}.");
        }
    }

    internal static void CheckRange(ushort address, int quantity, string name)
    {
        if (address + quantity > 0x10000)
        {
            throw new ArgumentOutOfRangeException(name, quantity, $"Address {address} + quantity {quantity} passes 65535.");
        }
    }
}

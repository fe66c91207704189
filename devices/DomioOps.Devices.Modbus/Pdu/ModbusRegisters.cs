using System.Buffers.Binary;
using System.Text;

namespace DomioOps.Devices.Modbus.Pdu;

/// <summary>
/// Values held in 16-bit registers, in any <see cref="ModbusByteOrder"/>. The Application Protocol (v1.1b3, §4.2)
/// fixes only the byte order inside a register (big-endian); devices differ in how they spread wider values.
/// </summary>
public static class ModbusRegisters
{
    /// <summary>Registers a value of <paramref name="type"/> occupies; strings take <paramref name="stringLength"/> characters, two per register.</summary>
    public static int Count(ModbusDataType type, int stringLength = 0) => type switch
    {
        ModbusDataType.Bit or ModbusDataType.Int16 or ModbusDataType.UInt16 => 1,
        ModbusDataType.Int32 or ModbusDataType.UInt32 or ModbusDataType.Float32 => 2,
        ModbusDataType.Int64 or ModbusDataType.UInt64 or ModbusDataType.Float64 => 4,
        ModbusDataType.String => (stringLength + 1) / 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool GetBit(ushort register, int bit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bit, 15);
        return (register & (1 << bit)) != 0;
    }

    public static short GetInt16(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadInt16BigEndian(Gather(registers, 1, order, stackalloc byte[2]));

    public static ushort GetUInt16(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadUInt16BigEndian(Gather(registers, 1, order, stackalloc byte[2]));

    public static int GetInt32(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadInt32BigEndian(Gather(registers, 2, order, stackalloc byte[4]));

    public static uint GetUInt32(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadUInt32BigEndian(Gather(registers, 2, order, stackalloc byte[4]));

    public static long GetInt64(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadInt64BigEndian(Gather(registers, 4, order, stackalloc byte[8]));

    public static ulong GetUInt64(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadUInt64BigEndian(Gather(registers, 4, order, stackalloc byte[8]));

    public static float GetSingle(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadSingleBigEndian(Gather(registers, 2, order, stackalloc byte[4]));

    public static double GetDouble(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD) =>
        BinaryPrimitives.ReadDoubleBigEndian(Gather(registers, 4, order, stackalloc byte[8]));

    /// <summary>
    /// ASCII text, two characters per register (first character in the high byte for ABCD/CDAB, low byte for
    /// BADC/DCBA; strings never swap words). Trailing NULs and spaces are trimmed.
    /// </summary>
    public static string GetString(ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        var swap = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        var bytes = registers.Length <= 128 ? stackalloc byte[registers.Length * 2] : new byte[registers.Length * 2];
        for (var i = 0; i < registers.Length; i++)
        {
            var high = (byte)(registers[i] >> 8);
            var low = (byte)registers[i];
            bytes[i * 2] = swap ? low : high;
            bytes[(i * 2) + 1] = swap ? high : low;
        }

        return Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');
    }

    /// <summary>Any numeric type or a bit (register 0, bit <paramref name="bit"/>) as a double, for scaling in the tag engine.</summary>
    public static double GetNumber(ModbusDataType type, ReadOnlySpan<ushort> registers, ModbusByteOrder order = ModbusByteOrder.ABCD, int bit = 0) => type switch
    {
        ModbusDataType.Bit => GetBit(registers[0], bit) ? 1 : 0,
        ModbusDataType.Int16 => GetInt16(registers, order),
        ModbusDataType.UInt16 => GetUInt16(registers, order),
        ModbusDataType.Int32 => GetInt32(registers, order),
        ModbusDataType.UInt32 => GetUInt32(registers, order),
        ModbusDataType.Int64 => GetInt64(registers, order),
        ModbusDataType.UInt64 => GetUInt64(registers, order),
        ModbusDataType.Float32 => GetSingle(registers, order),
        ModbusDataType.Float64 => GetDouble(registers, order),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a number."),
    };

    public static void SetInt16(Span<ushort> registers, short value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    public static void SetUInt16(Span<ushort> registers, ushort value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    public static void SetInt32(Span<ushort> registers, int value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    public static void SetUInt32(Span<ushort> registers, uint value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    public static void SetInt64(Span<ushort> registers, long value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    public static void SetUInt64(Span<ushort> registers, ulong value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    public static void SetSingle(Span<ushort> registers, float value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleBigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    public static void SetDouble(Span<ushort> registers, double value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        Scatter(bytes, order, registers);
    }

    /// <summary>Writes ASCII <paramref name="value"/> padded with NULs to fill <paramref name="registers"/>.</summary>
    public static void SetString(Span<ushort> registers, string value, ModbusByteOrder order = ModbusByteOrder.ABCD)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > registers.Length * 2)
        {
            throw new ArgumentException($"'{value}' needs {(value.Length + 1) / 2} registers; {registers.Length} given.", nameof(value));
        }

        var swap = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        for (var i = 0; i < registers.Length; i++)
        {
            var first = (byte)(i * 2 < value.Length ? value[i * 2] : 0);
            var second = (byte)((i * 2) + 1 < value.Length ? value[(i * 2) + 1] : 0);
            registers[i] = swap ? (ushort)((second << 8) | first) : (ushort)((first << 8) | second);
        }
    }

    private static ReadOnlySpan<byte> Gather(ReadOnlySpan<ushort> registers, int count, ModbusByteOrder order, Span<byte> bigEndian)
    {
        if (registers.Length < count)
        {
            throw new ArgumentException($"{count} registers needed; {registers.Length} given.", nameof(registers));
        }

        var swapWords = order is ModbusByteOrder.CDAB or ModbusByteOrder.DCBA;
        var swapBytes = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        for (var i = 0; i < count; i++)
        {
            var register = registers[swapWords ? count - 1 - i : i];
            bigEndian[i * 2] = (byte)(swapBytes ? register : register >> 8);
            bigEndian[(i * 2) + 1] = (byte)(swapBytes ? register >> 8 : register);
        }

        return bigEndian;
    }

    private static void Scatter(ReadOnlySpan<byte> bigEndian, ModbusByteOrder order, Span<ushort> registers)
    {
        var count = bigEndian.Length / 2;
        if (registers.Length < count)
        {
            throw new ArgumentException($"{count} registers needed; {registers.Length} given.", nameof(registers));
        }

        var swapWords = order is ModbusByteOrder.CDAB or ModbusByteOrder.DCBA;
        var swapBytes = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        for (var i = 0; i < count; i++)
        {
            var high = bigEndian[i * 2];
            var low = bigEndian[(i * 2) + 1];
            registers[swapWords ? count - 1 - i : i] = swapBytes ? (ushort)((low << 8) | high) : (ushort)((high << 8) | low);
        }
    }
}

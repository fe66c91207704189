using DomioOps.Devices.Modbus.Pdu;

namespace DomioOps.Devices.Modbus.Tests.Pdu;

// Register layouts of wider values. Vectors: IEEE 754 encodings (3.1415927f = 0x40490FDB, Math.PI = 0x400921FB54442D18)
// spread over registers as each order names them; the ABCD float is also what mbpoll -B shows (see MbpollInteropTests).
public sealed class ModbusRegistersTests
{
    [Theory]
    [InlineData(ModbusByteOrder.ABCD, 0x4049, 0x0FDB)]
    [InlineData(ModbusByteOrder.CDAB, 0x0FDB, 0x4049)]
    [InlineData(ModbusByteOrder.BADC, 0x4940, 0xDB0F)]
    [InlineData(ModbusByteOrder.DCBA, 0xDB0F, 0x4940)]
    public void GetSingle_EachOrder_DecodesPi(ModbusByteOrder order, int first, int second)
    {
        ushort[] registers = [(ushort)first, (ushort)second];
        Assert.Equal(3.1415927f, ModbusRegisters.GetSingle(registers, order));
        var written = new ushort[2];
        ModbusRegisters.SetSingle(written, 3.1415927f, order);
        Assert.Equal(registers, written);
    }

    [Theory]
    [InlineData(ModbusByteOrder.ABCD, new ushort[] { 0x4009, 0x21FB, 0x5444, 0x2D18 })]
    [InlineData(ModbusByteOrder.CDAB, new ushort[] { 0x2D18, 0x5444, 0x21FB, 0x4009 })]
    [InlineData(ModbusByteOrder.BADC, new ushort[] { 0x0940, 0xFB21, 0x4454, 0x182D })]
    [InlineData(ModbusByteOrder.DCBA, new ushort[] { 0x182D, 0x4454, 0xFB21, 0x0940 })]
    public void GetDouble_EachOrder_DecodesPi(ModbusByteOrder order, ushort[] registers)
    {
        Assert.Equal(Math.PI, ModbusRegisters.GetDouble(registers, order));
        var written = new ushort[4];
        ModbusRegisters.SetDouble(written, Math.PI, order);
        Assert.Equal(registers, written);
    }

    [Theory]
    [InlineData(ModbusByteOrder.ABCD, 0xFFFE, 0x1DC0, -123456)]
    [InlineData(ModbusByteOrder.CDAB, 0x1DC0, 0xFFFE, -123456)]
    [InlineData(ModbusByteOrder.BADC, 0xFEFF, 0xC01D, -123456)]
    [InlineData(ModbusByteOrder.DCBA, 0xC01D, 0xFEFF, -123456)]
    public void GetInt32_EachOrder_DecodesNegative(ModbusByteOrder order, int first, int second, int expected)
    {
        ushort[] registers = [(ushort)first, (ushort)second];
        Assert.Equal(expected, ModbusRegisters.GetInt32(registers, order));
        Assert.Equal(unchecked((uint)expected), ModbusRegisters.GetUInt32(registers, order));
    }

    [Fact]
    public void GetInt16AndUInt16_ByteSwap_SwapsWithinRegister()
    {
        Assert.Equal(-2, ModbusRegisters.GetInt16([0xFFFE]));
        Assert.Equal(0xFEFF, ModbusRegisters.GetUInt16([0xFFFE], ModbusByteOrder.BADC));
        Assert.Equal(0x3412, ModbusRegisters.GetUInt16([0x1234], ModbusByteOrder.DCBA));
        Assert.Equal(0x1234, ModbusRegisters.GetUInt16([0x1234], ModbusByteOrder.CDAB));
    }

    [Fact]
    public void GetInt64_Abcd_BigEndianAcrossFourRegisters()
    {
        ushort[] registers = [0x0102, 0x0304, 0x0506, 0x0708];
        Assert.Equal(0x0102030405060708, ModbusRegisters.GetInt64(registers));
        Assert.Equal(0x0708050603040102UL, ModbusRegisters.GetUInt64(registers, ModbusByteOrder.CDAB));
    }

    [Theory]
    [InlineData(ModbusByteOrder.ABCD, new ushort[] { 0x5341, 0x5731, 0x0000 })]
    [InlineData(ModbusByteOrder.BADC, new ushort[] { 0x4153, 0x3157, 0x0000 })]
    public void String_RoundTrip_TwoCharactersPerRegister(ModbusByteOrder order, ushort[] registers)
    {
        Assert.Equal("SAW1", ModbusRegisters.GetString(registers, order));
        var written = new ushort[3];
        ModbusRegisters.SetString(written, "SAW1", order);
        Assert.Equal(registers, written);
        Assert.Equal(2, ModbusRegisters.Count(ModbusDataType.String, 4));
    }

    [Fact]
    public void GetNumber_Bit_ReadsBitOfRegister()
    {
        Assert.Equal(1, ModbusRegisters.GetNumber(ModbusDataType.Bit, [0x0010], bit: 4));
        Assert.Equal(0, ModbusRegisters.GetNumber(ModbusDataType.Bit, [0x0010], bit: 3));
        Assert.Equal(-1.5, ModbusRegisters.GetNumber(ModbusDataType.Float32, [0xBFC0, 0x0000]));
    }

    [Fact]
    public void SetThenGet_SeededRandomValues_RoundTripInEveryOrder()
    {
        var random = new Random(20261125);
        var registers = new ushort[4];
        foreach (var order in Enum.GetValues<ModbusByteOrder>())
        {
            for (var i = 0; i < 500; i++)
            {
                var value = random.NextInt64(long.MinValue, long.MaxValue);
                ModbusRegisters.SetInt64(registers, value, order);
                Assert.Equal(value, ModbusRegisters.GetInt64(registers, order));
                var small = random.Next(int.MinValue, int.MaxValue);
                ModbusRegisters.SetInt32(registers, small, order);
                Assert.Equal(small, ModbusRegisters.GetInt32(registers, order));
                var number = (random.NextDouble() - 0.5) * 1e12;
                ModbusRegisters.SetDouble(registers, number, order);
                Assert.Equal(number, ModbusRegisters.GetDouble(registers, order));
            }
        }
    }

    [Fact]
    public void GetInt32_TooFewRegisters_Throws()
    {
        Assert.Throws<ArgumentException>(() => ModbusRegisters.GetInt32([1]));
    }
}

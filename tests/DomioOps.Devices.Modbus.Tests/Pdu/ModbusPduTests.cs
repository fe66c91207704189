using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Devices.Modbus.Server;

namespace DomioOps.Devices.Modbus.Tests.Pdu;

// Golden vectors: the request/response examples of the Modbus Application Protocol Specification v1.1b3, §6 and §7,
// each proven in both directions: our client encodes the request and decodes the response; our server handler,
// given the request and the spec's data, produces the response byte for byte.
public sealed class ModbusPduTests
{
    [Fact]
    public void ReadCoils_SpecExample_EncodesAndDecodes()
    {
        // §6.1: read coils 20-38 (address 19, 19 coils); response status CD 6B 05.
        var request = Hex.Bytes("01 0013 0013");
        var response = Hex.Bytes("01 03 CD 6B 05");
        Span<byte> encoded = stackalloc byte[5];
        ModbusPdu.WriteAddressValueRequest(encoded, ModbusFunctionCode.ReadCoils, 19, 19);
        Assert.Equal(request, encoded.ToArray());

        var coils = new bool[19];
        ModbusPdu.ReadBitsResponse(response, ModbusFunctionCode.ReadCoils, coils);
        Assert.Equal("1011001111010110101", string.Concat(coils.Select(c => c ? '1' : '0')));

        var model = new ModbusDataModel();
        model.Coils.Set(19, coils);
        Assert.Equal(response, Serve(model, request));
    }

    [Fact]
    public void ReadDiscreteInputs_SpecExample_EncodesAndDecodes()
    {
        // §6.2: read inputs 197-218 (address 196, 22 inputs); response AC DB 35.
        var request = Hex.Bytes("02 00C4 0016");
        var response = Hex.Bytes("02 03 AC DB 35");
        var inputs = new bool[22];
        ModbusPdu.ReadBitsResponse(response, ModbusFunctionCode.ReadDiscreteInputs, inputs);
        Assert.Equal("0011010111011011101011", string.Concat(inputs.Select(c => c ? '1' : '0')));

        var model = new ModbusDataModel();
        model.DiscreteInputs.Set(196, inputs);
        Assert.Equal(response, Serve(model, request));
    }

    [Fact]
    public void ReadHoldingRegisters_SpecExample_EncodesAndDecodes()
    {
        // §6.3: read registers 108-110 (address 107, 3 registers) = 555, 0, 100.
        var request = Hex.Bytes("03 006B 0003");
        var response = Hex.Bytes("03 06 022B 0000 0064");
        Span<byte> encoded = stackalloc byte[5];
        ModbusPdu.WriteAddressValueRequest(encoded, ModbusFunctionCode.ReadHoldingRegisters, 107, 3);
        Assert.Equal(request, encoded.ToArray());

        var registers = new ushort[3];
        ModbusPdu.ReadRegistersResponse(response, ModbusFunctionCode.ReadHoldingRegisters, registers);
        Assert.Equal(new ushort[] { 555, 0, 100 }, registers);

        var model = new ModbusDataModel();
        model.SetHoldingRegisters(107, registers);
        Assert.Equal(response, Serve(model, request));
    }

    [Fact]
    public void ReadInputRegisters_SpecExample_EncodesAndDecodes()
    {
        // §6.4: read input register 9 (address 8) = 10.
        var request = Hex.Bytes("04 0008 0001");
        var response = Hex.Bytes("04 02 000A");
        var registers = new ushort[1];
        ModbusPdu.ReadRegistersResponse(response, ModbusFunctionCode.ReadInputRegisters, registers);
        Assert.Equal(10, registers[0]);

        var model = new ModbusDataModel();
        model.InputRegisters[8] = 10;
        Assert.Equal(response, Serve(model, request));
    }

    [Fact]
    public void WriteSingleCoil_SpecExample_EchoesAndSetsCoil()
    {
        // §6.5: coil 173 (address 172) ON; the response echoes the request.
        var request = Hex.Bytes("05 00AC FF00");
        Span<byte> encoded = stackalloc byte[5];
        ModbusPdu.WriteAddressValueRequest(encoded, ModbusFunctionCode.WriteSingleCoil, 172, ModbusPdu.CoilOn);
        Assert.Equal(request, encoded.ToArray());

        var model = new ModbusDataModel();
        var response = Serve(model, request);
        Assert.Equal(request, response);
        Assert.True(model.Coils[172]);
        ModbusPdu.CheckEcho(response, ModbusFunctionCode.WriteSingleCoil, 172, ModbusPdu.CoilOn);
    }

    [Fact]
    public void WriteSingleRegister_SpecExample_EchoesAndSetsRegister()
    {
        // §6.6: register 2 (address 1) = 3.
        var request = Hex.Bytes("06 0001 0003");
        var model = new ModbusDataModel();
        Assert.Equal(request, Serve(model, request));
        Assert.Equal(3, model.HoldingRegisters[1]);
    }

    [Fact]
    public void WriteMultipleCoils_SpecExample_EncodesAndSetsCoils()
    {
        // §6.11: coils 20-29 (address 19, 10 coils) = CD 01.
        var request = Hex.Bytes("0F 0013 000A 02 CD01");
        bool[] values = [true, false, true, true, false, false, true, true, true, false];
        Span<byte> encoded = stackalloc byte[9];
        var length = ModbusPdu.WriteMultipleCoilsRequest(encoded, 19, values);
        Assert.Equal(request, encoded[..length].ToArray());

        var model = new ModbusDataModel();
        var response = Serve(model, request);
        Assert.Equal(Hex.Bytes("0F 0013 000A"), response);
        var stored = new bool[10];
        model.Coils.CopyTo(19, stored);
        Assert.Equal(values, stored);
    }

    [Fact]
    public void WriteMultipleRegisters_SpecExample_EncodesAndSetsRegisters()
    {
        // §6.12: registers 2-3 (address 1) = 000A 0102.
        var request = Hex.Bytes("10 0001 0002 04 000A 0102");
        Span<byte> encoded = stackalloc byte[10];
        var length = ModbusPdu.WriteMultipleRegistersRequest(encoded, 1, [0x000A, 0x0102]);
        Assert.Equal(request, encoded[..length].ToArray());

        var model = new ModbusDataModel();
        var response = Serve(model, request);
        Assert.Equal(Hex.Bytes("10 0001 0002"), response);
        ModbusPdu.CheckEcho(response, ModbusFunctionCode.WriteMultipleRegisters, 1, 2);
        Assert.Equal(0x0102, model.HoldingRegisters[2]);
    }

    [Fact]
    public void MaskWriteRegister_SpecExample_AppliesMasks()
    {
        // §6.16: register 5 (address 4), AND 00F2, OR 0025: 0x12 becomes 0x17.
        var request = Hex.Bytes("16 0004 00F2 0025");
        var model = new ModbusDataModel();
        model.HoldingRegisters[4] = 0x12;
        Assert.Equal(request, Serve(model, request));
        Assert.Equal(0x17, model.HoldingRegisters[4]);
    }

    [Fact]
    public void ReadWriteMultipleRegisters_SpecExample_WritesThenReads()
    {
        // §6.17: read 6 from address 3, write 3 at address 14 (00FF 00FF 00FF).
        var request = Hex.Bytes("17 0003 0006 000E 0003 06 00FF 00FF 00FF");
        var response = Hex.Bytes("17 0C 00FE 0ACD 0001 0003 000D 00FF");
        Span<byte> encoded = stackalloc byte[16];
        var length = ModbusPdu.ReadWriteMultipleRegistersRequest(encoded, 3, 6, 14, [0xFF, 0xFF, 0xFF]);
        Assert.Equal(request, encoded[..length].ToArray());

        var model = new ModbusDataModel();
        model.SetHoldingRegisters(3, [0x00FE, 0x0ACD, 0x0001, 0x0003, 0x000D, 0x00FF]);
        Assert.Equal(response, Serve(model, request));
        var read = new ushort[6];
        ModbusPdu.ReadRegistersResponse(response, ModbusFunctionCode.ReadWriteMultipleRegisters, read);
        Assert.Equal(new ushort[] { 0xFE, 0xACD, 1, 3, 0xD, 0xFF }, read);
    }

    [Fact]
    public void ThrowIfNotResponseTo_SpecExceptionExample_ThrowsIllegalDataAddress()
    {
        // §7: read coil at address 0x04A1 of a device that has no such coil: 81 02.
        var response = Hex.Bytes("81 02");
        var error = Assert.Throws<ModbusExceptionResponseException>(
            () => ModbusPdu.ThrowIfNotResponseTo(response, ModbusFunctionCode.ReadCoils));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.ExceptionCode);
        Assert.Equal(ModbusFunctionCode.ReadCoils, error.FunctionCode);

        var model = new ModbusDataModel(1024);
        Assert.Equal(response, Serve(model, Hex.Bytes("01 04A1 0001")));
    }

    [Theory]
    [InlineData("03 0000 0000", "83 03")] // quantity 0: illegal data value (§6.3 state diagram)
    [InlineData("03 0000 007E", "83 03")] // 126 registers: over the 125 limit
    [InlineData("01 0000 07D1", "81 03")] // 2001 coils: over the 2000 limit
    [InlineData("03 FFFF 0002", "83 02")] // runs past the table: illegal data address
    [InlineData("05 0000 1234", "85 03")] // coil value neither FF00 nor 0000
    [InlineData("10 0000 0002 03 0001 0002", "90 03")] // byte count does not match quantity
    [InlineData("41 0000", "C1 01")] // unsupported function
    [InlineData("2B 0D 01 00", "AB 01")] // MEI type other than 0E
    public void Handle_InvalidRequest_AnswersExceptionCode(string request, string expected)
    {
        Assert.Equal(Hex.Bytes(expected), Serve(new ModbusDataModel(), Hex.Bytes(request)));
    }

    [Theory]
    [InlineData("03 02 0001")] // byte count says 2 registers were asked for 1... and then 1 missing
    [InlineData("03 04 0001")] // byte count 4 but only 2 data bytes
    [InlineData("03")] // no byte count
    [InlineData("04 02 0001")] // another function's response
    [InlineData("83 02 00")] // exception response with a trailing byte
    public void ReadRegistersResponse_Malformed_ThrowsProtocolException(string response)
    {
        var destination = new ushort[2];
        Assert.Throws<ModbusProtocolException>(
            () => ModbusPdu.ReadRegistersResponse(Hex.Bytes(response), ModbusFunctionCode.ReadHoldingRegisters, destination));
    }

    [Fact]
    public void ReadDeviceIdentificationResponse_VendorCapture_DecodesObjects()
    {
        // A KBR multicomp F144 energy meter's answer to 2B 0E 01 00, from its manual (RTU frame without address and CRC).
        var response = Hex.Bytes(
            "2B 0E 01 01 00 00 03 00 08 4B42522047 6D6248 01 12 6D756C7469636F6D7020463134342D332020 02 09 20322E303072303136");
        var objects = new Dictionary<byte, string>();
        var next = ModbusPdu.ReadDeviceIdentificationResponse(response, objects, out var conformity);
        Assert.Null(next);
        Assert.Equal(1, conformity);
        Assert.Equal("KBR GmbH", objects[0]);
        Assert.Equal("multicomp F144-3  ", objects[1]);
        Assert.Equal(" 2.00r016", objects[2]);

        var model = new ModbusDataModel(16) { DeviceIdentification = objects };
        var served = Serve(model, Hex.Bytes("2B 0E 01 00"));
        served[3] = 0x01; // our server states conformity 0x81 (basic, stream and individual access)
        Assert.Equal(response, served);
    }

    [Fact]
    public void ReadDeviceIdentificationResponse_ObjectPastEnd_ThrowsProtocolException()
    {
        var response = Hex.Bytes("2B 0E 01 01 00 00 01 00 08 4B42");
        Assert.Throws<ModbusProtocolException>(
            () => ModbusPdu.ReadDeviceIdentificationResponse(response, [], out _));
    }

    [Fact]
    public void Handle_BeforeReadHook_ServesDynamicValue()
    {
        var model = new ModbusDataModel(16);
        var calls = 0;
        model.BeforeRead = (table, address, count) =>
        {
            Assert.Equal(ModbusTable.InputRegisters, table);
            model.InputRegisters[address] = (ushort)(100 + ++calls);
        };
        Assert.Equal(Hex.Bytes("04 02 0065"), Serve(model, Hex.Bytes("04 0003 0001")));
        Assert.Equal(Hex.Bytes("04 02 0066"), Serve(model, Hex.Bytes("04 0003 0001")));
    }

    [Fact]
    public void Handle_HookThrowsExceptionResponse_AnswersItsCode()
    {
        var model = new ModbusDataModel(16)
        {
            BeforeRead = (_, _, _) => throw new ModbusExceptionResponseException(ModbusFunctionCode.ReadHoldingRegisters, ModbusExceptionCode.ServerDeviceBusy),
        };
        Assert.Equal(Hex.Bytes("83 06"), Serve(model, Hex.Bytes("03 0000 0001")));
    }

    private static byte[] Serve(ModbusDataModel model, byte[] request)
    {
        var response = new byte[ModbusPdu.MaxLength];
        var length = ModbusRequestHandler.Handle(model, request, response);
        return response[..length];
    }
}

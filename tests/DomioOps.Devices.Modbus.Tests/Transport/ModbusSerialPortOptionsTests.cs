using DomioOps.Devices.Modbus.Transport;

namespace DomioOps.Devices.Modbus.Tests.Transport;

// Inter-frame silence, Modbus over Serial Line v1.02 §2.5.1.1: 3.5 character times (11 bits each: start, 8 data,
// parity or a second stop bit, stop), and a fixed 1.75 ms above 19200 baud.
public sealed class ModbusSerialPortOptionsTests
{
    [Theory]
    [InlineData(9600, 4010)]
    [InlineData(19200, 2005)]
    [InlineData(38400, 1750)]
    [InlineData(115200, 1750)]
    public void InterFrameSilence_FromBaudRate_ThreeAndAHalfCharacters(int baudRate, int expectedMicroseconds)
    {
        var silence = new ModbusSerialPortOptions("/dev/ttyUSB0", baudRate).InterFrameSilence;
        Assert.Equal(expectedMicroseconds, (int)silence.TotalMicroseconds);
    }
}

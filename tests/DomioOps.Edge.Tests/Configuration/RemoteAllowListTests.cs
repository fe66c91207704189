using System.Text;

using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Configuration;

using Microsoft.Extensions.Configuration;

namespace DomioOps.Edge.Tests.Configuration;

/// <summary>
/// Which endpoints and serial ports a remote configuration may use: the local devices' own, and the allow-list's
/// (host or CIDR block and port or *, serial path globs). The local configuration holds one Modbus TCP device at
/// 10.0.0.5:502 and one serial bus on /dev/ttyS1.
/// </summary>
public sealed class RemoteAllowListTests
{
    private const string Local = """
        { "ModbusTcp": [ { "Machine": "saw-01", "Host": "10.0.0.5", "Port": 502 } ],
          "ModbusSerial": [ { "SerialPort": "/dev/ttyS1" } ] }
        """;

    [Theory]
    // The local devices' endpoints, with nothing listed.
    [InlineData("", """{ "ModbusTcp": [ { "Host": "10.0.0.5", "Port": 502 } ] }""", "")]
    [InlineData("", """{ "ModbusTcp": [ { "Host": "10.0.0.5", "Port": 503 } ] }""", "ModbusTcp:0:Host '10.0.0.5:503'")]
    [InlineData("", """{ "ModbusTcp": [ { "Host": "10.0.0.6", "Port": 502 } ] }""", "ModbusTcp:0:Host '10.0.0.6:502'")]
    [InlineData("", """{ "ModbusTcp": [ { "Port": 502 } ] }""", "ModbusTcp:0:Host '127.0.0.1:502'")]
    // A CIDR block and a port.
    [InlineData("10.1.2.0/24:502", """{ "ModbusTcp": [ { "Host": "10.1.2.77", "Port": 502 } ] }""", "")]
    [InlineData("10.1.2.0/24:502", """{ "ModbusTcp": [ { "Host": "10.1.3.1", "Port": 502 } ] }""", "ModbusTcp:0:Host '10.1.3.1:502'")]
    [InlineData("10.1.2.0/24:502", """{ "ModbusTcp": [ { "Host": "10.1.2.77", "Port": 503 } ] }""", "ModbusTcp:0:Host '10.1.2.77:503'")]
    // No DNS: a name is not an address, even one that resolves to it.
    [InlineData("127.0.0.1:*", """{ "ModbusTcp": [ { "Host": "127.0.0.1", "Port": 15020 } ] }""", "")]
    [InlineData("127.0.0.1:*", """{ "ModbusTcp": [ { "Host": "localhost", "Port": 15020 } ] }""", "ModbusTcp:0:Host 'localhost:15020'")]
    // Name patterns, case-insensitive; OPC UA endpoint URLs by host and port.
    [InlineData("plc-*.hall1:4840", """{ "OpcUa": [ { "EndpointUrl": "opc.tcp://PLC-7.hall1:4840" } ] }""", "")]
    [InlineData("plc-*.hall1:4840", """{ "OpcUa": [ { "EndpointUrl": "opc.tcp://plc-7.hall2:4840" } ] }""", "OpcUa:0:EndpointUrl 'plc-7.hall2:4840'")]
    [InlineData("plc-*.hall1:4840", """{ "OpcUa": [ { "EndpointUrl": "opc.tcp://plc-7.hall1:4841/server" } ] }""", "OpcUa:0:EndpointUrl 'plc-7.hall1:4841'")]
    [InlineData("[fd00::/64]:*", """{ "OpcUa": [ { "EndpointUrl": "opc.tcp://[fd00::5]:4840" } ] }""", "")]
    [InlineData("[fd00::/64]:*", """{ "OpcUa": [ { "EndpointUrl": "opc.tcp://[fd01::5]:4840" } ] }""", "OpcUa:0:EndpointUrl '[fd01::5]:4840'")]
    // Line devices over TCP.
    [InlineData("10.1.2.0/24:*", """{ "Line": [ { "Host": "10.1.2.9", "Port": 4001 } ] }""", "")]
    [InlineData("10.1.2.0/24:*", """{ "Line": [ { "Host": "10.9.2.9", "Port": 4001 } ] }""", "Line:0:Host '10.9.2.9:4001'")]
    // Every offending device is named, the allowed ones not.
    [InlineData("10.1.2.0/24:502", """{ "ModbusTcp": [ { "Host": "10.1.2.1", "Port": 502 }, { "Host": "192.168.0.1", "Port": 502 } ], "OpcUa": [ { "EndpointUrl": "opc.tcp://10.1.2.2:4840" } ] }""", "ModbusTcp:1:Host '192.168.0.1:502'; OpcUa:0:EndpointUrl '10.1.2.2:4840'")]
    public void Check_Endpoints(string allowed, string remote, string expected) =>
        Assert.Equal(expected, Check(allowed.Length == 0 ? [] : [allowed], [], remote));

    [Theory]
    [InlineData("", """{ "ModbusSerial": [ { "SerialPort": "/dev/ttyS1" } ] }""", "")]
    [InlineData("", """{ "ModbusSerial": [ { "SerialPort": "/dev/ttyS2" } ] }""", "ModbusSerial:0:SerialPort '/dev/ttyS2'")]
    [InlineData("/dev/ttyUSB*", """{ "ModbusSerial": [ { "SerialPort": "/dev/ttyUSB3" } ] }""", "")]
    [InlineData("/dev/ttyUSB*", """{ "Line": [ { "SerialPort": "/dev/ttyUSB3" } ] }""", "")]
    [InlineData("/dev/ttyUSB*", """{ "Line": [ { "SerialPort": "/dev/ttyACM0" } ] }""", "Line:0:SerialPort '/dev/ttyACM0'")]
    [InlineData("/dev/ttyUSB*", """{ "ModbusSerial": [ { "SerialPort": "/dev/ttyUSB0/../../etc/shadow" } ] }""", "ModbusSerial:0:SerialPort '/dev/ttyUSB0/../../etc/shadow'")]
    [InlineData("/dev/*", """{ "ModbusSerial": [ { "SerialPort": "/dev/../etc/shadow" } ] }""", "ModbusSerial:0:SerialPort '/dev/../etc/shadow'")]
    public void Check_SerialPorts(string allowed, string remote, string expected) =>
        Assert.Equal(expected, Check([], allowed.Length == 0 ? [] : [allowed], remote));

    [Fact]
    public void Check_Refusal_SaysHowToAllowIt()
    {
        var errors = new List<string>();
        new RemoteAllowList(new RemoteConfigurationOptions(), Devices(Local)).Check(
            Devices("""{ "ModbusTcp": [ { "Host": "10.6.6.6", "Port": 502 } ], "Line": [ { "SerialPort": "/dev/ttyUSB9" } ] }"""),
            (ok, key, problem) =>
            {
                if (!ok)
                {
                    errors.Add($"{key}: {problem}");
                }

                return ok;
            });

        Assert.Equal(
            [
                "Devices:ModbusTcp:0:Host: '10.6.6.6:502' is not an endpoint a remote configuration may use: add it to Edge:RemoteConfiguration:AllowedEndpoints in the edge's local configuration, or configure the device there",
                "Devices:Line:0:SerialPort: '/dev/ttyUSB9' is not a serial port a remote configuration may use: add it to Edge:RemoteConfiguration:AllowedSerialPorts in the edge's local configuration, or configure the device there",
            ],
            errors);
    }

    /// <summary>The refused keys and values, "key 'value'" joined by "; ".</summary>
    private static string Check(List<string> endpoints, List<string> serialPorts, string remote)
    {
        var refused = new List<string>();
        var options = new RemoteConfigurationOptions { AllowedEndpoints = endpoints, AllowedSerialPorts = serialPorts };
        new RemoteAllowList(options, Devices(Local)).Check(Devices(remote), (ok, key, problem) =>
        {
            if (!ok)
            {
                refused.Add($"{key["Devices:".Length..]} {problem[..(problem.IndexOf("' ", StringComparison.Ordinal) + 1)]}");
            }

            return ok;
        });
        return string.Join("; ", refused);
    }

    private static DevicesOptions Devices(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "Edge": { "Devices": {{json}} } }"""))).Build();
        var errors = new List<string>();
        var devices = DevicesSection.Read(configuration, errors);
        Assert.Empty(errors);
        return devices;
    }
}

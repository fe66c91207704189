using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Configuration;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Configuration;

namespace DomioOps.Edge.Tests.Configuration;

/// <summary><c>Edge:Devices</c> read from the configuration's files and providers, as the configuration binder reads it.</summary>
public sealed class DevicesSectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-devices-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Configurations => ["appsettings.json", "appsettings.SimulatedFactory.json", "appsettings.ComposeFactory.json"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Read_ShippedFileWithOverrides_SameDevicesAsTheBinder(string file)
    {
        // As ./domio run starts the edge: the shipped files, then single keys from the environment.
        var edge = Path.Combine(Testing.RepositoryRoot.Find(), "edge", "DomioOps.Edge");
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(edge, "appsettings.json"))
            .AddJsonFile(Path.Combine(edge, file))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Edge:Devices:ModbusTcp:0:Port"] = "15020",
                ["edge:devices:modbustcp:0:tags:1:type"] = "UInt64",
                ["Edge:Devices:ModbusTcp:3:Machine"] = "saw-09",
                ["Edge:Devices:ModbusTcp:3:Tags:0:Signal"] = "PieceCounter",
            })
            .Build();

        AssertSameAsBinder(configuration);
        Assert.Equal(15020, EdgeSection.Read(configuration).Devices.ModbusTcp[0].Port);
    }

    [Fact]
    public void Read_EveryKeyOfEveryProtocol_SameDevicesAsTheBinder()
    {
        var configuration = Load("""
            { "Edge": { "Devices": {
                "ModbusTcp": [ { "Machine": "saw-01", "Host": "10.0.0.5", "Port": "5020", "UnitId": 3, "PollInterval": "00:00:00.100", "ResponseTimeout": "2",
                                 "Tags": [ { "Signal": "emergency", "Table": "DiscreteInputs", "Register": 3, "Type": "Bit", "Scale": 1e-1, "Offset": -4.5,
                                             "Deadband": 0.25, "Report": "Period", "Period": "00:01:00", "MaxSilence": "00:00:05" },
                                           { "Signal": 13, "Register": 12, "Type": "Float32", "ByteOrder": "CDAB", "Bit": 7 } ] } ],
                "ModbusSerial": [ { "SerialPort": "/dev/ttyUSB0", "Framing": "Ascii", "BaudRate": 9600, "Parity": "Odd", "DataBits": 7, "StopBits": "Two",
                                    "RtsEnable": true, "DtrEnable": "false", "ResponseTimeout": "00:00:01", "FailuresBeforeOpen": 5, "OpenDuration": "00:00:30",
                                    "Units": [ { "Machine": "meter-01", "UnitId": 1, "ResponseTimeout": "", "Tags": [ { "Signal": "Power" } ] },
                                                { "Machine": "meter-02", "UnitId": 2, "ResponseTimeout": "00:00:02", "Tags": [ { "Signal": "Energy", "Type": "UInt32" } ] } ] } ],
                "OpcUa": [ { "EndpointUrl": "opc.tcp://10.0.0.21:4840", "AutoMap": true, "MachineIds": { "CNC-7": "cnc-01", "7": "cnc-07" },
                             "SecurityPolicy": "Basic256Sha256", "UserName": "edge", "Password": null, "PublishingInterval": "00:00:00.500",
                             "SamplingInterval": "0", "QueueSize": 4, "Tags": [] },
                           { "Machine": "router-02", "EndpointUrl": "opc.tcp://10.0.0.22:4840",
                             "Tags": [ { "Signal": "SpindleLoad", "NodeId": "ns=2;s=Spindle.Load", "SamplingInterval": "00:00:00.050", "QueueSize": 2,
                                         "DeadbandType": "Percent", "DeadbandValue": 2.5 } ] } ],
                "Line": [ { "Machine": "eb-01", "Host": "10.0.0.9", "Port": 4001, "Request": "?\\r\\n", "RequestInterval": "00:00:02", "SilenceTimeout": "00:00:20",
                            "MaxLineLength": 256, "Checksum": "Nmea", "PairSeparators": ";", "KeyValueSeparator": ":",
                            "Fields": [ { "Signal": "GlueTemperature", "Key": "GT", "Scale": 0.1 },
                                        { "Signal": "MachineState", "Pattern": "STATE:(?<s>[A-Z]+)", "Group": "s", "Values": { "RUN": 3, "IDLE": "2" } } ] } ] } } }
            """);

        AssertSameAsBinder(configuration);
        var devices = EdgeSection.Read(configuration).Devices;
        Assert.Equal(Signal.Power, devices.ModbusTcp[0].Tags[1].Signal);
        Assert.Equal(TimeSpan.FromDays(2), devices.ModbusTcp[0].ResponseTimeout);
        Assert.Null(devices.ModbusSerial[0].Units[0].ResponseTimeout);
        Assert.Equal(2, devices.Line[0].Fields[1].Values["IDLE"]);
        Assert.Equal("cnc-07", devices.OpcUa[0].MachineIds["7"]);
    }

    [Fact]
    public void Read_UnknownKeysAndValuesThatDoNotConvert_EachAnErrorWithFileKeyAndExpected()
    {
        var file = Path.Combine(_folder, "edge.json");
        var configuration = Load("""
            { "Edge": { "Site": "plant-1", "Id": "edge-1", "Devices": {
                "Modbus": [ { "Machine": "saw-02" } ],
                "ModbusTcp": [ { "Machine": "saw-01", "Prot": 5020, "PollInterval": "fast", "Port": { "Number": 502 },
                                 "Tags": [ { "Signal": "Spindle", "Register": "x" }, { "Signal": "Power", "Type": "Float32", "ByteOrder": "ABDC" } ] } ] } } }
            """, ("Edge:Devices:ModbusTcp:0:UnitId", "300"));

        var failures = new EdgeOptionsValidation(configuration).Validate(null, EdgeSection.Read(configuration)).Failures!.ToList();

        string[] expected =
        [
            $"{file}: Edge:Devices:Modbus: unknown key: remove it or check its spelling; the keys here are ModbusTcp, ModbusSerial, OpcUa, Line",
            $"{file}: Edge:Devices:ModbusTcp:0:Prot: unknown key: remove it or check its spelling; the keys here are Machine, Host, Port, ",
            $"{file}: Edge:Devices:ModbusTcp:0:PollInterval: 'fast' is not a valid value here: a time span, e.g. \"00:00:00.500\"",
            $"{file}: Edge:Devices:ModbusTcp:0:Port:Number: unknown key: Port takes a value, not keys below it",
            $"{file}: Edge:Devices:ModbusTcp:0:Tags:0:Signal: 'Spindle' is not a valid value here: one of Unspecified, MachineState, ",
            $"{file}: Edge:Devices:ModbusTcp:0:Tags:0:Register: 'x' is not a valid value here: a whole number, 0-65535",
            $"{file}: Edge:Devices:ModbusTcp:0:Tags:1:ByteOrder: 'ABDC' is not a valid value here: one of ABCD, CDAB, BADC, DCBA",
            "MemoryConfigurationProvider: Edge:Devices:ModbusTcp:0:UnitId: '300' is not a valid value here: a whole number, 0-255",
        ];
        Assert.Equal(expected.Length, failures.Count(f => !f.Contains(": Edge:Devices:ModbusTcp:0:Tags:0:Signal: name a signal", StringComparison.Ordinal)));
        var missing = expected.Where(prefix => !failures.Any(f => f.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"missing:\n{string.Join("\n", missing)}\nall:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public void Read_LaterFileSetsFewerItems_EarlierItemsMergedKeyByKey()
    {
        // IConfiguration merges lists by index: a site file with one device keeps the shipped file's second device.
        File.WriteAllText(Path.Combine(_folder, "base.json"), """
            { "Edge": { "Devices": { "ModbusTcp": [ { "Machine": "saw-01", "Tags": [ { "Signal": "Power", "Register": 1 }, { "Signal": "Energy", "Register": 2 } ] },
                                                  { "Machine": "saw-02", "Tags": [ { "Signal": "Power" } ] } ] } } }
            """);
        var configuration = Load("""{ "Edge": { "devices": { "modbusTcp": [ { "Machine": "cnc-01", "Tags": [ { "Register": 7 } ] } ] } } }""", before: "base.json");

        AssertSameAsBinder(configuration);
        var devices = EdgeSection.Read(configuration).Devices.ModbusTcp;
        Assert.Equal(["cnc-01", "saw-02"], devices.Select(d => d.Machine));
        Assert.Equal([(Signal.Power, (ushort)7), (Signal.Energy, (ushort)2)], devices[0].Tags.Select(t => (t.Signal, t.Register)));
    }

    private static void AssertSameAsBinder(IConfigurationRoot configuration)
    {
        var errors = new List<string>();
        var read = DevicesSection.Read(configuration, errors);
        var bound = configuration.GetSection(DevicesSection.Path).Get<DevicesOptions>() ?? new DevicesOptions();

        Assert.Empty(errors);
        Assert.Equal(DeviceConfiguration.Fingerprint(bound), DeviceConfiguration.Fingerprint(read));
    }

    private IConfigurationRoot Load(string json, (string Key, string Value)? environment = null, string? before = null)
    {
        var path = Path.Combine(_folder, "edge.json");
        File.WriteAllText(path, json);
        var builder = new ConfigurationBuilder();
        if (before is not null)
        {
            builder.AddJsonFile(Path.Combine(_folder, before));
        }

        builder.AddJsonFile(path);
        if (environment is { } pair)
        {
            builder.AddInMemoryCollection([new KeyValuePair<string, string?>(pair.Key, pair.Value)]);
        }

        return builder.Build();
    }
}

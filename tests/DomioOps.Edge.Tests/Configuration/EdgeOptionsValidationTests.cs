using System.Security.Cryptography;

using DomioOps.Edge.Configuration;

using Microsoft.Extensions.Configuration;

namespace DomioOps.Edge.Tests.Configuration;

public sealed class EdgeOptionsValidationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("appsettings.json")]
    [InlineData("appsettings.SimulatedFactory.json")]
    [InlineData("appsettings.ComposeFactory.json")]
    public void Validate_ShippedConfiguration_IsValid(string file)
    {
        // As the edge reads them: appsettings.json, then the environment's file on top.
        var edge = Path.Combine(Testing.RepositoryRoot.Find(), "edge", "DomioOps.Edge");
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(edge, "appsettings.json")).AddJsonFile(Path.Combine(edge, file)).Build();

        var result = new EdgeOptionsValidation(configuration).Validate(null, EdgeSection.Read(configuration));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_WrongValues_NameFileKeyAndFix()
    {
        var (options, validation) = Load("""
            { "Edge": { "Site": "plant 1", "Id": "edge-1",
                        "Devices": { "ModbusTcp": [ { "Machine": "saw-01", "Port": 70000, "Tags": [ { "Signal": "PieceCounter", "Register": 1, "Scale": 0 } ] } ] } } }
            """);

        var result = validation.Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith($"{Path.Combine(_folder, "edge.json")}: Edge:Site: set it to this plant's id", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Edge:Devices:ModbusTcp:0:Port: must be a TCP port, 1-65535", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Edge:Devices:ModbusTcp:0:Tags:0:Scale: must be a finite number other than 0", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);
    }

    [Fact]
    public void Validate_MissingKeys_SayNothingSetThem()
    {
        var (options, validation) = Load("""{ "Edge": { "Site": "plant-1" } }""");

        var failures = validation.Validate(null, options).Failures!.ToList();

        Assert.Equal(["not set in any configuration file: Edge:Id: set it to this edge's id, unique within the site (1-64 of A-Z a-z 0-9 - _ .), e.g. \"hall-a\""], failures);
    }

    [Fact]
    public void Validate_EveryDeviceKeyWrong_EachNamedWithItsFix()
    {
        var (options, validation) = Load("""
            { "Edge": { "Site": "plant-1", "Id": "edge-1", "Devices": {
                "ModbusTcp": [ { "Machine": "saw-01", "Host": "", "UnitId": 250, "PollInterval": "00:00:00.001", "ResponseTimeout": "00:00:00",
                                 "Tags": [ { "Signal": "Unspecified", "Table": "Coils", "Type": "UInt16", "Bit": 16, "Deadband": -1,
                                             "Report": "Period", "Period": "00:00:00", "MaxSilence": "00:00:00" } ] } ],
                "ModbusSerial": [ { "SerialPort": "", "BaudRate": 100, "DataBits": 6, "FailuresBeforeOpen": 0, "Units": [
                                    { "Machine": "saw-01", "UnitId": 0, "Tags": [ { "Signal": "Power", "Type": "String" } ] },
                                    { "Machine": "meter-02", "UnitId": 0, "Tags": [] } ] },
                                  { "SerialPort": "/dev/ttyUSB1", "Units": [] } ],
                "OpcUa": [ { "Machine": "cnc-01", "EndpointUrl": "http://cnc:4840", "SecurityPolicy": "Basic128", "QueueSize": 0,
                             "PublishingInterval": "00:00:00", "MachineIds": { "CNC 7": "cnc 7" },
                             "Tags": [ { "Signal": "SpindleLoad", "NodeId": "Spindle.Load", "QueueSize": 0, "DeadbandType": "Percent" } ] },
                           { "EndpointUrl": "opc.tcp://cnc-2:4840" } ],
                "Line": [ { "Machine": "eb-01", "Host": "10.0.0.5", "SerialPort": "/dev/ttyUSB1", "SilenceTimeout": "00:00:00", "MaxLineLength": 4,
                            "Fields": [ { "Signal": "GlueTemperature", "Key": "GT", "Pattern": "GT=(\\d+)" },
                                        { "Signal": "FeedSpeed", "Pattern": "F=(\\d+" },
                                        { "Signal": "Alarm", "Pattern": "ALARM" },
                                        { "Signal": "Power", "Pattern": "P=(?<p>\\d+)", "Group": "q" } ] },
                          { "Machine": "eb-02", "SerialPort": "/dev/ttyUSB1", "Fields": [] } ] } } }
            """);

        var failures = validation.Validate(null, options).Failures!.Select(f => f[(f.IndexOf(": Edge:", StringComparison.Ordinal) + 2)..]).ToList();

        string[] expected =
        [
            "Edge:Devices:ModbusTcp:0:Host: set it to the device's host name or address",
            "Edge:Devices:ModbusTcp:0:UnitId: must be 0-247",
            "Edge:Devices:ModbusTcp:0:PollInterval: must be at least 00:00:00.010",
            "Edge:Devices:ModbusTcp:0:ResponseTimeout: must be a positive time span",
            "Edge:Devices:ModbusTcp:0:Tags:0:Signal: name a signal: MachineState, ",
            "Edge:Devices:ModbusTcp:0:Tags:0:Deadband: must be 0 (every change) or a positive number",
            "Edge:Devices:ModbusTcp:0:Tags:0:MaxSilence: must be a positive time span",
            "Edge:Devices:ModbusTcp:0:Tags:0:Period: must be at least 00:00:00.010",
            "Edge:Devices:ModbusTcp:0:Tags:0:Type: Coils hold bits: set Type to Bit",
            "Edge:Devices:ModbusTcp:0:Tags:0:Bit: must be 0-15",
            "Edge:Devices:ModbusSerial:0:SerialPort: set it to the serial port, e.g. \"/dev/ttyUSB0\"",
            "Edge:Devices:ModbusSerial:0:BaudRate: must be 300-4000000",
            "Edge:Devices:ModbusSerial:0:DataBits: must be 7 or 8",
            "Edge:Devices:ModbusSerial:0:FailuresBeforeOpen: must be at least 1",
            "Edge:Devices:ModbusSerial:0:Units:0:Machine: 'saw-01' is already used by another device",
            "Edge:Devices:ModbusSerial:0:Units:0:UnitId: must be 1-247",
            "Edge:Devices:ModbusSerial:0:Units:0:Tags:0:Type: a signal is a number",
            "Edge:Devices:ModbusSerial:0:Units:1:UnitId: must be 1-247",
            "Edge:Devices:ModbusSerial:0:Units:1:UnitId: unit 0 is already used by another unit on this port",
            "Edge:Devices:ModbusSerial:0:Units:1:Tags: list at least one tag",
            "Edge:Devices:ModbusSerial:1:Units: list at least one unit",
            "Edge:Devices:OpcUa:0:EndpointUrl: set it to the server's endpoint, e.g. \"opc.tcp://",
            "Edge:Devices:OpcUa:0:SecurityPolicy: must be None or Basic256Sha256",
            "Edge:Devices:OpcUa:0:PublishingInterval: must be at least 00:00:00.010",
            "Edge:Devices:OpcUa:0:QueueSize: must be at least 1",
            "Edge:Devices:OpcUa:0:MachineIds:CNC 7: must be a machine id",
            "Edge:Devices:OpcUa:0:Tags:0:NodeId: must be a NodeId such as \"ns=2;s=Spindle.Load\"",
            "Edge:Devices:OpcUa:0:Tags:0:QueueSize: must be at least 1",
            "Edge:Devices:OpcUa:0:Tags:0:DeadbandValue: with DeadbandType Percent: the percentage",
            "Edge:Devices:OpcUa:1:Machine: set it to the machine's id",
            "Edge:Devices:OpcUa:1:Tags: list at least one tag (Signal, NodeId), or set AutoMap to true",
            "Edge:Devices:Line:0:Host: set either Host and Port (TCP) or SerialPort, not both",
            "Edge:Devices:Line:0:Port: must be a TCP port, 1-65535",
            "Edge:Devices:Line:0:SilenceTimeout: must be a positive time span",
            "Edge:Devices:Line:0:MaxLineLength: must be 16-65536",
            "Edge:Devices:Line:0:Fields:0:Key: set either Key (a key=value pair) or Pattern (a regular expression), not both",
            "Edge:Devices:Line:0:Fields:1:Pattern: is not a valid regular expression",
            "Edge:Devices:Line:0:Fields:2:Group: the pattern has no group: put the value in parentheses",
            "Edge:Devices:Line:0:Fields:3:Group: the pattern has no group 'q'; its groups are 0, p",
            "Edge:Devices:Line:1:SerialPort: '/dev/ttyUSB1' is already used by another device",
            "Edge:Devices:Line:1:Fields: list at least one field",
        ];
        var missing = expected.Where(prefix => !failures.Any(f => f.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        var unexpected = failures.Where(f => !expected.Any(prefix => f.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0, $"missing:\n{string.Join("\n", missing)}\nunexpected:\n{string.Join("\n", unexpected)}");
        Assert.Equal(expected.Length, failures.Count);
        var file = Path.Combine(_folder, "edge.json");
        var sources = validation.Validate(null, options).Failures!.ToDictionary(f => f[(f.IndexOf(": Edge:", StringComparison.Ordinal) + 2)..], f => f[..f.IndexOf(": Edge:", StringComparison.Ordinal)]);
        Assert.Equal(file, sources.Single(f => f.Key.StartsWith("Edge:Devices:Line:0:MaxLineLength", StringComparison.Ordinal)).Value);
        Assert.Equal("not set in any configuration file", sources.Single(f => f.Key.StartsWith("Edge:Devices:OpcUa:1:Machine", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void Validate_EveryProtocolWellConfigured_IsValid()
    {
        var (options, validation) = Load("""
            { "Edge": { "Site": "plant-1", "Id": "edge-1", "Devices": {
                "ModbusTcp": [ { "Machine": "saw-01", "Tags": [ { "Signal": "Emergency", "Table": "DiscreteInputs", "Register": 3, "Type": "Bit" } ] } ],
                "ModbusSerial": [ { "SerialPort": "/dev/ttyUSB0", "Framing": "Ascii", "Units": [
                    { "Machine": "meter-01", "UnitId": 1, "Tags": [ { "Signal": "Power", "Table": "InputRegisters", "Register": 12, "Type": "Float32", "ByteOrder": "CDAB" } ] },
                    { "Machine": "meter-02", "UnitId": 2, "ResponseTimeout": "00:00:01", "Tags": [ { "Signal": "Energy", "Register": 0, "Type": "UInt32", "Report": "Period", "Period": "00:01:00" } ] } ] } ],
                "OpcUa": [ { "EndpointUrl": "opc.tcp://10.0.0.21:4840", "AutoMap": true, "MachineIds": { "CNC-7": "cnc-01" } },
                           { "Machine": "router-02", "EndpointUrl": "opc.tcp://10.0.0.22:4840",
                             "Tags": [ { "Signal": "SpindleLoad", "NodeId": "nsu=http://vendor.example/UA/;s=Spindle.Load", "DeadbandType": "Absolute", "Deadband": 0.5 } ] } ],
                "Line": [ { "Machine": "edgebander-01", "SerialPort": "/dev/ttyUSB1",
                            "Fields": [ { "Signal": "GlueTemperature", "Key": "GT", "Scale": 0.1 },
                                        { "Signal": "MachineState", "Pattern": "STATE:(?<s>[A-Z]+)", "Group": "s", "Values": { "RUN": 3, "IDLE": 2 } } ] } ] } } }
            """);

        var result = validation.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SigningKeyFileOfTheCloud_IsValid()
    {
        using var cloud = new CloudKey();
        var (options, validation) = Load($$"""
            { "Edge": { "Site": "plant-1", "Id": "edge-1",
                        "RemoteConfiguration": { "SigningKeyPath": "{{cloud.WritePublicKey(_folder)}}",
                                                 "AllowedEndpoints": [ "10.1.2.0/24:502", "plc-*.hall1:4840", "127.0.0.1:*", "[fd00::/64]:*", "[::1]:4840", "*:5020" ],
                                                 "AllowedSerialPorts": [ "/dev/ttyUSB*", "COM3" ] } } }
            """);

        var result = validation.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("not a key", "holds no PEM block")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "holds a CERTIFICATE, not a public key")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "is not an ECDSA public key")]
    public void Validate_SigningKeyFileMalformed_NamesFileKeyAndFix(string content, string problem)
    {
        var key = Path.Combine(_folder, "cloud.pem");
        File.WriteAllText(key, content);
        var (options, validation) = Load($$"""{ "Edge": { "Site": "plant-1", "Id": "edge-1", "RemoteConfiguration": { "SigningKeyPath": "{{key}}" } } }""");

        var failure = Assert.Single(validation.Validate(null, options).Failures!);

        Assert.StartsWith($"{Path.Combine(_folder, "edge.json")}: Edge:RemoteConfiguration:SigningKeyPath: '{key}' {problem}", failure, StringComparison.Ordinal);
        Assert.EndsWith("give the cloud's configuration key, shown when the edge was registered (\"-----BEGIN PUBLIC KEY-----\", ECDSA P-256)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SigningKeyWrongKind_Refused()
    {
        using var cloud = new CloudKey();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        string[] wrong = [cloud.PrivateKeyPem, p384.ExportSubjectPublicKeyInfoPem(), rsa.ExportSubjectPublicKeyInfoPem()];
        string[] expected = ["holds a private key (PRIVATE KEY)", "holds an ECDSA key on another curve than P-256", "is not an ECDSA public key"];

        for (var i = 0; i < wrong.Length; i++)
        {
            var path = Path.Combine(_folder, $"key-{i}.pem");
            File.WriteAllText(path, wrong[i]);
            var (options, validation) = Load($$"""{ "Edge": { "Site": "plant-1", "Id": "edge-1", "RemoteConfiguration": { "SigningKeyPath": "{{path}}" } } }""");
            var failure = Assert.Single(validation.Validate(null, options).Failures!);
            Assert.Contains($"Edge:RemoteConfiguration:SigningKeyPath: '{path}' {expected[i]}", failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_SigningKeyMissingOrTwice_NamesTheKey()
    {
        using var cloud = new CloudKey();
        var missing = Path.Combine(_folder, "nowhere.pem");
        var (options, validation) = Load($$"""{ "Edge": { "Site": "plant-1", "Id": "edge-1", "RemoteConfiguration": { "SigningKeyPath": "{{missing}}" } } }""");
        Assert.StartsWith(
            $"{Path.Combine(_folder, "edge.json")}: Edge:RemoteConfiguration:SigningKeyPath: '{missing}' cannot be read (",
            Assert.Single(validation.Validate(null, options).Failures!),
            StringComparison.Ordinal);

        (options, validation) = Load($$"""{ "Edge": { "Site": "plant-1", "Id": "edge-1", "RemoteConfiguration": { "SigningKeyPath": "{{cloud.WritePublicKey(_folder)}}", "SigningKey": "x" } } }""");
        Assert.EndsWith(
            "Edge:RemoteConfiguration:SigningKeyPath: set either SigningKey (the PEM text) or SigningKeyPath (a PEM file), not both",
            Assert.Single(validation.Validate(null, options).Failures!),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AllowListEntriesMalformed_EachNamed()
    {
        var (options, validation) = Load("""
            { "Edge": { "Site": "plant-1", "Id": "edge-1", "RemoteConfiguration": {
                "AllowedEndpoints": [ "10.1.2.0/33:502", "plc-1:99999", "plc-1", "::1:502", "plc 1:502", "10.1.2.5/24:*" ],
                "AllowedSerialPorts": [ "/dev/../etc/shadow", "" ] } } }
            """);

        var failures = validation.Validate(null, options).Failures!.Select(f => f[(f.IndexOf(": Edge:", StringComparison.Ordinal) + 2)..]).ToList();

        string[] expected =
        [
            "Edge:RemoteConfiguration:AllowedEndpoints:0: '10.1.2.0/33:502' is not an endpoint: write host:port, where host is a name",
            "Edge:RemoteConfiguration:AllowedEndpoints:1: 'plc-1:99999' is not an endpoint",
            "Edge:RemoteConfiguration:AllowedEndpoints:2: 'plc-1' is not an endpoint",
            "Edge:RemoteConfiguration:AllowedEndpoints:3: '::1:502' is not an endpoint",
            "Edge:RemoteConfiguration:AllowedEndpoints:4: 'plc 1:502' is not an endpoint",
            "Edge:RemoteConfiguration:AllowedEndpoints:5: '10.1.2.5/24:*' is not an endpoint",
            "Edge:RemoteConfiguration:AllowedSerialPorts:0: '/dev/../etc/shadow' is not a serial port: write its path",
            "Edge:RemoteConfiguration:AllowedSerialPorts:1: '' is not a serial port",
        ];
        Assert.True(expected.Length == failures.Count, string.Join("\n", failures));
        Assert.All(expected.Zip(failures), pair => Assert.StartsWith(pair.First, pair.Second, StringComparison.Ordinal));
    }

    private (EdgeOptions Options, EdgeOptionsValidation Validation) Load(string json)
    {
        var path = Path.Combine(_folder, "edge.json");
        File.WriteAllText(path, json);
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var options = EdgeSection.Read(configuration);
        return (options, new EdgeOptionsValidation(configuration));
    }
}

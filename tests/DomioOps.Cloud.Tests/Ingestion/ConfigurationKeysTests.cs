using System.Text.Json.Nodes;

using DomioOps.Cloud.Ingestion;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>
/// A remote configuration shown by key with each error beside the key it names. The error texts are the edge's own
/// (DevicesValidation, RemoteAllowList, DeviceConfiguration), as it reports them on its status topic.
/// </summary>
public sealed class ConfigurationKeysTests
{
    private const string Saw = """
        {"Devices": {"ModbusTcp": [{"Machine": "saw-1", "Port": 70000, "Password": "s3cret", "Tags": []}], "Line": []}}
        """;

    [Fact]
    public void Place_NestedObjectsAndArrays_OneRowPerValueInDocumentOrderWithSecretsMasked()
    {
        var keys = ConfigurationKeys.Place(JsonNode.Parse(Saw), []);

        Assert.Equal(
            [
                new("Devices:ModbusTcp:0:Machine", "saw-1", true, []),
                new("Devices:ModbusTcp:0:Port", "70000", true, []),
                new("Devices:ModbusTcp:0:Password", "********", true, []),
                new("Devices:ModbusTcp:0:Tags", "[]", true, []),
                new ConfigurationKeyRow("Devices:Line", "[]", true, []),
            ],
            keys.Rows.Select(r => r with { Errors = [] }));
        Assert.Empty(keys.Unplaced);
    }

    [Fact]
    public void Place_ErrorAtAKeyOfTheConfiguration_BesideThatKeyWhateverItsCase()
    {
        var keys = ConfigurationKeys.Place(JsonNode.Parse(Saw), [new("devices:modbustcp:0:port", "must be a TCP port, 1-65535")]);

        var port = Assert.Single(keys.Rows, r => r.Errors.Count > 0);
        Assert.Equal(("Devices:ModbusTcp:0:Port", "70000"), (port.Key, port.Value));
        Assert.Equal(["must be a TCP port, 1-65535"], port.Errors);
    }

    [Fact]
    public void Place_ErrorAtAKeyTheConfigurationLacks_RowOfItsOwnAfterItsDevice()
    {
        var keys = ConfigurationKeys.Place(JsonNode.Parse(Saw), [new("Devices:ModbusTcp:0:Host", "set it to the device's host name or address")]);

        Assert.Equal(
            ["Devices:ModbusTcp:0:Machine", "Devices:ModbusTcp:0:Port", "Devices:ModbusTcp:0:Password", "Devices:ModbusTcp:0:Tags", "Devices:ModbusTcp:0:Host", "Devices:Line"],
            keys.Rows.Select(r => r.Key));
        Assert.Equal(new ConfigurationKeyRow("Devices:ModbusTcp:0:Host", null, false, []), keys.Rows[4] with { Errors = [] });
        Assert.Equal(["set it to the device's host name or address"], keys.Rows[4].Errors);
    }

    [Fact]
    public void Place_ErrorNamingNoKey_LeftUnplaced()
    {
        var keys = ConfigurationKeys.Place(null, [new(null, "remote configuration is off")]);

        Assert.Empty(keys.Rows);
        Assert.Equal(["remote configuration is off"], keys.Unplaced);
    }

    [Fact]
    public void FromEdge_ValidationError_KeyRelativeToEdgeAndTheProblemWithoutTheFile()
    {
        var error = ConfigurationKeys.FromEdge("/var/lib/domio-edge/remote-configuration.json.candidate: Edge:Devices:ModbusTcp:0:Port: must be a TCP port, 1-65535");

        Assert.Equal(new ConfigurationError("Devices:ModbusTcp:0:Port", "must be a TCP port, 1-65535"), error);
    }

    [Fact]
    public void FromEdge_AllowListErrorWithColonsInItsValue_KeyEndsAtTheFirstColonAndSpace()
    {
        var error = ConfigurationKeys.FromEdge(
            "/data/remote-configuration.json.candidate: Edge:Devices:ModbusTcp:2:Host: '10.1.3.7:502' is not an endpoint a remote configuration may use: add it to Edge:RemoteConfiguration:AllowedEndpoints");

        Assert.Equal(
            new ConfigurationError("Devices:ModbusTcp:2:Host", "'10.1.3.7:502' is not an endpoint a remote configuration may use: add it to Edge:RemoteConfiguration:AllowedEndpoints"),
            error);
    }

    [Theory]
    [InlineData("remote configuration is off: set Edge:RemoteConfiguration:SigningKeyPath to the cloud's configuration key (shown when the edge was registered)")]
    [InlineData("/data/remote-configuration.json.candidate: Edge: a remote configuration sets only Edge:Devices; remove Publishing")]
    public void FromEdge_ErrorNamingNoDeviceKey_WholeTextWithoutKey(string text)
    {
        Assert.Equal(new ConfigurationError(null, text), ConfigurationKeys.FromEdge(text));
    }
}

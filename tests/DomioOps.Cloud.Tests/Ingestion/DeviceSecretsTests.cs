using System.Text.Json;

using DomioOps.Cloud.Ingestion;

namespace DomioOps.Cloud.Tests.Ingestion;

/// <summary>Passwords in an edge's remote device configuration never come back through the API, and a masked one sent back is kept.</summary>
public sealed class DeviceSecretsTests
{
    private const string Stored = """
        {"Devices":{"OpcUa":[{"Machine":"cnc-01","EndpointUrl":"opc.tcp://10.0.0.5:4840","UserName":"reader","Password":"s3cret"}],
        "ModbusTcp":[{"Machine":"saw-01","Host":"10.0.0.6"}]}}
        """;

    [Fact]
    public void Redact_PasswordOfAnOpcUaDevice_ReadsAsMaskAndNothingElseChanges()
    {
        var redacted = DeviceSecrets.Redact(Stored)!.ToJsonString();

        Assert.Equal(
            """{"Devices":{"OpcUa":[{"Machine":"cnc-01","EndpointUrl":"opc.tcp://10.0.0.5:4840","UserName":"reader","Password":"********"}],"ModbusTcp":[{"Machine":"saw-01","Host":"10.0.0.6"}]}}""",
            redacted);
        Assert.DoesNotContain("s3cret", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_MaskedPasswordOfTheSameDevice_KeepsTheStoredOne()
    {
        var edited = Parse("""{"Devices":{"OpcUa":[{"Machine":"cnc-01","EndpointUrl":"opc.tcp://10.0.0.5:4840","UserName":"reader","Password":"********","QueueSize":20}]}}""");

        var (json, unresolved) = DeviceSecrets.Restore(edited, Stored);

        Assert.Empty(unresolved);
        Assert.Equal("""{"Devices":{"OpcUa":[{"Machine":"cnc-01","EndpointUrl":"opc.tcp://10.0.0.5:4840","UserName":"reader","Password":"s3cret","QueueSize":20}]}}""", json);
    }

    [Theory]
    [InlineData("""{"Devices":{"OpcUa":[{"Machine":"cnc-01","EndpointUrl":"opc.tcp://203.0.113.9:4840","Password":"********"}]}}""")]
    [InlineData("""{"Devices":{"OpcUa":[{"Machine":"cnc-02","EndpointUrl":"opc.tcp://10.0.0.5:4840","Password":"********"}]}}""")]
    [InlineData("""{"Devices":{"OpcUa":[{},{"Machine":"cnc-01","EndpointUrl":"opc.tcp://10.0.0.5:4840","Password":"********"}]}}""")]
    public void Restore_MaskWhereAnotherDeviceIsNow_Unresolved(string body)
    {
        // Sending the stored password to another endpoint would hand it to whoever runs that endpoint.
        var (_, unresolved) = DeviceSecrets.Restore(Parse(body), Stored);

        Assert.Single(unresolved);
    }

    [Fact]
    public void Restore_NoStoredConfiguration_MaskUnresolvedAndPlainPasswordTaken()
    {
        var (json, unresolved) = DeviceSecrets.Restore(Parse("""{"Devices":{"OpcUa":[{"Password":"********"},{"Password":"new-one"}]}}"""), storedJson: null);

        Assert.Equal(["Devices:OpcUa:0:Password"], unresolved);
        Assert.Contains("new-one", json, StringComparison.Ordinal);
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}

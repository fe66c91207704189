using DomioOps.Edge.Configuration;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Edge.Tests.Configuration;

/// <summary>The devices in force: the configuration file (reloaded when it changes) or the cloud's last good remote configuration.</summary>
public sealed class DeviceConfigurationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("domioops-config-").FullName;

    public DeviceConfigurationTests() => WriteFile(Device("saw-01", 5020));

    private string FilePath => Path.Combine(folder, "edge.json");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Apply_ValidRemote_DevicesReplacedReportedAndSignalled()
    {
        using var configuration = Open(out var root);
        var changed = configuration.Changed;

        Assert.True(configuration.Apply(Remote(1, Device("cnc-01", 5021))));

        Assert.True(changed.IsCompleted);
        Assert.Equal(["cnc-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
        Assert.Equal((1ul, 0ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.Empty(configuration.Errors);
        Assert.True(File.Exists(Path.Combine(folder, "data", DeviceConfiguration.RemoteFile)));
    }

    [Fact]
    public void Apply_InvalidRemote_RefusedWithTheKey_LastGoodKeepsRunning()
    {
        using var configuration = Open(out _);
        configuration.Apply(Remote(1, Device("cnc-01", 5021)));
        var changed = configuration.Changed;

        Assert.True(configuration.Apply(Remote(2, Device("cnc-02", 70000))));

        Assert.True(changed.IsCompleted);
        Assert.Equal(["cnc-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
        Assert.Equal((1ul, 2ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        var error = Assert.Single(configuration.Errors);
        Assert.Contains("Edge:Devices:ModbusTcp:0:Port", error, StringComparison.Ordinal);
        Assert.Contains(DeviceConfiguration.RemoteFile, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Devices": {"ModbusTcp": [{"Machine": "x", "Port": "not a port"}]}}""", "Edge:Devices:ModbusTcp:0:Port: 'not a port'")]
    [InlineData("""{"Publishing": {"BrokerHost": "evil.example"}}""", "remove Publishing")]
    [InlineData("""[1, 2]""", "Edge")]
    [InlineData("""{"Devices": """, "JSON")]
    public void Apply_MalformedOrLocalOnly_Refused(string devicesJson, string expected)
    {
        using var configuration = Open(out _);

        configuration.Apply(new EdgeConfiguration { SchemaVersion = 1, Site = "plant-1", Edge = "edge-1", Version = 1, DevicesJson = devicesJson });

        Assert.Equal((0ul, 1ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.Contains(configuration.Errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(["saw-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
    }

    [Fact]
    public void Apply_SameOrOlderVersion_Ignored()
    {
        using var configuration = Open(out _);
        configuration.Apply(Remote(3, Device("cnc-01", 5021)));
        var changed = configuration.Changed;

        Assert.False(configuration.Apply(Remote(3, Device("cnc-02", 5022))));
        Assert.False(configuration.Apply(Remote(2, Device("cnc-02", 5022))));

        Assert.False(changed.IsCompleted);
        Assert.Equal(["cnc-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
    }

    [Fact]
    public void Restart_LastGoodRemoteInForce()
    {
        using (var configuration = Open(out _))
        {
            configuration.Apply(Remote(4, Device("cnc-01", 5021)));
            configuration.Apply(Remote(5, Device("cnc-02", 0)));
        }

        using var restarted = Open(out _);

        Assert.Equal(["cnc-01"], restarted.Devices.ModbusTcp.Select(d => d.Machine));
        Assert.Equal(4ul, restarted.AppliedVersion);
    }

    [Fact]
    public async Task FileChanged_ValidDevicesReloaded_InvalidIgnored()
    {
        using var configuration = Open(out _);
        var changed = configuration.Changed;

        WriteFile(Device("saw-01", 5020), Device("saw-02", 5030));
        await changed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(["saw-01", "saw-02"], configuration.Devices.ModbusTcp.Select(d => d.Machine));

        changed = configuration.Changed;
        WriteFile(Device("saw-01", 5020), Device("saw-01", 5030));
        WriteFile(Device("saw-01", 5020), Device("saw-03", 5040));
        await changed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The duplicate machine id never ran; the next valid file did.
        Assert.Equal(["saw-01", "saw-03"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
    }

    private DeviceConfiguration Open(out IConfigurationRoot root)
    {
        root = new ConfigurationBuilder().AddJsonFile(FilePath, optional: false, reloadOnChange: true).Build();
        var options = EdgeSection.Read(root);
        var validation = new EdgeOptionsValidation(root);
        Assert.True(validation.Validate(null, options).Succeeded);
        return new DeviceConfiguration(root, Microsoft.Extensions.Options.Options.Create(options), validation, NullLogger<DeviceConfiguration>.Instance);
    }

    private void WriteFile(params string[] devices) => File.WriteAllText(FilePath, $$"""
        { "Edge": { "Site": "plant-1", "Id": "edge-1", "DataDirectory": "{{Path.Combine(folder, "data")}}",
                    "Devices": { "ModbusTcp": [ {{string.Join(", ", devices)}} ] } } }
        """);

    private static EdgeConfiguration Remote(ulong version, params string[] devices) => new()
    {
        SchemaVersion = 1,
        Site = "plant-1",
        Edge = "edge-1",
        Version = version,
        DevicesJson = $$"""{ "Devices": { "ModbusTcp": [ {{string.Join(", ", devices)}} ] } }""",
    };

    private static string Device(string machine, int port) =>
        $$"""{ "Machine": "{{machine}}", "Port": {{port}}, "Tags": [ { "Signal": "PieceCounter", "Register": 1 } ] }""";
}

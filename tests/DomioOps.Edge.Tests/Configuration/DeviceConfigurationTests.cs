using DomioOps.Edge.Configuration;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Edge.Tests.Configuration;

/// <summary>
/// The devices in force: the configuration file (reloaded when it changes) or the cloud's last good remote
/// configuration, signed by the cloud's key pinned in Edge:RemoteConfiguration.
/// </summary>
public sealed class DeviceConfigurationTests : IDisposable
{
    private const string Unverified = "domio.edge.configurations.unverified";
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-config-").FullName;
    private readonly CloudKey _cloud = new();
    private readonly CloudKey _impostor = new();
    private string _remoteSection;

    public DeviceConfigurationTests()
    {
        _remoteSection = $$"""{ "SigningKeyPath": "{{_cloud.WritePublicKey(_folder)}}", "AllowedEndpoints": [ "127.0.0.1:*" ] }""";
        WriteFile(Device("saw-01", 5020));
    }

    private string FilePath => Path.Combine(_folder, "edge.json");

    public void Dispose()
    {
        _cloud.Dispose();
        _impostor.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

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
        Assert.True(File.Exists(Path.Combine(_folder, "data", DeviceConfiguration.RemoteFile)));
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

        configuration.Apply(_cloud.Sign(new EdgeConfiguration { SchemaVersion = 1, Site = "plant-1", Edge = "edge-1", Version = 1, DevicesJson = devicesJson }));

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

    [Fact]
    public void Apply_Unsigned_IgnoredAndCounted_NothingReported_SignedOneOfTheSameVersionApplied()
    {
        using var configuration = Open(out _);
        var changed = configuration.Changed;

        var counted = EdgeTestMetrics.Sum(Unverified, () => Assert.False(configuration.Apply(Unsigned(5, Device("cnc-01", 5021)))));

        Assert.Equal(1, counted);
        Assert.False(changed.IsCompleted);
        Assert.Equal((0ul, 0ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.Empty(configuration.Errors);
        Assert.Equal(["saw-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));

        Assert.True(configuration.Apply(Remote(5, Device("cnc-01", 5021))));
        Assert.Equal(["cnc-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
    }

    [Fact]
    public void Apply_SignedByAnotherKey_Ignored()
    {
        using var configuration = Open(out _);

        Assert.False(configuration.Apply(_impostor.Sign(Unsigned(1, Device("cnc-01", 5021)))));

        Assert.Equal((0ul, 0ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.Equal(["saw-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
        Assert.False(File.Exists(Path.Combine(_folder, "data", DeviceConfiguration.RemoteFile)));
    }

    [Fact]
    public void Apply_DevicesChangedAfterSigning_Ignored_TheSignedOneStillApplies()
    {
        using var configuration = Open(out _);
        var signed = Remote(1, Device("cnc-01", 5021));
        var tampered = signed.Clone();
        tampered.DevicesJson = signed.DevicesJson.Replace("5021", "5099", StringComparison.Ordinal);

        Assert.False(configuration.Apply(tampered));
        Assert.Equal((0ul, 0ul), (configuration.AppliedVersion, configuration.RejectedVersion));

        Assert.True(configuration.Apply(signed));
        Assert.Equal([5021], configuration.Devices.ModbusTcp.Select(d => d.Port));
    }

    [Fact]
    public void Apply_SignedForAnotherEdge_Ignored()
    {
        using var configuration = Open(out _);
        var elsewhere = Unsigned(1, Device("cnc-01", 5021));
        elsewhere.Edge = "edge-2";

        Assert.False(configuration.Apply(_cloud.Sign(elsewhere)));

        Assert.Equal((0ul, 0ul), (configuration.AppliedVersion, configuration.RejectedVersion));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Apply_ForgedHugeVersion_DoesNotBlockALaterRealOne(bool forgerHasAKey)
    {
        using var configuration = Open(out _);
        configuration.Apply(Remote(4, Device("cnc-01", 5021)));
        var forged = Unsigned(1ul << 63, Device("evil-01", 5066));

        Assert.False(configuration.Apply(forgerHasAKey ? _impostor.Sign(forged) : forged));

        Assert.Equal((4ul, 0ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.True(configuration.Apply(Remote(5, Device("cnc-02", 5022))));
        Assert.Equal(["cnc-02"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
        Assert.Equal(5ul, configuration.AppliedVersion);
    }

    [Fact]
    public void Apply_NoSigningKey_RefusedAndReportedWithTheFix()
    {
        _remoteSection = "{}";
        WriteFile(Device("saw-01", 5020));
        using var configuration = Open(out _);
        var changed = configuration.Changed;

        var counted = EdgeTestMetrics.Sum(Unverified, () => Assert.True(configuration.Apply(Remote(1, Device("saw-01", 5020)))));

        Assert.Equal(1, counted);
        Assert.True(changed.IsCompleted);
        Assert.Equal((0ul, 1ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.Equal(["remote configuration is off: set Edge:RemoteConfiguration:SigningKeyPath to the cloud's configuration key (shown when the edge was registered)"], configuration.Errors);
        Assert.False(File.Exists(Path.Combine(_folder, "data", DeviceConfiguration.RemoteFile)));
    }

    [Fact]
    public void Restart_StoredRemoteRunsOnlyUnderTheKeyThatSignedIt()
    {
        using (var configuration = Open(out _))
        {
            Assert.True(configuration.Apply(Remote(4, Device("cnc-01", 5021))));
        }

        using (var sameKey = Open(out _))
        {
            Assert.Equal(4ul, sameKey.AppliedVersion);
            Assert.Equal(["cnc-01"], sameKey.Devices.ModbusTcp.Select(d => d.Machine));
        }

        _remoteSection = $$"""{ "SigningKeyPath": "{{_impostor.WritePublicKey(_folder, "other.pem")}}", "AllowedEndpoints": [ "127.0.0.1:*" ] }""";
        WriteFile(Device("saw-01", 5020));
        using (var otherKey = Open(out _))
        {
            Assert.Equal(0ul, otherKey.AppliedVersion);
            Assert.Equal(["saw-01"], otherKey.Devices.ModbusTcp.Select(d => d.Machine));
        }

        _remoteSection = "{}";
        WriteFile(Device("saw-01", 5020));
        using var noKey = Open(out _);
        Assert.Equal(0ul, noKey.AppliedVersion);
        Assert.Equal(["saw-01"], noKey.Devices.ModbusTcp.Select(d => d.Machine));
    }

    [Fact]
    public void Apply_EndpointOutsideTheAllowList_RefusedWhole_ErrorNamesKeyAndValue()
    {
        _remoteSection = $$"""{ "SigningKeyPath": "{{_cloud.WritePublicKey(_folder)}}", "AllowedEndpoints": [ "10.1.2.0/24:502" ] }""";
        WriteFile(Device("saw-01", 5020));
        using var configuration = Open(out _);

        Assert.True(configuration.Apply(Remote(1, Device("saw-01", 5020), Device("cnc-01", 502, "10.1.2.7"), Device("evil-01", 502, "10.1.3.7"), Device("evil-02", 5021))));

        Assert.Equal((0ul, 1ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.Equal(["saw-01"], configuration.Devices.ModbusTcp.Select(d => d.Machine));
        var remoteFile = Path.Combine(_folder, "data", DeviceConfiguration.RemoteFile + ".candidate");
        Assert.Equal(
            [
                $"{remoteFile}: Edge:Devices:ModbusTcp:2:Host: '10.1.3.7:502' is not an endpoint a remote configuration may use: add it to Edge:RemoteConfiguration:AllowedEndpoints in the edge's local configuration, or configure the device there",
                $"{remoteFile}: Edge:Devices:ModbusTcp:3:Host: '127.0.0.1:5021' is not an endpoint a remote configuration may use: add it to Edge:RemoteConfiguration:AllowedEndpoints in the edge's local configuration, or configure the device there",
            ],
            configuration.Errors);

        // Within the list and the local file's own endpoint: applied.
        Assert.True(configuration.Apply(Remote(2, Device("saw-01", 5020), Device("cnc-01", 502, "10.1.2.7"))));
        Assert.Equal(2ul, configuration.AppliedVersion);
    }

    [Fact]
    public void Apply_NoAllowList_OnlyTheLocalDevicesEndpoints()
    {
        _remoteSection = $$"""{ "SigningKeyPath": "{{_cloud.WritePublicKey(_folder)}}" }""";
        WriteFile(Device("saw-01", 5020, "10.9.9.9"));
        using var configuration = Open(out _);

        Assert.True(configuration.Apply(Remote(1, Device("saw-02", 5020, "10.9.9.9"))));
        Assert.Equal(1ul, configuration.AppliedVersion);

        Assert.True(configuration.Apply(Remote(2, Device("saw-02", 5021, "10.9.9.9"))));
        Assert.Equal((1ul, 2ul), (configuration.AppliedVersion, configuration.RejectedVersion));
        Assert.Contains("Edge:Devices:ModbusTcp:0:Host: '10.9.9.9:5021' is not an endpoint a remote configuration may use", Assert.Single(configuration.Errors), StringComparison.Ordinal);
    }

    private DeviceConfiguration Open(out IConfigurationRoot root)
    {
        root = new ConfigurationBuilder().AddJsonFile(FilePath, optional: false, reloadOnChange: true).Build();
        var options = EdgeSection.Read(root);
        var validation = new EdgeOptionsValidation(root);
        var result = validation.Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        return new DeviceConfiguration(root, Microsoft.Extensions.Options.Options.Create(options), validation, EdgeTestMetrics.Create(TimeProvider.System), NullLogger<DeviceConfiguration>.Instance);
    }

    private void WriteFile(params string[] devices) => File.WriteAllText(FilePath, $$"""
        { "Edge": { "Site": "plant-1", "Id": "edge-1", "DataDirectory": "{{Path.Combine(_folder, "data")}}",
                    "RemoteConfiguration": {{_remoteSection}},
                    "Devices": { "ModbusTcp": [ {{string.Join(", ", devices)}} ] } } }
        """);

    /// <summary>A configuration the cloud signed.</summary>
    private EdgeConfiguration Remote(ulong version, params string[] devices) => _cloud.Sign(Unsigned(version, devices));

    private static EdgeConfiguration Unsigned(ulong version, params string[] devices) => new()
    {
        SchemaVersion = 1,
        Site = "plant-1",
        Edge = "edge-1",
        Version = version,
        DevicesJson = $$"""{ "Devices": { "ModbusTcp": [ {{string.Join(", ", devices)}} ] } }""",
    };

    private static string Device(string machine, int port, string host = "127.0.0.1") =>
        $$"""{ "Machine": "{{machine}}", "Host": "{{host}}", "Port": {{port}}, "Tags": [ { "Signal": "PieceCounter", "Register": 1 } ] }""";
}

using System.Globalization;
using System.Text.Json;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Testing;

namespace DomioOps.Interop.Tests.OpcUa;

// Our OPC UA server (in this process, on a free port of 127.0.0.1) against the node-opcua client (Peers/node-opcua/client.js).
[Collection(NodeOpcUaPeer.Collection)]
public sealed class NodeOpcUaClientAgainstOurServerTests : IAsyncLifetime
{
    private const int Tags = 1000;
    private OpcUaServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0, Users = new Dictionary<string, string> { ["operator"] = "s3cret" } });
        var space = _server.AddressSpace;
        var ns = space.RegisterNamespace("urn:domioops:test");
        var now = DateTime.UtcNow;
        space.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(ns, "Machines"), new QualifiedName(ns, "Machines"));
        space.AddObject(new NodeId(ns, "Machines"), new NodeId(ns, "Saw1"), new QualifiedName(ns, "Saw1"));
        space.AddVariable(new NodeId(ns, "Saw1"), new NodeId(ns, "Saw1.Speed"), new QualifiedName(ns, "Speed"), new Variant(1.5), now, writable: true);
        space.AddVariable(new NodeId(ns, "Saw1"), new NodeId(ns, "Saw1.Profile"), new QualifiedName(ns, "Profile"), new Variant(Enumerable.Range(0, 10).ToArray()), now, writable: true);
        space.AddVariable(new NodeId(ns, "Saw1"), new NodeId(ns, "Saw1.Program"), new QualifiedName(ns, "Program"), new Variant("Walnut"), now, writable: true);
        space.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(ns, "Tags"), new QualifiedName(ns, "Tags"));
        for (var i = 0; i < Tags; i++)
        {
            space.AddVariable(new NodeId(ns, "Tags"), new NodeId(ns, $"Tag{i}"), new QualifiedName(ns, $"Tag{i}"), new Variant(0), now, writable: true);
        }

        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private Task<JsonElement> RunClientAsync(params string[] arguments) => RunScriptAsync("client.js", arguments);

    private async Task<JsonElement> RunScriptAsync(string script, params string[] arguments)
    {
        await NpmPackages.EnsureInstalledAsync(NodeOpcUaPeer.Folder, Ct);
        var output = await PeerProcess.RunAsync("node", [script, _server.EndpointUrl, .. arguments], NodeOpcUaPeer.Folder, TimeSpan.FromMinutes(2), Ct);
        var line = output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        return JsonDocument.Parse(line["RESULT ".Length..]).RootElement;
    }

    [Theory]
    [InlineData("-", "")]
    [InlineData("operator", "s3cret")]
    public async Task NodeOpcUaClient_BrowseReadWriteAndSubscribe1000Items_EverythingArrives(string user, string password)
    {
        var result = await RunClientAsync(user, password, Tags.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(2, result.GetProperty("namespaceIndex").GetInt32());
        string[] objects = [.. result.GetProperty("objects").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Contains("2:Machines", objects);
        Assert.Contains("Server", objects);
        Assert.Equal("ns=2;s=Saw1.Speed", Assert.Single(result.GetProperty("translated").EnumerateArray()).GetString());
        Assert.Equal(1.5, result.GetProperty("speedBefore").GetDouble());
        Assert.Equal("Good", result.GetProperty("writeStatus").GetString());
        Assert.Equal(42.5, result.GetProperty("speedAfter").GetDouble());
        Assert.Equal("Speed", result.GetProperty("displayName").GetString());
        Assert.Equal("BadNodeIdUnknown", result.GetProperty("missingStatus").GetString());
        Assert.Equal(Tags, result.GetProperty("itemsCreated").GetInt32());
        Assert.Equal(Tags * 4, result.GetProperty("received").GetInt32());
        Assert.Equal(0, result.GetProperty("wrong").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task NodeOpcUaClient_RegisterNodesIndexRangeMonitoringModeTriggeringTransfer_ServedByOurServer()
    {
        var result = await RunScriptAsync("services-client.js");
        static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetString()!)];
        static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];
        Assert.Equal(["ns=2;s=Saw1.Profile", "ns=2;s=Saw1.Program"], Strings(result.GetProperty("registered")));
        Assert.Equal([2, 3, 4], Ints(result.GetProperty("profileSlice")));
        Assert.Equal("aln", result.GetProperty("programSlice").GetString());
        Assert.Equal("BadIndexRangeNoData", result.GetProperty("noDataStatus").GetString());
        Assert.Equal("BadIndexRangeInvalid", result.GetProperty("invalidStatus").GetString());
        Assert.Equal(["Good", "BadIndexRangeInvalid"], Strings(result.GetProperty("writeStatuses")));
        Assert.Equal([0, 100, 101, 3, 4, 5, 6, 7, 8, 9], Ints(result.GetProperty("profileAfter")));
        Assert.Equal(["Good", "BadMonitoredItemIdInvalid"], Strings(result.GetProperty("setMonitoringMode")));
        Assert.Equal(["Good", "BadMonitoredItemIdInvalid"], Strings(result.GetProperty("setTriggering")));
        Assert.Equal(5, result.GetProperty("triggeredValue").GetInt32());
        Assert.Equal(["Good", "BadSubscriptionIdInvalid"], Strings(result.GetProperty("transfer")));
        Assert.Equal(["Good"], Strings(result.GetProperty("deletedBySecond")));
    }
}

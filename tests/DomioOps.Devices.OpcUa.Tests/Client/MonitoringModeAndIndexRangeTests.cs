using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.Client;

/// <summary>SetMonitoringMode, SetTriggering, RegisterNodes and IndexRange, our client against our server.</summary>
public sealed class MonitoringModeAndIndexRangeTests : IAsyncLifetime
{
    private OpcUaServer _server = null!;
    private OpcUaClient _client = null!;
    private readonly Dictionary<string, VariableNode> _tags = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NodeId Id(string name) => new(2, name);

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        var now = DateTime.UtcNow;
        foreach (var name in new[] { "A", "B", "Barrier" })
        {
            _tags[name] = _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, Id(name), new QualifiedName(2, name), new Variant(0), now, writable: true);
        }

        _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, Id("Profile"), new QualifiedName(2, "Profile"), new Variant(Enumerable.Range(0, 10).ToArray()), now, writable: true);
        _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, Id("Grid"), new QualifiedName(2, "Grid"), Variant.Matrix(Enumerable.Range(0, 12).ToArray(), [3, 4]), now, writable: true);
        _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, Id("Program"), new QualifiedName(2, "Program"), new Variant("Walnut"), now, writable: true);
        _server.AddressSpace.AddVariable(WellKnownNodes.ObjectsFolder, Id("Label"), new QualifiedName(2, "Label"), new Variant(new byte[] { 1, 2, 3, 4 }), now, writable: true);
        await _server.StartAsync(Ct);
        _client = new OpcUaClient(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await _client.ConnectAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private void Set(string name, int value) => _tags[name].SetValue(new Variant(value), DateTime.UtcNow);

    /// <summary>
    /// Values until the barrier item reports <paramref name="barrier"/>. All items share one sampling interval and one
    /// Publish, so whatever was reportable when the barrier's value was sampled arrives before or with it.
    /// </summary>
    private static async Task<List<(string Name, int Value)>> UntilBarrierAsync(OpcUaSubscription subscription, int barrier)
    {
        List<(string, int)> seen = [];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await subscription.Values.ReadAsync(timeout.Token);
            var name = (string)value.Item.NodeId.Identifier;
            var number = (int)value.Value.Value.Value!;
            if (name == "Barrier" && number == barrier)
            {
                // Drain what came in the same Publish response.
                while (subscription.Values.TryRead(out var more))
                {
                    seen.Add(((string)more.Item.NodeId.Identifier, (int)more.Value.Value.Value!));
                }

                return seen;
            }

            seen.Add((name, number));
        }
    }

    private async Task<(OpcUaSubscription Subscription, MonitoredItem A, MonitoredItem B)> SubscribeAsync(MonitoringMode modeOfB)
    {
        var subscription = await _client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        var items = await subscription.AddItemsAsync(
        [
            new MonitoredItemRequest(Id("A"), SamplingInterval: 10),
            new MonitoredItemRequest(Id("B"), SamplingInterval: 10, MonitoringMode: modeOfB),
            new MonitoredItemRequest(Id("Barrier"), SamplingInterval: 10),
        ], Ct);
        Assert.All(items, i => Assert.Equal(StatusCode.Good, i.Status));
        var initial = await UntilBarrierAsync(subscription, 0);
        Assert.Contains(("A", 0), initial);
        Assert.DoesNotContain(initial, v => v.Name == "B");
        return (subscription, items[0], items[1]);
    }

    [Fact]
    public async Task SetMonitoringMode_SamplingThenReporting_QueuedValueReportedOnlyAfterSwitch()
    {
        (var subscription, _, var b) = await SubscribeAsync(MonitoringMode.Sampling);
        Assert.Equal(MonitoringMode.Sampling, b.MonitoringMode);

        Set("B", 5);
        Set("Barrier", 1);
        Assert.DoesNotContain(await UntilBarrierAsync(subscription, 1), v => v.Name == "B");

        Assert.Equal([StatusCode.Good], await subscription.SetMonitoringModeAsync([b], MonitoringMode.Reporting, Ct));
        Assert.Equal(MonitoringMode.Reporting, b.MonitoringMode);
        Set("Barrier", 2);
        Assert.Contains(("B", 5), await UntilBarrierAsync(subscription, 2));

        Assert.Equal([StatusCode.Good], await subscription.SetMonitoringModeAsync([b], MonitoringMode.Disabled, Ct));
        Set("B", 6);
        Set("Barrier", 3);
        Assert.DoesNotContain(await UntilBarrierAsync(subscription, 3), v => v.Name == "B");

        // Leaving Disabled starts over: the current value is reported as a first sample.
        await subscription.SetMonitoringModeAsync([b], MonitoringMode.Reporting, Ct);
        Set("Barrier", 4);
        Assert.Contains(("B", 6), await UntilBarrierAsync(subscription, 4));
    }

    [Fact]
    public async Task SetTriggering_SamplingItemLinkedToTrigger_ReportedOnlyWithTrigger()
    {
        (var subscription, var a, var b) = await SubscribeAsync(MonitoringMode.Sampling);
        (var added, var removed) = await subscription.SetTriggeringAsync(a, [b], [], Ct);
        Assert.Equal([StatusCode.Good], added);
        Assert.Empty(removed);

        Set("B", 7);
        Set("Barrier", 1);
        Assert.DoesNotContain(await UntilBarrierAsync(subscription, 1), v => v.Name == "B");

        Set("A", 1);
        Set("Barrier", 2);
        var triggered = await UntilBarrierAsync(subscription, 2);
        Assert.Contains(("A", 1), triggered);
        Assert.Contains(("B", 7), triggered);

        (added, removed) = await subscription.SetTriggeringAsync(a, [], [b, a], Ct);
        Assert.Equal([StatusCode.Good, StatusCode.BadMonitoredItemIdInvalid], removed);
        Set("B", 8);
        Set("A", 2);
        Set("Barrier", 3);
        var unlinked = await UntilBarrierAsync(subscription, 3);
        Assert.Contains(("A", 2), unlinked);
        Assert.DoesNotContain(unlinked, v => v.Name == "B");
    }

    [Fact]
    public async Task RegisterNodes_ThenReadThroughRegisteredIds_ReturnsValues()
    {
        var registered = await _client.RegisterNodesAsync([Id("A"), Id("Program")], Ct);
        Assert.Equal(2, registered.Count);
        Set("A", 42);
        var values = await _client.ReadAsync([.. registered.Select(id => new ReadValueId(id))], Ct);
        Assert.Equal(42, values[0].Value.Value);
        Assert.Equal("Walnut", values[1].Value.Value);
        await _client.UnregisterNodesAsync(registered, Ct);
    }

    [Theory]
    [InlineData("Profile", "2:4", new[] { 2, 3, 4 })]
    [InlineData("Profile", "8:20", new[] { 8, 9 })]
    [InlineData("Profile", "0", new[] { 0 })]
    public async Task Read_IndexRangeOfArray_ReturnsSlice(string node, string range, int[] expected)
    {
        var value = (await _client.ReadAsync([new ReadValueId(Id(node), AttributeId.Value, range)], Ct))[0];
        Assert.Equal(StatusCode.Good, value.StatusCode);
        Assert.Equal(expected, (int[])value.Value.Value!);
    }

    [Theory]
    [InlineData("Profile", "10", 0x80370000u)]
    [InlineData("Profile", "4:2", 0x80360000u)]
    [InlineData("Profile", "2:2", 0x80360000u)]
    [InlineData("Profile", "x", 0x80360000u)]
    [InlineData("Profile", "1:2,0:1", 0x80370000u)] // valid syntax, but two dimensions for an array of one: no data (OPC 10000-4 §7.27)
    [InlineData("Grid", "3,0", 0x80370000u)]
    [InlineData("Grid", "0,4", 0x80370000u)]
    [InlineData("Grid", "1:2", 0x80370000u)]
    [InlineData("Grid", "1:2,0:1,0", 0x80370000u)]
    [InlineData("Grid", "1:2,x", 0x80360000u)]
    [InlineData("Grid", "1:2,", 0x80360000u)]
    [InlineData("Grid", "1:2,1:1", 0x80360000u)]
    [InlineData("Program", "6", 0x80370000u)]
    [InlineData("A", "0", 0x80370000u)]
    public async Task Read_BadIndexRange_ReturnsInvalidOrNoData(string node, string range, uint expected)
    {
        var value = (await _client.ReadAsync([new ReadValueId(Id(node), AttributeId.Value, range)], Ct))[0];
        Assert.Equal(new StatusCode(expected), value.StatusCode);
    }

    [Fact]
    public async Task Read_IndexRangeOfStringAndByteString_ReturnsCharactersAndBytes()
    {
        var values = await _client.ReadAsync([new ReadValueId(Id("Program"), AttributeId.Value, "1:3"), new ReadValueId(Id("Label"), AttributeId.Value, "2:9")], Ct);
        Assert.Equal("aln", values[0].Value.Value);
        Assert.Equal(new byte[] { 3, 4 }, values[1].Value.Value);
    }

    [Fact]
    public async Task Write_IndexRange_PatchesOnlyTheRange()
    {
        var results = await _client.WriteAsync(
        [
            new WriteValue(Id("Profile"), AttributeId.Value, "1:2", new DataValue(new Variant(new[] { 100, 101 }))),
            new WriteValue(Id("Profile"), AttributeId.Value, "3:5", new DataValue(new Variant(new[] { 1, 2 }))),
            new WriteValue(Id("Profile"), AttributeId.Value, "9:10", new DataValue(new Variant(new[] { 1, 2 }))),
            new WriteValue(Id("Profile"), AttributeId.Value, "5:", new DataValue(new Variant(new[] { 1 }))),
            new WriteValue(Id("Program"), AttributeId.Value, "0:2", new DataValue(new Variant("Oak"))),
            new WriteValue(Id("Program"), AttributeId.Value, "0", new DataValue(new Variant(7))),
        ], Ct);
        Assert.Equal([StatusCode.Good, StatusCode.BadIndexRangeInvalid, StatusCode.BadIndexRangeNoData, StatusCode.BadIndexRangeInvalid, StatusCode.Good, StatusCode.BadTypeMismatch], results);
        var values = await _client.ReadAsync([new ReadValueId(Id("Profile")), new ReadValueId(Id("Program"))], Ct);
        Assert.Equal([0, 100, 101, 3, 4, 5, 6, 7, 8, 9], (int[])values[0].Value.Value!);
        Assert.Equal("Oaknut", values[1].Value.Value);
    }

    [Fact]
    public async Task MonitoredItem_IndexRange_ReportsTheSlice()
    {
        var subscription = await _client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        var item = Assert.Single(await subscription.AddItemsAsync([new MonitoredItemRequest(Id("Profile"), SamplingInterval: 10, IndexRange: "1:2")], Ct));
        Assert.Equal(StatusCode.Good, item.Status);
        var slice = (int[])(await subscription.Values.ReadAsync(Ct)).Value.Value.Value!;
        Assert.Equal([1, 2], slice);
    }

    // Grid is the 3×4 matrix 0..11 in row-major order: row r holds 4r..4r+3.
    [Theory]
    [InlineData("1:2,0:1", new[] { 2, 2 }, new[] { 4, 5, 8, 9 })]
    [InlineData("1,3", new[] { 1, 1 }, new[] { 7 })]
    [InlineData("2:5,2:9", new[] { 1, 2 }, new[] { 10, 11 })]
    [InlineData("0:2,3", new[] { 3, 1 }, new[] { 3, 7, 11 })]
    public async Task Read_IndexRangeOfMatrix_ReturnsTheBlock(string range, int[] dimensions, int[] expected)
    {
        var value = (await _client.ReadAsync([new ReadValueId(Id("Grid"), AttributeId.Value, range)], Ct))[0];

        Assert.Equal(StatusCode.Good, value.StatusCode);
        Assert.Equal(Variant.Matrix(expected, dimensions), value.Value);
    }

    [Fact]
    public async Task Write_IndexRangeOfMatrix_PatchesOnlyTheBlock()
    {
        var results = await _client.WriteAsync(
        [
            new WriteValue(Id("Grid"), AttributeId.Value, "0:1,1:2", new DataValue(Variant.Matrix(new[] { 100, 101, 102, 103 }, [2, 2]))),
            new WriteValue(Id("Grid"), AttributeId.Value, "2,0:1", new DataValue(new Variant(new[] { 200, 201 }))),
            new WriteValue(Id("Grid"), AttributeId.Value, "2,0:1", new DataValue(new Variant(new[] { 1, 2, 3 }))),
            new WriteValue(Id("Grid"), AttributeId.Value, "0:1,1:2", new DataValue(Variant.Matrix(new[] { 1, 2, 3, 4 }, [1, 4]))),
            new WriteValue(Id("Grid"), AttributeId.Value, "2:3,0", new DataValue(new Variant(new[] { 1, 2 }))),
            new WriteValue(Id("Grid"), AttributeId.Value, "1", new DataValue(new Variant(new[] { 1 }))),
        ], Ct);

        Assert.Equal([StatusCode.Good, StatusCode.Good, StatusCode.BadIndexRangeInvalid, StatusCode.BadIndexRangeInvalid, StatusCode.BadIndexRangeNoData, StatusCode.BadIndexRangeNoData], results);
        var grid = (await _client.ReadAsync([new ReadValueId(Id("Grid"))], Ct))[0];
        Assert.Equal(Variant.Matrix(new[] { 0, 100, 101, 3, 4, 102, 103, 7, 200, 201, 10, 11 }, [3, 4]), grid.Value);
    }

    [Fact]
    public async Task MonitoredItem_IndexRangeOfMatrix_ReportsTheBlock()
    {
        var subscription = await _client.CreateSubscriptionAsync(new SubscriptionOptions(PublishingInterval: 20), Ct);
        var item = Assert.Single(await subscription.AddItemsAsync([new MonitoredItemRequest(Id("Grid"), SamplingInterval: 10, IndexRange: "1:2,2:3")], Ct));

        Assert.Equal(StatusCode.Good, item.Status);
        Assert.Equal(Variant.Matrix(new[] { 6, 7, 10, 11 }, [2, 2]), (await subscription.Values.ReadAsync(Ct)).Value.Value);
    }
}

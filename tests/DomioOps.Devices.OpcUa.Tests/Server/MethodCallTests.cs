using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Tests.Server;

/// <summary>The Call service (OPC 10000-4 §5.11.2) between our client and our server.</summary>
public sealed class MethodCallTests : IAsyncLifetime
{
    private static readonly NodeId Router = new(2, "Router1");
    private static readonly NodeId StartJob = new(2, "Router1/StartJob");
    private static readonly NodeId Fail = new(2, "Router1/Fail");
    private static readonly NodeId Crash = new(2, "Router1/Crash");
    private OpcUaServer _server = null!;
    private readonly List<MethodCall> _calls = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new OpcUaServer(new OpcUaServerOptions { Port = 0 });
        var space = _server.AddressSpace;
        space.RegisterNamespace("urn:test");
        space.AddObject(WellKnownNodes.ObjectsFolder, Router, new QualifiedName(2, "Router1"));
        space.AddMethod(
            Router,
            StartJob,
            new QualifiedName(2, "StartJob"),
            [new Argument("Program", new NodeId(0, 12u)), new Argument("Quantity", new NodeId(0, 7u))],
            [new Argument("JobId", new NodeId(0, 12u)), new Argument("Accepted", new NodeId(0, 1u))],
            async (call, ct) =>
            {
                _calls.Add(call);
                await Task.Yield();
                return [new Variant($"{call.InputArguments[0].Value}x{call.InputArguments[1].Value}"), new Variant(true)];
            });
        space.AddMethod(Router, Fail, new QualifiedName(2, "Fail"), [], [], (_, _) => throw new OpcUaException(StatusCode.BadInvalidState, "Machine busy."));
        space.AddMethod(Router, Crash, new QualifiedName(2, "Crash"), [], [], (_, _) => throw new InvalidOperationException("bug"));
        await _server.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CallMethod_ValidArguments_HandlerOutputsReturned()
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(Ct);

        var outputs = await client.CallMethodAsync(Router, StartJob, [new Variant("door-panel.nc"), new Variant(12u)], Ct);

        Assert.Equal([new Variant("door-panel.ncx12"), new Variant(true)], outputs);
        Assert.Equal(new MethodCall(Router, StartJob, [new Variant("door-panel.nc"), new Variant(12u)]).ObjectId, Assert.Single(_calls).ObjectId);
        Assert.Equal([new Argument("Program", new NodeId(0, 12u)), new Argument("Quantity", new NodeId(0, 7u))], _server.AddressSpace.ArgumentsOf(StartJob, "InputArguments"));
    }

    [Fact]
    public async Task Call_MoreMethodsThanTheServersMaxNodesPerMethodCall_ClientBatchesAndEveryCallRuns()
    {
        await using OpcUaServer server = new(new OpcUaServerOptions { Port = 0, MaxNodesPerMethodCall = 2 });
        server.AddressSpace.RegisterNamespace("urn:test");
        server.AddressSpace.AddObject(WellKnownNodes.ObjectsFolder, Router, new QualifiedName(2, "Router1"));
        server.AddressSpace.AddMethod(Router, StartJob, new QualifiedName(2, "StartJob"), [new Argument("Quantity", new NodeId(0, 7u))], [new Argument("Echo", new NodeId(0, 7u))], (call, _) => ValueTask.FromResult<IReadOnlyList<Variant>>([call.InputArguments[0]]));
        await server.StartAsync(Ct);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = server.EndpointUrl });
        await client.ConnectAsync(Ct);

        var results = await client.CallAsync([.. Enumerable.Range(1, 5).Select(i => new CallMethodRequest(Router, StartJob, [new Variant((uint)i)]))], Ct);

        Assert.Equal(2u, client.OperationLimits.MaxNodesPerMethodCall);
        Assert.All(results, r => Assert.Equal(StatusCode.Good, r.StatusCode));
        Assert.Equal([1u, 2u, 3u, 4u, 5u], results.Select(r => r.OutputArguments[0].Value));
    }

    [Fact]
    public async Task Call_BadCalls_EachHasItsStatus()
    {
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(Ct);

        var results = await client.CallAsync(
            [
                new CallMethodRequest(new NodeId(2, "Nowhere"), StartJob, []),
                new CallMethodRequest(Router, new NodeId(2, "Router1/Missing"), []),
                new CallMethodRequest(WellKnownNodes.ObjectsFolder, StartJob, [new Variant("a"), new Variant(1u)]),
                new CallMethodRequest(Router, StartJob, [new Variant("a")]),
                new CallMethodRequest(Router, StartJob, [new Variant("a"), new Variant(1u), new Variant(2)]),
                new CallMethodRequest(Router, StartJob, [new Variant("a"), new Variant(-1)]),
                new CallMethodRequest(Router, Fail, []),
                new CallMethodRequest(Router, Crash, []),
                new CallMethodRequest(Router, StartJob, [new Variant("ok"), new Variant(2u)]),
            ],
            Ct);

        Assert.Equal(
            [
                StatusCode.BadNodeIdUnknown, StatusCode.BadMethodInvalid, StatusCode.BadMethodInvalid, StatusCode.BadArgumentsMissing, StatusCode.BadTooManyArguments,
                StatusCode.BadInvalidArgument, StatusCode.BadInvalidState, StatusCode.BadInternalError, StatusCode.Good,
            ],
            results.Select(r => r.StatusCode));
        Assert.Equal([StatusCode.Good, StatusCode.BadTypeMismatch], results[5].InputArgumentResults);
        var e = await Assert.ThrowsAsync<OpcUaException>(() => client.CallMethodAsync(Router, Fail, [], Ct));
        Assert.Equal(StatusCode.BadInvalidState, e.StatusCode);
    }

    [Fact]
    public async Task CallMethod_WoodworkingInstanceMethod_NoHandlerThenHandler()
    {
        var space = _server.AddressSpace;
        CompanionSpecifications.LoadWoodworking(space);
        var machine = CompanionSpecifications.AddWoodworkingMachine(space, new NodeId(2, "Router2"), "Router2", p => p.StartsWith("JobManagement", StringComparison.Ordinal));
        var results = space.FindByBrowsePath(machine.NodeId, "JobManagement/JobOrderResults")!.NodeId;
        var method = Assert.IsType<MethodNode>(space.FindByBrowsePath(results, "RequestJobResponseByJobOrderID"));
        Assert.Equal("JobOrderID", space.ArgumentsOf(method.NodeId, "InputArguments")[0].Name);
        await using OpcUaClient client = new(new OpcUaClientOptions { EndpointUrl = _server.EndpointUrl });
        await client.ConnectAsync(Ct);

        var missing = await Assert.ThrowsAsync<OpcUaException>(() => client.CallMethodAsync(results, method.NodeId, [new Variant("J-1")], Ct));
        space.SetMethodHandler(method.NodeId, (call, _) => ValueTask.FromResult<IReadOnlyList<Variant>>([Variant.Null, new Variant(0u)]));
        var outputs = await client.CallMethodAsync(results, method.NodeId, [new Variant("J-1")], Ct);

        Assert.Equal(StatusCode.BadNotImplemented, missing.StatusCode);
        Assert.Equal([Variant.Null, new Variant(0u)], outputs);
    }
}

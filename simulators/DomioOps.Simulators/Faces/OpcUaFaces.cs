using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Faces;

/// <summary>
/// The OPC UA servers of the factory: one per port, each with the woodworking NodeSets loaded. CNC routers on the
/// same port are machines of one server (as behind a line controller); a router on port 0 gets a server of its own.
/// A server misbehaves when any of its machines has a fault set.
/// </summary>
internal sealed class OpcUaFaces(string address, TimeProvider time) : IAsyncDisposable
{
    private static readonly StatusCode BadDeviceFailure = new(0x808B0000);
    private readonly Dictionary<int, (OpcUaServer Server, List<Func<MachineFault>> Faults)> _byPort = [];
    private readonly List<OpcUaServer> _servers = [];

    public async Task<CncRouterFace> AddAsync(MachineSpec spec, Func<MachineFault> fault, CancellationToken cancellationToken)
    {
        if (spec.Port == 0 || !_byPort.TryGetValue(spec.Port, out var entry))
        {
            var server = new OpcUaServer(
                new OpcUaServerOptions
                {
                    Host = address,
                    Port = spec.Port,
                    ApplicationUri = $"urn:domioops:simulators:{spec.Id}",
                    ApplicationName = $"DomioOps simulated machines ({spec.Id})",
                    MinSamplingInterval = 50,
                    MinPublishingInterval = 50,
                    MaxSessions = 1000,
                },
                time);
            CompanionSpecifications.LoadWoodworking(server.AddressSpace);
            List<Func<MachineFault>> faults = [];
            server.Fault = () => ToOpcUa(faults.Select(f => f()).FirstOrDefault(f => f.Kind != FaultKind.None) ?? MachineFault.None);
            await server.StartAsync(cancellationToken);
            _servers.Add(server);
            entry = (server, faults);
            if (spec.Port != 0)
            {
                _byPort[spec.Port] = entry;
            }
        }

        entry.Faults.Add(fault);
        return new CncRouterFace(entry.Server, spec, time.GetUtcNow().UtcDateTime);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    private static OpcUaServerFault ToOpcUa(MachineFault fault) => fault switch
    {
        { Kind: FaultKind.Drop } => new OpcUaServerFault(OpcUaServerFaultKind.Disconnect),
        { Kind: FaultKind.Silent } => new OpcUaServerFault(OpcUaServerFaultKind.NoAnswer),
        { Kind: FaultKind.Exception } => new OpcUaServerFault(OpcUaServerFaultKind.ServiceFault, Status: BadDeviceFailure),
        { Kind: FaultKind.Garbage } => new OpcUaServerFault(OpcUaServerFaultKind.Garbage),
        { Kind: FaultKind.Slow } f => new OpcUaServerFault(OpcUaServerFaultKind.None, f.Delay),
        _ => default,
    };
}

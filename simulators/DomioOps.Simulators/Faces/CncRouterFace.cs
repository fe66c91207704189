using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Faces;

/// <summary>
/// The CNC router's OPC UA server: a woodworking machine (OPC 40550-1 WwMachineType on OPC 40001-1 Machinery)
/// under Objects/Machines, with Identification, State/Machine/Overview (CurrentState, CurrentMode), Flags and
/// Values, plus the router's own variables (spindle, feed, tool, cycle time, alarm code) in the simulator's
/// namespace. Browse paths are listed in the README.
/// </summary>
internal sealed class CncRouterFace : IAsyncDisposable
{
    public const string WoodworkingUri = "http://opcfoundation.org/UA/Woodworking/";
    public const string MachineryUri = "http://opcfoundation.org/UA/Machinery/";
    public const string DiUri = "http://opcfoundation.org/UA/DI/";
    public const string SimulatorUri = "urn:domioops:simulators";

    private static readonly StatusCode BadDeviceFailure = new(0x808B0000);
    private readonly OpcUaServer server;
    private readonly Func<MachineFault> fault;
    private readonly Dictionary<string, VariableNode> variables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> last = new(StringComparer.Ordinal);

    public CncRouterFace(MachineSpec spec, string address, Func<MachineFault> fault, TimeProvider time)
    {
        this.fault = fault;
        server = new OpcUaServer(
            new OpcUaServerOptions
            {
                Host = address,
                Port = spec.Port,
                ApplicationUri = $"urn:domioops:simulators:{spec.Id}",
                ApplicationName = $"DomioOps simulated CNC router {spec.Id}",
                MinSamplingInterval = 50,
                MinPublishingInterval = 50,
            },
            time);
        server.Fault = () => fault() switch
        {
            { Kind: FaultKind.Drop } => new OpcUaServerFault(OpcUaServerFaultKind.Disconnect),
            { Kind: FaultKind.Silent } => new OpcUaServerFault(OpcUaServerFaultKind.NoAnswer),
            { Kind: FaultKind.Exception } => new OpcUaServerFault(OpcUaServerFaultKind.ServiceFault, Status: BadDeviceFailure),
            { Kind: FaultKind.Garbage } => new OpcUaServerFault(OpcUaServerFaultKind.Garbage),
            { Kind: FaultKind.Slow } f => new OpcUaServerFault(OpcUaServerFaultKind.None, f.Delay),
            _ => default,
        };
        Build(spec, time.GetUtcNow().UtcDateTime);
    }

    public string EndpointUrl => server.EndpointUrl;

    public int Port => server.Port;

    /// <summary>Browse paths (from the machine) of every variable the face sets.</summary>
    public IReadOnlyCollection<string> Paths => variables.Keys;

    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

    public ValueTask DisposeAsync() => server.DisposeAsync();

    public void Publish(MachineReading r)
    {
        var t = r.Time.UtcDateTime;
        Set("State/Machine/Overview/CurrentState", (int)r.State, t);
        Set("State/Machine/Overview/CurrentMode", (int)r.Mode, t);
        foreach (var flag in Enum.GetValues<MachineFlags>().Where(f => f != MachineFlags.None))
        {
            Set($"State/Machine/Flags/{flag}", r.Flags.HasFlag(flag), t);
        }

        Set("State/Machine/Values/AbsolutePiecesIn", (ulong)r.PiecesIn, t);
        Set("State/Machine/Values/AbsolutePiecesOut", (ulong)r.PiecesOut, t);
        Set("State/Machine/Values/AbsoluteRunsGood", (ulong)r.RunsGood, t);
        Set("State/Machine/Values/AbsoluteRunsAborted", (ulong)r.RunsAborted, t);
        Set("State/Machine/Values/AbsoluteRunsTotal", (ulong)(r.RunsGood + r.RunsAborted), t);
        Set("State/Machine/Values/AbsoluteMachineOffTime", Milliseconds(r.StateTimes[(int)MachineState.Offline]), t);
        Set("State/Machine/Values/AbsoluteStandbyTime", Milliseconds(r.StateTimes[(int)MachineState.Standby]), t);
        Set("State/Machine/Values/AbsoluteReadyTime", Milliseconds(r.StateTimes[(int)MachineState.Ready]), t);
        Set("State/Machine/Values/AbsoluteWorkingTime", Milliseconds(r.StateTimes[(int)MachineState.Working]), t);
        Set("State/Machine/Values/AbsoluteErrorTime", Milliseconds(r.StateTimes[(int)MachineState.Error]), t);
        Set("State/Machine/Values/AbsoluteMachineOnTime", Milliseconds(r.StateTimes[1] + r.StateTimes[2] + r.StateTimes[3] + r.StateTimes[4]), t);
        Set("State/Machine/Values/FeedSpeed", Math.Round(r.FeedSpeed, 2), t);
        Set("State/Machine/Values/ActualCycle", r.CycleTime > 0 ? Math.Round(60 / r.CycleTime, 3) : 0.0, t);
        Set("Spindle/Speed", Math.Round(r.SpindleSpeed), t);
        Set("Spindle/Load", Math.Round(r.SpindleLoad, 1), t);
        Set("Spindle/Temperature", Math.Round(r.SpindleTemperature, 2), t);
        Set("Spindle/Vibration", Math.Round(r.Vibration, 3), t);
        Set("Tool/ActiveTool", r.ActiveTool, t);
        Set("Tool/ToolLife", Math.Round(r.ToolLife, 1), t);
        Set("CycleTime", Math.Round(r.CycleTime, 2), t);
        Set("AlarmCode", (int)r.Alarm, t);
    }

    private static ulong Milliseconds(TimeSpan time) => (ulong)time.TotalMilliseconds;

    /// <summary>Sets a variable when its value changed, so subscriptions see changes, not ticks.</summary>
    private void Set(string path, object value, DateTime time)
    {
        if (last.TryGetValue(path, out var previous) && previous.Equals(value))
        {
            return;
        }

        last[path] = value;
        variables[path].SetValue(new Variant(value), time);
    }

    private void Build(MachineSpec spec, DateTime now)
    {
        var space = server.AddressSpace;
        var ww = space.RegisterNamespace(WoodworkingUri);
        var machinery = space.RegisterNamespace(MachineryUri);
        var di = space.RegisterNamespace(DiUri);
        var own = space.RegisterNamespace(SimulatorUri);
        NodeId Id(string path) => new(own, path.Length == 0 ? spec.Id : $"{spec.Id}/{path}");

        var machines = new NodeId(machinery, 1001u);
        if (space.Find(machines) is null)
        {
            space.AddFolder(WellKnownNodes.ObjectsFolder, machines, new QualifiedName(machinery, "Machines"));
        }

        var machine = Id("");
        space.AddObject(machines, machine, new QualifiedName(own, spec.Id), new NodeId(ww, 2u), WellKnownNodes.Organizes);
        space.AddObject(machine, Id("Identification"), new QualifiedName(di, "Identification"), new NodeId(machinery, 1012u));
        foreach (var (name, value) in new (string, object)[] { ("Manufacturer", new LocalizedText("DomioOps simulators")), ("Model", new LocalizedText("Nesting CNC router")), ("SerialNumber", spec.Id), ("ProductInstanceUri", $"urn:domioops:simulators:{spec.Id}"), ("YearOfConstruction", (ushort)2024) })
        {
            space.AddVariable(Id("Identification"), Id($"Identification/{name}"), new QualifiedName(di, name), new Variant(value), now, referenceType: WellKnownNodes.HasProperty);
        }

        space.AddObject(machine, Id("State"), new QualifiedName(ww, "State"));
        space.AddObject(Id("State"), Id("State/Machine"), new QualifiedName(ww, "Machine"));
        foreach (var group in new[] { "Overview", "Flags", "Values" })
        {
            space.AddObject(Id("State/Machine"), Id($"State/Machine/{group}"), new QualifiedName(ww, group));
        }

        Add("State/Machine/Overview/CurrentState", ww, 0, new NodeId(ww, 21u));
        Add("State/Machine/Overview/CurrentMode", ww, 0, new NodeId(ww, 20u));
        foreach (var flag in Enum.GetValues<MachineFlags>().Where(f => f != MachineFlags.None))
        {
            Add($"State/Machine/Flags/{flag}", ww, false);
        }

        foreach (var value in new[] { "AbsolutePiecesIn", "AbsolutePiecesOut", "AbsoluteRunsGood", "AbsoluteRunsAborted", "AbsoluteRunsTotal", "AbsoluteMachineOffTime", "AbsoluteStandbyTime", "AbsoluteReadyTime", "AbsoluteWorkingTime", "AbsoluteErrorTime", "AbsoluteMachineOnTime" })
        {
            Add($"State/Machine/Values/{value}", ww, 0UL);
        }

        Add("State/Machine/Values/FeedSpeed", ww, 0.0);
        Add("State/Machine/Values/ActualCycle", ww, 0.0);
        space.AddObject(machine, Id("Spindle"), new QualifiedName(own, "Spindle"));
        space.AddObject(machine, Id("Tool"), new QualifiedName(own, "Tool"));
        foreach (var path in new[] { "Spindle/Speed", "Spindle/Load", "Spindle/Temperature", "Spindle/Vibration", "Tool/ToolLife", "CycleTime" })
        {
            Add(path, own, 0.0);
        }

        Add("Tool/ActiveTool", own, 0);
        Add("AlarmCode", own, 0);

        void Add(string path, ushort ns, object initial, NodeId? dataType = null)
        {
            var parent = path.Contains('/', StringComparison.Ordinal) ? Id(path[..path.LastIndexOf('/')]) : machine;
            variables[path] = space.AddVariable(parent, Id(path), new QualifiedName(ns, path[(path.LastIndexOf('/') + 1)..]), new Variant(initial), now, dataType);
        }
    }
}

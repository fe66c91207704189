using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Faces;

/// <summary>
/// A CNC router in an OPC UA server: a woodworking machine (OPC 40550-1 WwMachineType on OPC 40001-1 Machinery)
/// under Objects/Machines, with Identification, State/Machine/Overview (CurrentState, CurrentMode), Flags and
/// Values, alarm events, plus the router's own variables (spindle, feed, tool, cycle time, alarm code) in the
/// simulator's namespace. Browse paths are listed in the README. The server is <see cref="OpcUaFaces"/>'.
/// </summary>
internal sealed class CncRouterFace
{
    public const string SimulatorUri = "urn:domioops:simulators";

    private readonly OpcUaServer _server;
    private readonly Dictionary<string, VariableNode> _variables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<ushort, AlarmCondition> _alarms = [];
    private readonly string _machineName;
    private ushort _own;
    private NodeId _events = NodeId.Null;
    private NodeId _alarmType = NodeId.Null;
    private ushort _raisedAlarm;

    /// <summary>Adds the machine <paramref name="spec"/> to <paramref name="server"/>, whose address space holds the woodworking model.</summary>
    public CncRouterFace(OpcUaServer server, MachineSpec spec, DateTime now)
    {
        this._server = server;
        _machineName = spec.Id;
        Build(spec, now);
    }

    public string EndpointUrl => _server.EndpointUrl;

    public int Port => _server.Port;

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
        if (r.Alarm != _raisedAlarm)
        {
            RaiseAlarm(r.Alarm == 0 ? _raisedAlarm : r.Alarm, active: r.Alarm != 0, t);
            _raisedAlarm = r.Alarm;
        }
    }

    /// <summary>
    /// An alarm condition (WwAlarmConditionType, OPC 40550-1 §7.16; ConditionId "{machine}/Alarms/{ConditionName}") of the
    /// machine's Events object, set active when the alarm is raised and inactive when it clears; each change is an event
    /// that subscribers on the machine, the Machines folder or the Server object receive. Operators acknowledge it with
    /// the Acknowledge method (OPC 10000-9 §5.7.3).
    /// </summary>
    private void RaiseAlarm(ushort code, bool active, DateTime time)
    {
        var text = code switch
        {
            201 => "Spindle bearing failure: vibration and temperature over limit",
            210 => "Tool breakage",
            _ => $"Alarm {code}",
        };
        if (!_alarms.TryGetValue(code, out var condition))
        {
            var name = code == 201 ? "SpindleBearingFailure" : code == 210 ? "ToolBreakage" : $"Alarm{code}";
            condition = _server.AddCondition(_events, new NodeId(_own, $"{_machineName}/Alarms/{name}"), name, _alarmType, _machineName);
            _alarms[code] = condition;
        }

        condition.SetActive(active, new LocalizedText("en", active ? text : $"Cleared: {text}"), active ? (ushort)800 : (ushort)100, time, new Dictionary<string, Variant>
        {
            ["MessageId"] = new Variant(code.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["MessageName"] = new Variant(text),
            ["EventCategory"] = new Variant(4),
        });
    }

    private static ulong Milliseconds(TimeSpan time) => (ulong)time.TotalMilliseconds;

    /// <summary>Sets a variable when its value changed, so subscriptions see changes, not ticks.</summary>
    private void Set(string path, object value, DateTime time)
    {
        if (_last.TryGetValue(path, out var previous) && previous.Equals(value))
        {
            return;
        }

        _last[path] = value;
        _variables[path].SetValue(new Variant(value), time);
    }

    private void Build(MachineSpec spec, DateTime now)
    {
        // The woodworking machine is an instance of WwMachineType from the published NodeSets (DI, Machinery,
        // Woodworking, ...), with the optional Flags and Values the simulator feeds.
        var space = _server.AddressSpace;
        _own = space.RegisterNamespace(SimulatorUri);
        var machine = CompanionSpecifications.AddWoodworkingMachine(space, new NodeId(_own, spec.Id), spec.Id, Included).NodeId;
        foreach (var path in WoodworkingPaths)
        {
            _variables[path] = space.VariableAt(machine, path);
        }

        // Alarms are events of the machine's Events object (OPC 40550-1 §7.2); both notify subscribers.
        _alarmType = space.NodeIdOf(CompanionSpecifications.WoodworkingUri, 1007);
        var eventsObject = (ObjectNode)space.FindByBrowsePath(machine, "Events")!;
        eventsObject.EventNotifier = 1;
        ((ObjectNode)space.Find(machine)!).EventNotifier = 1;
        _events = eventsObject.NodeId;

        foreach (var (name, value) in new (string, object)[] { ("Manufacturer", new LocalizedText("DomioOps simulators")), ("Model", new LocalizedText("Nesting CNC router")), ("SerialNumber", spec.Id), ("ProductInstanceUri", $"urn:domioops:simulators:{spec.Id}"), ("YearOfConstruction", (ushort)2024) })
        {
            if (space.FindByBrowsePath(machine, $"Identification/{name}") is VariableNode identification)
            {
                identification.SetValue(new Variant(value), now);
            }
        }

        NodeId Id(string path) => new(_own, $"{spec.Id}/{path}");
        space.AddObject(machine, Id("Spindle"), new QualifiedName(_own, "Spindle"));
        space.AddObject(machine, Id("Tool"), new QualifiedName(_own, "Tool"));
        foreach (var path in new[] { "Spindle/Speed", "Spindle/Load", "Spindle/Temperature", "Spindle/Vibration", "Tool/ToolLife", "CycleTime" })
        {
            Add(path, 0.0);
        }

        Add("Tool/ActiveTool", 0);
        Add("AlarmCode", 0);

        void Add(string path, object initial)
        {
            var parent = path.Contains('/', StringComparison.Ordinal) ? Id(path[..path.LastIndexOf('/')]) : machine;
            _variables[path] = space.AddVariable(parent, Id(path), new QualifiedName(_own, path[(path.LastIndexOf('/') + 1)..]), new Variant(initial), now);
        }
    }

    /// <summary>Optional nodes of the type that are instantiated: the Events object, the identification, the variables below and the objects on their way.</summary>
    private static bool Included(string path) =>
        path == "Events" || path.StartsWith("Identification/", StringComparison.Ordinal) || WoodworkingPaths.Any(p => p == path || p.StartsWith(path + "/", StringComparison.Ordinal));

    /// <summary>The woodworking variables the simulator sets, by browse path from the machine (OPC 40550-1 §7–8).</summary>
    private static readonly HashSet<string> WoodworkingPaths = new(StringComparer.Ordinal)
    {
        "State/Machine/Overview/CurrentState",
        "State/Machine/Overview/CurrentMode",
        "State/Machine/Flags/MachineOn",
        "State/Machine/Flags/PowerPresent",
        "State/Machine/Flags/Emergency",
        "State/Machine/Flags/Error",
        "State/Machine/Flags/Alarm",
        "State/Machine/Flags/Warning",
        "State/Machine/Flags/RecipeInRun",
        "State/Machine/Flags/MaintenanceRequired",
        "State/Machine/Values/AbsolutePiecesIn",
        "State/Machine/Values/AbsolutePiecesOut",
        "State/Machine/Values/AbsoluteRunsGood",
        "State/Machine/Values/AbsoluteRunsAborted",
        "State/Machine/Values/AbsoluteRunsTotal",
        "State/Machine/Values/AbsoluteMachineOffTime",
        "State/Machine/Values/AbsoluteStandbyTime",
        "State/Machine/Values/AbsoluteReadyTime",
        "State/Machine/Values/AbsoluteWorkingTime",
        "State/Machine/Values/AbsoluteErrorTime",
        "State/Machine/Values/AbsoluteMachineOnTime",
        "State/Machine/Values/FeedSpeed",
        "State/Machine/Values/ActualCycle",
    };
}

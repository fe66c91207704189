using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// Our server's address space with the published woodworking model loaded (the embedded DI, IA, Machinery, ISA-95 Job
/// Control, Machinery Jobs and Woodworking NodeSet2 files) and machines instantiated from WwMachineType under
/// Objects/Machines, plus plain variables (a spindle load, an alarm code) in a plant namespace for configured tags.
/// </summary>
internal sealed class WoodworkingAddressSpace
{
    public const string Plant = "urn:domioops:test:plant";

    private readonly AddressSpace _space;
    private readonly ushort _plant;
    private readonly Dictionary<string, VariableNode> _variables = new(StringComparer.Ordinal);

    public WoodworkingAddressSpace(AddressSpace space)
    {
        this._space = space;
        CompanionSpecifications.LoadWoodworking(space);
        _plant = space.RegisterNamespace(Plant);
        var line = space.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(_plant, "Line"), new QualifiedName(_plant, "Line"));
        _variables["SpindleLoad"] = space.AddVariable(line.NodeId, new NodeId(_plant, "Line.SpindleLoad"), new QualifiedName(_plant, "SpindleLoad"), new Variant(0.0), DateTime.UtcNow, writable: true);
        _variables["AlarmCode"] = space.AddVariable(line.NodeId, new NodeId(_plant, "Line.AlarmCode"), new QualifiedName(_plant, "AlarmCode"), new Variant(0), DateTime.UtcNow, writable: true);
    }

    /// <summary>
    /// Adds a WwMachineType instance with its Identification, Flags and Values; <paramref name="assetId"/> goes to
    /// Identification/AssetId when given. Its variables are then known here as "&lt;browse name&gt;.&lt;variable&gt;".
    /// </summary>
    public void AddMachine(string browseName, string? assetId, string serialNumber)
    {
        var machine = CompanionSpecifications.AddWoodworkingMachine(
            _space,
            new NodeId(_plant, browseName),
            browseName,
            path => path.StartsWith("Identification", StringComparison.Ordinal) || path.StartsWith("State/Machine/", StringComparison.Ordinal));
        var now = DateTime.UtcNow;
        _space.VariableAt(machine.NodeId, "Identification/SerialNumber").SetValue(new Variant(serialNumber), now);
        _space.VariableAt(machine.NodeId, "Identification/AssetId").SetValue(new Variant(assetId ?? ""), now);
        foreach (var (name, value) in new (string, Variant)[]
        {
            ("Overview/CurrentState", new Variant(3)), ("Overview/CurrentMode", new Variant(1)),
            ("Flags/Alarm", new Variant(false)), ("Flags/Warning", new Variant(false)), ("Flags/Emergency", new Variant(false)),
            ("Flags/MaintenanceRequired", new Variant(false)),
            ("Values/AbsolutePiecesIn", new Variant(0UL)), ("Values/AbsolutePiecesOut", new Variant(0UL)),
            ("Values/AbsoluteRunsGood", new Variant(0UL)), ("Values/AbsoluteRunsAborted", new Variant(0UL)), ("Values/FeedSpeed", new Variant(12.5)),
        })
        {
            var variable = _space.VariableAt(machine.NodeId, $"State/Machine/{name}");
            variable.SetValue(value, now);
            _variables[$"{browseName}.{name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..]}"] = variable;
        }
    }

    public void Set(string name, Variant value) => _variables[name].SetValue(value, DateTime.UtcNow);
}

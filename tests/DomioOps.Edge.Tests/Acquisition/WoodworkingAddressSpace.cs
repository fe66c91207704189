using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>
/// Woodworking machines (OPC 40550-1) built into our server's address space with the browse names of the published
/// model: Objects/Machines/&lt;machine&gt; (WwMachineType) with Identification (DI), State/Machine/Overview, Flags and
/// Values (Woodworking namespace), plus a plain variable in a vendor namespace for configured tags.
/// </summary>
internal sealed class WoodworkingAddressSpace
{
    public const string Woodworking = "http://opcfoundation.org/UA/Woodworking/";
    public const string Di = "http://opcfoundation.org/UA/DI/";
    public const string Machinery = "http://opcfoundation.org/UA/Machinery/";
    public const string Plant = "urn:domioops:test:plant";

    private readonly AddressSpace space;
    private readonly ushort ww;
    private readonly ushort di;
    private readonly ushort plant;
    private readonly Dictionary<string, VariableNode> variables = new(StringComparer.Ordinal);

    public WoodworkingAddressSpace(AddressSpace space)
    {
        this.space = space;
        ww = space.RegisterNamespace(Woodworking);
        di = space.RegisterNamespace(Di);
        var machinery = space.RegisterNamespace(Machinery);
        plant = space.RegisterNamespace(Plant);
        space.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(machinery, 1001u), new QualifiedName(machinery, "Machines"));
        var line = space.AddFolder(WellKnownNodes.ObjectsFolder, new NodeId(plant, "Line"), new QualifiedName(plant, "Line"));
        variables["SpindleLoad"] = space.AddVariable(line.NodeId, new NodeId(plant, "Line.SpindleLoad"), new QualifiedName(plant, "SpindleLoad"), new Variant(0.0), DateTime.UtcNow, writable: true);
    }

    public NodeId MachinesFolder => new(space.NamespaceUris.ToList().IndexOf(Machinery) is var m and >= 0 ? (ushort)m : (ushort)0, 1001u);

    /// <summary>Adds a machine with every mapped variable; <paramref name="assetId"/> goes to Identification/AssetId when given.</summary>
    public void AddMachine(string browseName, string? assetId, string serialNumber)
    {
        var id = browseName;
        var machine = space.AddObject(MachinesFolder, new NodeId(plant, id), new QualifiedName(plant, browseName), new NodeId(ww, 2u));
        var identification = space.AddObject(machine.NodeId, new NodeId(plant, $"{id}.Identification"), new QualifiedName(di, "Identification"));
        Property(identification.NodeId, $"{id}.SerialNumber", di, "SerialNumber", new Variant(serialNumber));
        Property(identification.NodeId, $"{id}.AssetId", di, "AssetId", new Variant(assetId ?? ""));
        var state = Object(machine.NodeId, $"{id}.State", "State");
        var unit = Object(state.NodeId, $"{id}.State.Machine", "Machine");
        var overview = Object(unit.NodeId, $"{id}.Overview", "Overview");
        Variable(overview.NodeId, id, "CurrentState", new Variant(3));
        Variable(overview.NodeId, id, "CurrentMode", new Variant(1));
        var flags = Object(unit.NodeId, $"{id}.Flags", "Flags");
        foreach (var flag in new[] { "Alarm", "Error", "Warning", "Emergency", "MaintenanceRequired", "MachineOn" })
        {
            Variable(flags.NodeId, id, flag, new Variant(flag == "MachineOn"));
        }

        var values = Object(unit.NodeId, $"{id}.Values", "Values");
        foreach (var counter in new[] { "AbsolutePiecesIn", "AbsolutePiecesOut", "AbsoluteRunsGood", "AbsoluteRunsAborted", "RelativePiecesOut" })
        {
            Variable(values.NodeId, id, counter, new Variant(0UL));
        }

        Variable(values.NodeId, id, "FeedSpeed", new Variant(12.5));
    }

    /// <summary>A variable by its short name: "SpindleLoad", or "&lt;machine&gt;.&lt;browse name&gt;".</summary>
    public VariableNode this[string name] => variables[name];

    public void Set(string name, Variant value) => variables[name].SetValue(value, DateTime.UtcNow);

    private ObjectNode Object(NodeId parent, string id, string name) => space.AddObject(parent, new NodeId(plant, id), new QualifiedName(ww, name));

    private void Variable(NodeId parent, string machine, string name, Variant value) =>
        variables[$"{machine}.{name}"] = space.AddVariable(parent, new NodeId(plant, $"{machine}.{parent.Identifier}.{name}"), new QualifiedName(ww, name), value, DateTime.UtcNow);

    private void Property(NodeId parent, string id, ushort ns, string name, Variant value) =>
        space.AddVariable(parent, new NodeId(plant, id), new QualifiedName(ns, name), value, DateTime.UtcNow, referenceType: WellKnownNodes.HasProperty);
}

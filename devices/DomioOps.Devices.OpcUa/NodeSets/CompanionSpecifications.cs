using DomioOps.Devices.OpcUa.Server;

using Microsoft.Extensions.Logging;

namespace DomioOps.Devices.OpcUa.NodeSets;

/// <summary>
/// The OPC Foundation companion NodeSets embedded in this library (see NodeSets/README.md): DI (OPC 10000-100), IA
/// (OPC 10000-200), Machinery (OPC 40001-1), ISA-95 Job Control (OPC 10031-4), Machinery Job Management (OPC 40001-3)
/// and Woodworking (OPC 40550-1), each loadable in its dependency order.
/// </summary>
public static class CompanionSpecifications
{
    public const string DiUri = "http://opcfoundation.org/UA/DI/";
    public const string IaUri = "http://opcfoundation.org/UA/IA/";
    public const string MachineryUri = "http://opcfoundation.org/UA/Machinery/";
    public const string Isa95JobControlUri = "http://opcfoundation.org/UA/ISA95-JOBCONTROL_V2/";
    public const string MachineryJobsUri = "http://opcfoundation.org/UA/Machinery/Jobs/";
    public const string WoodworkingUri = "http://opcfoundation.org/UA/Woodworking/";

    /// <summary>Woodworking's WwMachineType (OPC 40550-1 §7.2), in <see cref="WoodworkingUri"/>.</summary>
    public const uint WwMachineTypeId = 2;

    /// <summary>Machinery's Machines folder under Objects (OPC 40001-1 §9.2), in <see cref="MachineryUri"/>.</summary>
    public const uint MachinesFolderId = 1001;

    // Model URI -> embedded file, in dependency order.
    private static readonly (string Uri, string File)[] EmbeddedFiles =
    [
        (DiUri, "Opc.Ua.Di.NodeSet2.xml"),
        (IaUri, "Opc.Ua.IA.NodeSet2.xml"),
        (MachineryUri, "Opc.Ua.Machinery.NodeSet2.xml"),
        (Isa95JobControlUri, "opc.ua.isa95-jobcontrol.nodeset2.xml"),
        (MachineryJobsUri, "Opc.Ua.Machinery.Jobs.Nodeset2.xml"),
        (WoodworkingUri, "Opc.Ua.Woodworking.NodeSet2.xml"),
    ];

    // Each file parsed once per process, on first use, and imported into every address space that loads it.
    private static readonly Lazy<NodeSet>[] ParsedSets = [.. EmbeddedFiles.Select(f => new Lazy<NodeSet>(() => Parse(f.File), LazyThreadSafetyMode.ExecutionAndPublication))];

    /// <summary>The embedded NodeSet2 file names, in dependency order.</summary>
    public static IReadOnlyList<string> Files => [.. EmbeddedFiles.Select(f => f.File)];

    /// <summary>Opens one embedded NodeSet2 file by its name (see <see cref="Files"/>).</summary>
    public static Stream Open(string file) =>
        typeof(CompanionSpecifications).Assembly.GetManifestResourceStream($"DomioOps.Devices.OpcUa.NodeSets.{file}")
        ?? throw new ArgumentException($"No embedded NodeSet named {file}; embedded are: {string.Join(", ", Files)}.", nameof(file));

    /// <summary>The parsed model of one embedded NodeSet2 file (see <see cref="Files"/>), parsed once per process.</summary>
    public static NodeSet Parsed(string file)
    {
        var index = Array.FindIndex(EmbeddedFiles, f => f.File == file);
        return index >= 0 ? ParsedSets[index].Value : throw new ArgumentException($"No embedded NodeSet named {file}; embedded are: {string.Join(", ", Files)}.", nameof(file));
    }

    private static NodeSet Parse(string file)
    {
        using var stream = Open(file);
        return NodeSet.Parse(stream, file);
    }

    /// <summary>
    /// Loads the model <paramref name="modelUri"/> and, first, every embedded model it builds on; models the address space
    /// already holds are skipped. Each file is parsed once per process (<see cref="Parsed"/>); loading imports the parsed
    /// model. Returns one import per file loaded.
    /// </summary>
    public static IReadOnlyList<NodeSetImport> Load(AddressSpace addressSpace, string modelUri, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(addressSpace);
        var last = Array.FindIndex(EmbeddedFiles, f => f.Uri == modelUri);
        if (last < 0)
        {
            throw new ArgumentException($"No embedded NodeSet defines {modelUri}.", nameof(modelUri));
        }

        NodeSetLoader loader = new(addressSpace, logger);
        List<NodeSetImport> imports = [];
        for (var i = 0; i <= last; i++)
        {
            if (!addressSpace.HasModel(EmbeddedFiles[i].Uri))
            {
                imports.Add(loader.Import(ParsedSets[i].Value));
            }
        }

        return imports;
    }

    /// <summary>Loads Woodworking (OPC 40550-1) and the models it builds on: DI, IA, Machinery, ISA-95 Job Control, Machinery Jobs.</summary>
    public static IReadOnlyList<NodeSetImport> LoadWoodworking(AddressSpace addressSpace, ILogger? logger = null) =>
        Load(addressSpace, WoodworkingUri, logger);

    /// <summary>
    /// Creates a woodworking machine (WwMachineType) in Machinery's Machines folder, with the Mandatory nodes of the type
    /// (Identification, State/Machine/Overview/CurrentState and CurrentMode, ...) and the Optional ones
    /// <paramref name="includeOptional"/> accepts by browse path, e.g. <c>p => p.StartsWith("State/Machine/")</c> for
    /// Flags and Values. <see cref="LoadWoodworking"/> must have run.
    /// </summary>
    public static ObjectNode AddWoodworkingMachine(AddressSpace addressSpace, NodeId nodeId, string name, Func<string, bool>? includeOptional = null)
    {
        ArgumentNullException.ThrowIfNull(addressSpace);
        ArgumentNullException.ThrowIfNull(nodeId);
        var machines = addressSpace.NodeIdOf(MachineryUri, MachinesFolderId);
        var type = addressSpace.NodeIdOf(WoodworkingUri, WwMachineTypeId);
        var machine = addressSpace.AddInstance(machines, nodeId, new QualifiedName(nodeId.NamespaceIndex, name), type, includeOptional);
        return machine;
    }
}

using System.Text.RegularExpressions;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.Client;
using DomioOps.Devices.OpcUa.Server;
using DomioOps.Devices.OpcUa.Services;
using DomioOps.Models;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Signals;

/// <summary>A woodworking machine found on a server and the variables that carry its signals.</summary>
internal sealed record WoodworkingMachine(string Machine, string BrowseName, IReadOnlyList<(Signal Signal, NodeId NodeId)> Variables);

/// <summary>
/// Finds the machines of an OPC UA server that expose the woodworking model (OPC 40550-1, on OPC 40001-1 Machinery):
/// objects below the Objects folder that have State/Machine/Overview/CurrentState in the woodworking namespace (every
/// WwMachineType instance has it, subtypes included), and maps their Overview, Flags and Values to canonical signals.
/// </summary>
internal static partial class WoodworkingMachines
{
    public const string Namespace = "http://opcfoundation.org/UA/Woodworking/";
    public const string DiNamespace = "http://opcfoundation.org/UA/DI/";

    /// <summary>How deep below the Objects folder machines are looked for (Objects/Machines/&lt;machine&gt; is depth 2).</summary>
    private const int MaxDepth = 4;

    /// <summary>Objects examined at most, so that a server with a huge address space is not walked whole.</summary>
    private const int MaxCandidates = 5000;

    /// <summary>The variables read from every machine, as paths below the machine in the woodworking namespace (OPC 40550-1 §8).</summary>
    private static readonly (string Path, Signal Signal)[] Mapping =
    [
        ("State/Machine/Overview/CurrentState", Signal.MachineState),
        ("State/Machine/Overview/CurrentMode", Signal.MachineMode),
        ("State/Machine/Flags/Alarm", Signal.Alarm),
        ("State/Machine/Flags/Warning", Signal.Warning),
        ("State/Machine/Flags/Emergency", Signal.Emergency),
        ("State/Machine/Flags/MaintenanceRequired", Signal.MaintenanceRequired),
        ("State/Machine/Values/AbsolutePiecesIn", Signal.PiecesIn),
        ("State/Machine/Values/AbsolutePiecesOut", Signal.PieceCounter),
        ("State/Machine/Values/AbsoluteRunsGood", Signal.RunsGood),
        ("State/Machine/Values/AbsoluteRunsAborted", Signal.RunsAborted),

        // Machines without the absolute (lifetime) counters: the relative ones, which restart when the operator resets them.
        ("State/Machine/Values/RelativePiecesIn", Signal.PiecesIn),
        ("State/Machine/Values/RelativePiecesOut", Signal.PieceCounter),
        ("State/Machine/Values/RelativeRunsGood", Signal.RunsGood),
        ("State/Machine/Values/RelativeRunsAborted", Signal.RunsAborted),
        ("State/Machine/Values/FeedSpeed", Signal.FeedSpeed),
    ];

    /// <summary>Identification properties (OPC 10000-100 DI / OPC 40001-1) by which a machine can be renamed in MachineIds.</summary>
    private static readonly string[] IdentificationKeys = ["AssetId", "SerialNumber", "ProductInstanceUri"];

    public static async Task<IReadOnlyList<WoodworkingMachine>> FindAsync(OpcUaClient client, IReadOnlyDictionary<string, string> machineIds, CancellationToken cancellationToken)
    {
        var ww = client.NamespaceIndexOf(Namespace);
        if (ww < 0)
        {
            return [];
        }

        var candidates = await CandidatesAsync(client, cancellationToken);
        var probe = await client.TranslateBrowsePathsAsync([.. candidates.Select(c => Path(c.NodeId.NodeId, (ushort)ww, Mapping[0].Path))], cancellationToken);
        var machines = candidates.Where((c, i) => probe[i].StatusCode.IsGood && probe[i].Targets.Count > 0).ToList();
        if (machines.Count == 0)
        {
            return [];
        }

        var di = client.NamespaceIndexOf(DiNamespace);
        var paths = machines.SelectMany(m => Mapping.Select(v => Path(m.NodeId.NodeId, (ushort)ww, v.Path))).ToList();
        var identification = di < 0 ? [] : machines.SelectMany(m => IdentificationKeys.Select(k => Path(m.NodeId.NodeId, (ushort)di, $"Identification/{k}"))).ToList();
        var resolved = await client.TranslateBrowsePathsAsync([.. paths, .. identification], cancellationToken);
        var identificationValues = await ReadIdentificationAsync(client, resolved.Skip(paths.Count).ToList(), cancellationToken);

        var found = new List<WoodworkingMachine>();
        for (var m = 0; m < machines.Count; m++)
        {
            var variables = new List<(Signal Signal, NodeId NodeId)>();
            for (var v = 0; v < Mapping.Length; v++)
            {
                // The first path found for a signal wins (absolute counters before relative ones).
                if (Target(resolved[(m * Mapping.Length) + v]) is { } nodeId && !variables.Any(x => x.Signal == Mapping[v].Signal))
                {
                    variables.Add((Mapping[v].Signal, nodeId));
                }
            }

            var ids = identificationValues.Count == 0 ? [] : identificationValues.Skip(m * IdentificationKeys.Length).Take(IdentificationKeys.Length).ToList();
            var browseName = machines[m].BrowseName.Name ?? "";
            found.Add(new WoodworkingMachine(MachineId(browseName, ids, machineIds), browseName, variables));
        }

        return found;
    }

    /// <summary>
    /// The machine id: the MachineIds entry for its browse name, AssetId, SerialNumber or ProductInstanceUri if there is one;
    /// else its AssetId (the plant's own name for it), else its browse name — the last segment of a URI-like name, with
    /// characters a machine id cannot hold replaced by '-'.
    /// </summary>
    internal static string MachineId(string browseName, IReadOnlyList<string?> identification, IReadOnlyDictionary<string, string> machineIds)
    {
        foreach (var key in identification.Prepend(browseName))
        {
            if (key is { Length: > 0 } && machineIds.TryGetValue(key, out var renamed))
            {
                return renamed;
            }
        }

        var name = identification.Count > 0 && identification[0] is { Length: > 0 } assetId ? assetId : browseName;
        var slash = name.TrimEnd('/').LastIndexOf('/');
        if (slash >= 0)
        {
            name = name.TrimEnd('/')[(slash + 1)..];
        }

        var id = NotInMachineId().Replace(name, "-").Trim('-');
        id = id.Length > 64 ? id[..64] : id;
        return EdgeTopics.IsValidId(id) ? id : "machine";
    }

    private static async Task<List<ReferenceDescription>> CandidatesAsync(OpcUaClient client, CancellationToken cancellationToken)
    {
        var candidates = new List<ReferenceDescription>();
        var seen = new HashSet<NodeId>();
        var level = new List<NodeId> { WellKnownNodes.ObjectsFolder };
        for (var depth = 0; depth < MaxDepth && level.Count > 0 && candidates.Count < MaxCandidates; depth++)
        {
            var results = await client.BrowseAsync(
                [.. level.Select(n => new BrowseDescription(n, BrowseDirection.Forward, WellKnownNodes.HierarchicalReferences, true, (uint)NodeClass.Object))],
                0,
                cancellationToken);
            var next = new List<NodeId>();
            foreach (var reference in results.Where(r => r.StatusCode.IsGood).SelectMany(r => r.References))
            {
                // Only local nodes; the Server object's diagnostics are never machines.
                if (reference.NodeId.ServerIndex == 0 && reference.NodeId.NamespaceUri is null && reference.NodeId.NodeId.NamespaceIndex != 0 && seen.Add(reference.NodeId.NodeId))
                {
                    candidates.Add(reference);
                    next.Add(reference.NodeId.NodeId);
                }
                else if (depth == 0 && reference.NodeId.NodeId.NamespaceIndex == 0 && reference.NodeId.NodeId != WellKnownNodes.Server && seen.Add(reference.NodeId.NodeId))
                {
                    next.Add(reference.NodeId.NodeId);
                }
            }

            level = next;
        }

        return candidates.Count > MaxCandidates ? candidates[..MaxCandidates] : candidates;
    }

    private static async Task<List<string?>> ReadIdentificationAsync(OpcUaClient client, List<BrowsePathResult> resolved, CancellationToken cancellationToken)
    {
        var nodes = resolved.Select(Target).ToList();
        var present = nodes.Where(n => n is not null).Select(n => new ReadValueId(n!)).ToList();
        if (present.Count == 0)
        {
            return [.. nodes.Select(_ => (string?)null)];
        }

        var values = await client.ReadAsync(present, cancellationToken, TimestampsToReturn.Neither);
        var next = 0;
        return [.. nodes.Select(n => n is null ? null : values[next++] is { StatusCode.IsGood: true, Value.Value: string text } && text.Length > 0 ? text : null)];
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex NotInMachineId();

    private static NodeId? Target(BrowsePathResult result) =>
        result.StatusCode.IsGood && result.Targets.Count > 0 && result.Targets[0].TargetId.ServerIndex == 0 && result.Targets[0].RemainingPathIndex == uint.MaxValue
            ? result.Targets[0].TargetId.NodeId
            : null;

    private static BrowsePath Path(NodeId start, ushort namespaceIndex, string path) =>
        new(start, [.. path.Split('/').Select(name => new RelativePathElement(WellKnownNodes.HierarchicalReferences, false, true, new QualifiedName(namespaceIndex, name)))]);
}

using BenchmarkDotNet.Attributes;

using DomioOps.Devices.OpcUa;
using DomioOps.Devices.OpcUa.NodeSets;
using DomioOps.Devices.OpcUa.Server;

namespace DomioOps.Benchmarks.OpcUa;

/// <summary>
/// What a woodworking server pays at start: importing the six embedded companion NodeSets (DI, IA, Machinery, ISA-95 Job
/// Control, Machinery Jobs, Woodworking) into a new address space, and instantiating one WwMachineType with its State nodes.
/// </summary>
[MemoryDiagnoser]
public class NodeSetBenchmarks
{
    private AddressSpace _space = null!;
    private ushort _ns;
    private int _machines;

    [GlobalSetup]
    public void Setup()
    {
        _space = new AddressSpace("urn:bench");
        CompanionSpecifications.LoadWoodworking(_space);
        _ns = _space.RegisterNamespace("urn:bench:machines");
    }

    [Benchmark(Baseline = true)]
    public AddressSpace LoadWoodworking()
    {
        AddressSpace space = new("urn:bench");
        CompanionSpecifications.LoadWoodworking(space);
        return space;
    }

    [Benchmark]
    public ObjectNode AddWoodworkingMachine()
    {
        var n = ++_machines;
        return CompanionSpecifications.AddWoodworkingMachine(
            _space,
            new NodeId(_ns, $"Router{n}"),
            $"Router{n}",
            path => path.StartsWith("State/Machine/", StringComparison.Ordinal) && path.Count(c => c == '/') <= 3);
    }
}

using BenchmarkDotNet.Running;

if (args is ["opcua-load", ..])
{
    await DomioOps.Benchmarks.OpcUa.OpcUaLoad.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

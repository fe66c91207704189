using BenchmarkDotNet.Running;

using DomioOps.Benchmarks.Modbus;

if (args is ["opcua-load", ..])
{
    await DomioOps.Benchmarks.OpcUa.OpcUaLoad.RunAsync();
    return 0;
}

if (args is ["ingestion-latency", .. var latencyArgs])
{
    return await DomioOps.Benchmarks.Cloud.IngestionLatencyHarness.RunAsync(latencyArgs);
}

if (args is ["modbus-load", .. var rest])
{
    return await ModbusLoadHarness.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

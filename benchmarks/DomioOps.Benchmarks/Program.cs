using BenchmarkDotNet.Running;

using DomioOps.Benchmarks.Modbus;

if (args is ["opcua-load", ..])
{
    await DomioOps.Benchmarks.OpcUa.OpcUaLoad.RunAsync();
    return 0;
}

if (args is ["cluster-load", .. var clusterArgs])
{
    return await DomioOps.Benchmarks.Cloud.ClusterThroughputHarness.RunAsync(clusterArgs);
}

if (args is ["soak", .. var soakArgs])
{
    return await DomioOps.Benchmarks.Cloud.SoakHarness.RunAsync(soakArgs);
}

if (args is ["ingestion-latency", .. var latencyArgs])
{
    return await DomioOps.Benchmarks.Cloud.IngestionLatencyHarness.RunAsync(latencyArgs);
}

if (args is ["edge-load", .. var edgeArgs])
{
    return await DomioOps.Benchmarks.Edge.EdgeLoadHarness.RunAsync(edgeArgs);
}

if (args is ["edge-cloud-latency", .. var edgeCloudArgs])
{
    return await DomioOps.Benchmarks.Edge.EdgeCloudLatencyHarness.RunAsync(edgeCloudArgs);
}

if (args is ["modbus-load", .. var rest])
{
    return await ModbusLoadHarness.RunAsync(rest);
}

if (args is ["simulator-fleet", .. var fleetArgs])
{
    return await DomioOps.Benchmarks.Simulators.FleetLoadHarness.RunAsync(fleetArgs);
}

if (args is ["web-load", .. var webArgs])
{
    return await DomioOps.Benchmarks.Web.WebLoadHarness.RunAsync(webArgs);
}

if (args is ["production-load", .. var productionArgs])
{
    return await DomioOps.Benchmarks.Production.ProductionLoadHarness.RunAsync(productionArgs);
}

if (args is ["planning-load", .. var planningArgs])
{
    return await DomioOps.Benchmarks.Planning.PlanningLoadHarness.RunAsync(planningArgs);
}

if (args is ["maintenance-scoring", .. var maintenanceArgs])
{
    return await DomioOps.Benchmarks.Maintenance.MaintenanceScoringHarness.RunAsync(maintenanceArgs);
}

if (args is ["quote-pdf", .. var quoteArgs])
{
    return DomioOps.Benchmarks.Office.QuotePdfHarness.Run(quoteArgs);
}

if (args is ["history-load", .. var historyArgs])
{
    await DomioOps.Benchmarks.History.HistoryLoad.RunAsync(historyArgs);
    return 0;
}

if (args is ["office-search", .. var officeArgs])
{
    return await DomioOps.Benchmarks.Office.OfficeSearchLoad.RunAsync(officeArgs);
}

BenchmarkSwitcher.FromAssembly(System.Reflection.Assembly.GetExecutingAssembly()).Run(args);
return 0;

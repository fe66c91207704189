using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.ServiceDefaults;

if (args is ["hash-password", ..])
{
    // For Broker:Edges seeds: reads a password from standard input, prints its $7$ hash.
    Console.WriteLine(EdgeCredentials.Hash(Console.ReadLine() ?? ""));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("domio-cloud", IngestionMetrics.MeterName, HistoryMetrics.MeterName);
builder.AddCluster();
builder.AddIngestion();
builder.AddMachines();
builder.AddHistory();

var app = builder.Build();
app.MapServiceDefaults();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapMachinesApi();
app.MapEdgesApi();
app.MapHistoryApi();
app.MapHub<MachineHub>(MachineHub.Path);
app.Run();

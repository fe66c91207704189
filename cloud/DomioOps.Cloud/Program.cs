using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("domio-cloud", IngestionMetrics.MeterName);
builder.AddCluster();
builder.AddIngestion();
builder.Services.AddSignalR();

var app = builder.Build();
app.MapServiceDefaults();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapMachinesApi();
app.MapEdgesApi();
app.MapHub<MachineHub>(MachineHub.Path);
app.Run();

using DomioOps.Edge;
using DomioOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("domio-edge", EdgeMetrics.MeterName, DomioOps.Devices.Modbus.ModbusMetrics.MeterName, DomioOps.Devices.OpcUa.OpcUaMetrics.MeterName);
builder.Services.AddSystemd();
builder.Services.AddWindowsService();
builder.AddEdgeOptions();
builder.AddStoreAndForward();
builder.AddAcquisition();
builder.AddPublishing();

var app = builder.Build();
app.MapServiceDefaults();
app.Run();

using DomioOps.ServiceDefaults;
using DomioOps.Simulators;
using DomioOps.Simulators.PanelSaws;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("domio-simulators");
builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<PanelSawHost>();
builder.Services.AddHostedService(services => services.GetRequiredService<PanelSawHost>());

var app = builder.Build();
app.MapServiceDefaults();
app.MapPanelSawControl();
app.Run();

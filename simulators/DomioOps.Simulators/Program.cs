using DomioOps.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("placeholder");
var app = builder.Build();
app.MapServiceDefaults();
app.Run();

using DomioOps.ServiceDefaults;
using DomioOps.Simulators;

if (args.Length > 0 && args[0] == "ground-truth")
{
    return GroundTruthCommand.Run(args[1..], Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == "history")
{
    return DomioOps.Simulators.History.HistoryCommand.Run(args[1..], Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(SimulatorCommandLine.Normalise(args));
builder.AddServiceDefaults("domio-simulators");
builder.AddFactory();

var app = builder.Build();
app.MapServiceDefaults();
app.MapFactoryControl();
app.Run();
return 0;

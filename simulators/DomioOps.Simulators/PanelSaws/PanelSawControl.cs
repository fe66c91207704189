namespace DomioOps.Simulators.PanelSaws;

internal static class PanelSawControl
{
    /// <summary>
    /// The control endpoint (loopback only): <c>GET /api/saws</c>, <c>GET /api/saws/{machine}</c>, and
    /// <c>POST /api/saws/{machine}/hold</c> / <c>/resume</c> to stop and restart production.
    /// </summary>
    public static IEndpointRouteBuilder MapPanelSawControl(this IEndpointRouteBuilder app)
    {
        var saws = app.MapGroup("/api/saws");
        saws.MapGet("/", (PanelSawHost host) => host.Saws.Select(s => s.Status()).ToList());
        saws.MapGet("/{machine}", (string machine, PanelSawHost host) =>
            Find(host, machine) is { } saw ? Results.Ok(saw.Status()) : NotFound(machine));
        saws.MapPost("/{machine}/hold", (string machine, PanelSawHost host) => Hold(host, machine, true));
        saws.MapPost("/{machine}/resume", (string machine, PanelSawHost host) => Hold(host, machine, false));
        return app;
    }

    private static IResult Hold(PanelSawHost host, string machine, bool hold)
    {
        if (Find(host, machine) is not { } saw)
        {
            return NotFound(machine);
        }

        saw.Hold(hold);
        return Results.Ok(saw.Status());
    }

    private static RunningSaw? Find(PanelSawHost host, string machine) =>
        host.Saws.FirstOrDefault(s => string.Equals(s.Options.Machine, machine, StringComparison.Ordinal));

    private static IResult NotFound(string machine) => Results.Problem($"No simulated saw '{machine}'", statusCode: StatusCodes.Status404NotFound);
}

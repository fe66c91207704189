using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Faces;

namespace DomioOps.Simulators;

/// <summary>
/// The control endpoint (bound to loopback by ASPNETCORE_URLS): the factory clock, every machine's status,
/// fault injection, operator hold/resume and forced failures; plus <c>/api/saws</c> kept for the first clients.
/// </summary>
internal static class FactoryControl
{
    public static IEndpointRouteBuilder MapFactoryControl(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/factory", (FactoryHost host) => new FactoryStatus(
            host.Clock.Start, host.Factory.Now, host.Clock.Acceleration, host.Factory.Scenario.Seed, host.Clock.Completed, host.GroundTruthEvents, host.Machines.Count));

        var machines = app.MapGroup("/api/machines");
        machines.MapGet("/", (FactoryHost host) => host.Machines.Select(m => Status(host, m)).ToList());
        machines.MapGet("/{machine}", (string machine, FactoryHost host) => With(host, machine, m => Results.Ok(Status(host, m))));
        machines.MapPost("/{machine}/fault/{fault}", (string machine, string fault, FactoryHost host) => With(host, machine, m =>
        {
            if (!MachineFault.TryParse(fault, out var parsed, out var error))
            {
                return Results.Problem(error, statusCode: StatusCodes.Status400BadRequest);
            }

            m.Fault = parsed;
            return Results.Ok(Status(host, m));
        }));
        machines.MapDelete("/{machine}/fault", (string machine, FactoryHost host) => With(host, machine, m =>
        {
            m.Fault = MachineFault.None;
            return Results.Ok(Status(host, m));
        }));
        machines.MapPost("/{machine}/hold", (string machine, FactoryHost host) => Hold(host, machine, true, m => Results.Ok(Status(host, m))));
        machines.MapPost("/{machine}/resume", (string machine, FactoryHost host) => Hold(host, machine, false, m => Results.Ok(Status(host, m))));
        machines.MapPost("/{machine}/fail", (string machine, string? kind, FactoryHost host) => With(host, machine, m =>
        {
            if (m.Device is not SimulatedMachine simulated || simulated.Failures.Count == 0)
            {
                return Results.Problem($"'{machine}' has no failure kinds.", statusCode: StatusCodes.Status400BadRequest);
            }

            var failure = kind ?? simulated.Failures[0].Kind;
            return host.Change(simulated, (now, log) => simulated.ForceFailure(now, failure, log))
                ? Results.Ok(Status(host, m))
                : Results.Problem($"'{machine}' cannot fail with '{failure}' now (unknown kind, or already down); kinds: {string.Join(", ", simulated.Failures.Select(f => f.Kind))}.", statusCode: StatusCodes.Status409Conflict);
        }));

        var saws = app.MapGroup("/api/saws");
        saws.MapGet("/", (FactoryHost host) => host.Machines.Where(m => m.Device is PanelSaw).Select(m => SawStatus(host, m)).ToList());
        saws.MapGet("/{machine}", (string machine, FactoryHost host) => With(host, machine, m => Results.Ok(SawStatus(host, m))));
        saws.MapPost("/{machine}/hold", (string machine, FactoryHost host) => Hold(host, machine, true, m => Results.Ok(SawStatus(host, m))));
        saws.MapPost("/{machine}/resume", (string machine, FactoryHost host) => Hold(host, machine, false, m => Results.Ok(SawStatus(host, m))));
        return app;
    }

    private static IResult With(FactoryHost host, string machine, Func<RunningMachine, IResult> action) =>
        host.Find(machine) is { } m ? action(m) : Results.Problem($"No simulated machine '{machine}'.", statusCode: StatusCodes.Status404NotFound);

    private static IResult Hold(FactoryHost host, string machine, bool hold, Func<RunningMachine, IResult> result) => With(host, machine, m =>
    {
        if (m.Device is not SimulatedMachine simulated)
        {
            return Results.Problem($"'{machine}' is a meter; it cannot be held.", statusCode: StatusCodes.Status400BadRequest);
        }

        host.Change(simulated, (now, log) =>
        {
            simulated.Hold(now, hold, log);
            return true;
        });
        host.Tick();
        return result(m);
    });

    private static MachineStatus Status(FactoryHost host, RunningMachine m)
    {
        lock (host.Factory.Gate)
        {
            var r = m.Reading;
            return new MachineStatus(
                m.Spec.Id, Kebab(m.Spec.Kind.ToString()), Kebab(m.Spec.Protocol.ToString()!), m.Endpoint, m.Port, m.Spec.UnitId,
                r.State.ToString(), r.Mode.ToString(), r.PiecesOut, r.Cycles, r.Alarm, m.Device is SimulatedMachine { Held: true }, m.Fault.ToString());
        }
    }

    private static PanelSawStatus SawStatus(FactoryHost host, RunningMachine m)
    {
        var status = Status(host, m);
        return new PanelSawStatus(status.Machine, status.Port, status.UnitId, status.Held ? "Held" : status.State, status.Pieces, status.Cycles);
    }

    private static string Kebab(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}

/// <summary>The factory clock as the control endpoint reports it.</summary>
public sealed record FactoryStatus(DateTimeOffset Start, DateTimeOffset Now, double Acceleration, int Seed, bool Completed, long GroundTruthEvents, int Machines);

/// <summary>A machine as the control endpoint reports it.</summary>
public sealed record MachineStatus(string Machine, string Kind, string Protocol, string Endpoint, int Port, byte UnitId, string State, string Mode, uint Pieces, uint Cycles, ushort Alarm, bool Held, string Fault);

/// <summary>What <c>/api/saws</c> reports of a saw (the first simulator's shape).</summary>
public sealed record PanelSawStatus(string Machine, int Port, byte UnitId, string State, uint Pieces, uint Cycles);

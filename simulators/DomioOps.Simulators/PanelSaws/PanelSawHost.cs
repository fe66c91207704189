using System.Net;

using DomioOps.Devices.Modbus;

using Microsoft.Extensions.Options;

namespace DomioOps.Simulators.PanelSaws;

/// <summary>
/// Runs every configured panel saw: its production model ticks every 100 ms and its registers are served
/// over Modbus TCP on <see cref="SimulatorOptions.Address"/>. A saw can be held (no new cycles: an operator stopped it) and resumed.
/// </summary>
internal sealed partial class PanelSawHost(IOptions<SimulatorOptions> options, TimeProvider time, ILogger<PanelSawHost> logger) : BackgroundService
{
    private readonly List<RunningSaw> saws = [];

    /// <summary>The saws once started; empty before.</summary>
    public IReadOnlyList<RunningSaw> Saws => saws;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var sawOptions in options.Value.PanelSaws)
        {
            var server = new ModbusTcpServer(new ModbusTcpServerOptions(IPAddress.Parse(options.Value.Address), sawOptions.Port));
            var registers = server.AddUnit(sawOptions.UnitId);
            await server.StartAsync(cancellationToken);
            var saw = new RunningSaw(sawOptions, new PanelSaw(sawOptions, time.GetUtcNow()), server, registers);
            saw.Publish();
            saws.Add(saw);
            LogServing(sawOptions.Machine, options.Value.Address, server.Port, sawOptions.UnitId);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var saw in saws)
        {
            await saw.Server.DisposeAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = time.GetUtcNow();
            foreach (var saw in saws)
            {
                saw.Advance(now);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Panel saw {Machine} serving Modbus TCP on {Address}:{Port}, unit {Unit}")]
    private partial void LogServing(string machine, string address, int port, byte unit);
}

/// <summary>A saw with its Modbus server. Only the host's tick and the control endpoint touch it, under its lock.</summary>
internal sealed class RunningSaw(PanelSawOptions options, PanelSaw saw, ModbusTcpServer server, ModbusDataModel registers)
{
    private readonly Lock gate = new();
    private bool held;

    public PanelSawOptions Options { get; } = options;

    public ModbusTcpServer Server { get; } = server;

    public void Advance(DateTimeOffset now)
    {
        lock (gate)
        {
            if (!held)
            {
                saw.Advance(now);
            }

            Publish();
        }
    }

    /// <summary>Stops (true) or restarts (false) production; a held saw keeps serving its last registers.</summary>
    public void Hold(bool hold)
    {
        lock (gate)
        {
            held = hold;
        }
    }

    public PanelSawStatus Status()
    {
        lock (gate)
        {
            return new PanelSawStatus(Options.Machine, Server.Port, Options.UnitId, held ? "Held" : saw.State.ToString(), saw.Pieces, saw.Cycles);
        }
    }

    public void Publish()
    {
        Span<ushort> values = stackalloc ushort[PanelSawRegisterMap.Count];
        PanelSawRegisterMap.Write(saw, values);
        registers.SetHoldingRegisters(0, values);
    }
}

/// <summary>What the control endpoint reports of a saw.</summary>
public sealed record PanelSawStatus(string Machine, int Port, byte UnitId, string State, uint Pieces, uint Cycles);

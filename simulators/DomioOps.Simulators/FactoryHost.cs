using System.Net;
using System.Text;

using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Faces;
using DomioOps.Simulators.Scenarios;

using Microsoft.Extensions.Options;

namespace DomioOps.Simulators;

/// <summary>
/// Runs the scenario: builds the factory and every machine's face (Modbus TCP/RTU, ASCII line, OPC UA), then
/// every tick advances the factory to the virtual clock's time, appends the ground-truth events to the log
/// and refreshes every face from a fresh reading.
/// </summary>
internal sealed partial class FactoryHost(IOptions<SimulatorOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<FactoryHost> logger) : BackgroundService
{
    private readonly List<RunningMachine> _machines = [];
    private ModbusFaces? _modbus;
    private OpcUaFaces? _opcUa;
    private StreamWriter? _groundTruth;
    private bool _completedLogged;

    public Factory Factory { get; private set; } = null!;

    public VirtualClock Clock { get; private set; } = null!;

    /// <summary>The machines once started; empty before.</summary>
    public IReadOnlyList<RunningMachine> Machines => _machines;

    public long GroundTruthEvents { get; private set; }

    public RunningMachine? Find(string machine) => _machines.FirstOrDefault(m => string.Equals(m.Spec.Id, machine, StringComparison.Ordinal));

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var scenario = options.Value.BuildScenario(environment.ContentRootPath);
        var start = scenario.Start ?? time.GetUtcNow();
        Clock = new VirtualClock(start, scenario.Acceleration, scenario.Duration, time);
        Factory = new Factory(scenario, start);
        if (scenario.GroundTruthLog is { } path)
        {
            var full = Path.GetFullPath(Path.Combine(environment.ContentRootPath, path));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            _groundTruth = new StreamWriter(full, append: false, new UTF8Encoding(false));
            LogGroundTruth(full);
        }

        var faults = options.Value.ParsedFaults().ToDictionary(f => f.Machine, f => f.Fault!, StringComparer.Ordinal);
        _modbus = new ModbusFaces(IPAddress.Parse(scenario.Address));
        _opcUa = new OpcUaFaces(scenario.Address, time);
        foreach (var device in Factory.Devices)
        {
            var running = new RunningMachine(device, faults.GetValueOrDefault(device.Spec.Id) ?? MachineFault.None);
            switch (device.Spec.Protocol)
            {
                case MachineProtocol.ModbusTcp or MachineProtocol.ModbusRtu:
                    var (model, endpoint, port) = await _modbus.AddAsync(device.Spec, () => running.Fault, cancellationToken);
                    running.Attach(endpoint, port, r => RegisterMaps.Publish(device.Spec.Kind, r, model), null);
                    break;
                case MachineProtocol.AsciiLine:
                    var line = new AsciiStatusLine(device.Spec, () => running.Fault);
                    await line.StartAsync(cancellationToken);
                    running.Attach($"ascii-line {device.Spec.SerialPort} {device.Spec.BaudRate} {device.Spec.Parity}", 0, line.Publish, line);
                    break;
                default:
                    var face = await _opcUa.AddAsync(device.Spec, () => running.Fault, cancellationToken);
                    running.Attach(face.EndpointUrl, face.Port, face.Publish, null);
                    break;
            }

            _machines.Add(running);
            LogServing(device.Spec.Id, device.Spec.Kind, running.Endpoint);
        }

        LogStarted(_machines.Count, start, scenario.Acceleration, scenario.Seed);
        Tick();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var machine in _machines)
        {
            if (machine.Face is { } face)
            {
                await face.DisposeAsync();
            }
        }

        if (_modbus is not null)
        {
            await _modbus.DisposeAsync();
        }

        if (_opcUa is not null)
        {
            await _opcUa.DisposeAsync();
        }

        if (_groundTruth is not null)
        {
            await _groundTruth.DisposeAsync();
        }
    }

    /// <summary>Advances the factory to now, logs its events and refreshes every face.</summary>
    public void Tick()
    {
        lock (Factory.Gate)
        {
            var now = Clock.Now;
            Record(Factory.Advance(now));
            foreach (var machine in _machines)
            {
                machine.Device.Read(now, machine.Reading);
                machine.Publish(machine.Reading);
            }

            if (Clock.Completed && !_completedLogged)
            {
                _completedLogged = true;
                _groundTruth?.Flush();
                LogCompleted(now, GroundTruthEvents);
            }
        }
    }

    /// <summary>Runs <paramref name="change"/> on a machine at the current factory time, under the factory's lock, logging what it caused.</summary>
    public T Change<T>(SimulatedMachine machine, Func<DateTimeOffset, List<GroundTruthEvent>, T> change)
    {
        lock (Factory.Gate)
        {
            var events = new List<GroundTruthEvent>();
            var result = change(Clock.Now, events);
            Record(events);
            return result;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Tick();
        }
    }

    private void Record(IReadOnlyList<GroundTruthEvent> events)
    {
        foreach (var e in events)
        {
            GroundTruthEvents++;
            _groundTruth?.WriteLine(Factory.ToJsonLine(e));
            LogEvent(e.Machine, e.Kind, e.Event, e.Time);
        }

        if (events.Count > 0)
        {
            _groundTruth?.Flush();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Machine} ({Kind}) serving {Endpoint}")]
    private partial void LogServing(string machine, MachineKind kind, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Factory of {Count} machines started at factory time {Start:O}, acceleration {Acceleration}, seed {Seed}")]
    private partial void LogStarted(int count, DateTimeOffset start, double acceleration, int seed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ground truth: {Machine} {Kind} {Event} at {Time:O}")]
    private partial void LogEvent(string machine, string kind, string @event, DateTimeOffset time);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ground-truth log: {Path}")]
    private partial void LogGroundTruth(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scenario completed at factory time {Time:O} with {Events} ground-truth events; machines keep answering")]
    private partial void LogCompleted(DateTimeOffset time, long events);
}

/// <summary>A device with its face and its current fault.</summary>
internal sealed class RunningMachine(ISimulatedDevice device, MachineFault fault)
{
    private volatile MachineFault _current = fault;
    private Action<MachineReading> _publish = _ => { };

    public ISimulatedDevice Device { get; } = device;

    public MachineSpec Spec => Device.Spec;

    public MachineReading Reading { get; } = new();

    public string Endpoint { get; private set; } = "";

    public IAsyncDisposable? Face { get; private set; }

    public MachineFault Fault
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>The TCP port it is served on; 0 on a serial line.</summary>
    public int Port { get; private set; }

    public void Attach(string endpoint, int port, Action<MachineReading> publisher, IAsyncDisposable? face)
    {
        Endpoint = endpoint;
        Port = port;
        _publish = publisher;
        Face = face;
    }

    public void Publish(MachineReading reading) => _publish(reading);
}

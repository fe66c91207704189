using DomioOps.Simulators.Scenarios;

namespace DomioOps.Simulators.Behaviour;

/// <summary>
/// A woodworking machine's production: switched on at the shift start (warm-up), jobs of one part type with a
/// set-up between them, cycles of loading (Ready) and machining (Working) with drawn cycle times, micro-stops,
/// breaks, sudden faults, and degradation processes that end in a failure (Error with an alarm) and a repair.
/// Event driven in factory time: the same seed gives the same events however often it is advanced. Signal
/// values (noise, temperatures) come from a second random stream and do not touch the events.
/// </summary>
internal abstract class SimulatedMachine : ISimulatedDevice
{
    private readonly ShiftCalendar _calendar;
    private readonly IReadOnlyList<(string Name, PartType Part, CycleTime Cycle)> _parts;
    private readonly Random _events;
    private DateTimeOffset _phaseEnds;
    private DateTimeOffset _nextCalendarChange;
    private DateTimeOffset _lastAdvance;
    private DateTimeOffset _cycleStarted;
    private TimeSpan _operating;
    private Phase _phase;
    private (string Name, PartType Part, CycleTime Cycle)? _job;
    private int _jobLeft;
    private bool _held;
    private bool _setUp;
    private FailureMode? _down;
    private string? _sudden;

    protected SimulatedMachine(MachineSpec spec, ShiftCalendar calendar, IReadOnlyList<(string Name, PartType Part, CycleTime Cycle)> parts, IReadOnlyList<FailureMode> failures, int seed, DateTimeOffset start)
    {
        Spec = spec;
        this._calendar = calendar;
        this._parts = parts;
        Failures = failures;
        _events = new Random(seed);
        Noise = new Random(seed ^ 0x5bd1e995);
        _lastAdvance = start;
        _nextCalendarChange = calendar.NextChange(start);
        // A machine on shift at the start was switched on and set up earlier: it goes on producing at the first advance.
        var (onShift, _) = calendar.At(start);
        _setUp = onShift;
        Enter(onShift ? Phase.WarmUp : Phase.Off, onShift ? start : DateTimeOffset.MaxValue);
    }

    /// <summary>What the machine is doing; each phase maps to a woodworking state and mode.</summary>
    protected enum Phase
    {
        Off,
        WarmUp,
        Setup,
        Loading,
        Cycle,
        MicroStop,
        Break,
        Held,
        Down,
    }

    public MachineSpec Spec { get; }

    public IReadOnlyList<FailureMode> Failures { get; }

    public MachineState State => _phase switch
    {
        Phase.Off => MachineState.Offline,
        Phase.Loading => MachineState.Ready,
        Phase.Cycle => MachineState.Working,
        Phase.Down => MachineState.Error,
        _ => MachineState.Standby,
    };

    public bool Held => _held;

    public uint PiecesOut { get; private set; }

    public uint Cycles { get; private set; }

    protected Phase Current => _phase;

    protected Random Noise { get; }

    protected string? PartName => _job?.Name;

    protected PartType? Part => _job?.Part;

    protected uint PiecesIn { get; private set; }

    protected uint RunsAborted { get; private set; }

    protected double LastCycleSeconds { get; private set; }

    protected ushort AlarmCode { get; private set; }

    protected TimeSpan[] StateTimes { get; } = new TimeSpan[5];

    /// <summary>Operator stop (true) or restart (false): a running cycle is aborted, nothing more is produced while held.</summary>
    public void Hold(DateTimeOffset now, bool hold, List<GroundTruthEvent> log)
    {
        Advance(now, log);
        _held = hold;
        if (hold && _phase != Phase.Down && _phase != Phase.Off)
        {
            if (_phase == Phase.Cycle)
            {
                RunsAborted++;
            }

            Enter(Phase.Held, DateTimeOffset.MaxValue);
        }
        else if (!hold && _phase == Phase.Held)
        {
            NextWork(now);
        }
    }

    /// <summary>Forces a failure of <paramref name="kind"/> now (control endpoint, tests).</summary>
    public bool ForceFailure(DateTimeOffset now, string kind, List<GroundTruthEvent> log)
    {
        Advance(now, log);
        var mode = Failures.FirstOrDefault(f => f.Kind == kind);
        if (mode is null || _phase == Phase.Down)
        {
            return false;
        }

        if (!mode.Degrading)
        {
            mode.Begin(_operating);
            log.Add(new GroundTruthEvent(now, Spec.Id, mode.Kind, "onset", mode.Alarm));
        }

        Fail(mode, now, log);
        return true;
    }

    public void Advance(DateTimeOffset now, List<GroundTruthEvent> log)
    {
        while (true)
        {
            // Degradation runs on the operating clock; a machine that is down fails no further.
            var beginning = Failures.Where(f => !f.Degrading && !f.Failed).MinBy(f => f.NextEvent);
            var failing = _phase == Phase.Down ? null : Failures.Where(f => f.Degrading && !f.Failed).MinBy(f => f.NextEvent);
            var onsetAt = AtOperating(beginning?.NextEvent);
            var failureAt = AtOperating(failing?.NextEvent);
            var next = Min(Min(_phaseEnds, _nextCalendarChange), Min(failureAt, onsetAt));
            if (next > now)
            {
                break;
            }

            next = next < _lastAdvance ? _lastAdvance : next;
            Account(next);
            if (beginning is not null && onsetAt <= next)
            {
                beginning.Begin(_operating);
                log.Add(new GroundTruthEvent(next, Spec.Id, beginning.Kind, "onset", beginning.Alarm));
            }
            else if (failing is not null && failureAt <= next)
            {
                Fail(failing, next, log);
            }
            else if (_nextCalendarChange <= next)
            {
                _nextCalendarChange = _calendar.NextChange(next);
                OnCalendar(next);
            }
            else
            {
                PhaseEnded(next, log);
            }
        }

        Account(now);
    }

    public abstract void Read(DateTimeOffset now, MachineReading reading);

    /// <summary>The common part of a reading: state, mode, counters, alarm and flags.</summary>
    protected void ReadCommon(DateTimeOffset now, MachineReading reading)
    {
        reading.Time = now;
        reading.State = State;
        reading.Mode = _phase switch
        {
            Phase.Off => MachineMode.Other,
            Phase.Setup => MachineMode.Setup,
            Phase.Held or Phase.Down => MachineMode.Manual,
            Phase.Break => MachineMode.Sleep,
            _ => MachineMode.Automatic,
        };
        var severity = Failures.Count == 0 ? 0 : Failures.Max(f => f.Severity(OperatingAt(now)));
        var flags = MachineFlags.PowerPresent;
        flags |= _phase != Phase.Off ? MachineFlags.MachineOn : 0;
        flags |= _phase == Phase.Down ? MachineFlags.Error | MachineFlags.Alarm : 0;
        flags |= _phase == Phase.Cycle ? MachineFlags.RecipeInRun : 0;
        flags |= severity >= 0.5 && _phase != Phase.Down ? MachineFlags.Warning : 0;
        flags |= severity >= 0.7 ? MachineFlags.MaintenanceRequired : 0;
        reading.Flags = flags;
        reading.Alarm = AlarmCode;
        reading.PiecesIn = PiecesIn;
        reading.PiecesOut = PiecesOut;
        reading.RunsGood = Cycles;
        reading.RunsAborted = RunsAborted;
        reading.Cycles = Cycles;
        reading.CycleTime = LastCycleSeconds;
        StateTimes.CopyTo(reading.StateTimes, 0);
    }

    /// <summary>Severity (0–1) of the named degradation now.</summary>
    protected double Severity(string kind, DateTimeOffset now) => Failures.FirstOrDefault(f => f.Kind == kind)?.Severity(OperatingAt(now)) ?? 0;

    /// <summary>How much longer a cycle takes as the machine degrades (1 = healthy).</summary>
    protected virtual double CycleStretch(DateTimeOffset at) => 1;

    /// <summary>Called when a failure or sudden fault stops the machine, and when it is repaired.</summary>
    protected virtual void OnRepaired(FailureMode? mode)
    {
    }

    /// <summary>Called at the end of each set-up, with the part type of the new job.</summary>
    protected virtual void OnSetup(PartType part)
    {
    }

    /// <summary>The alarm a sudden fault (jam, collision) of this kind of machine raises.</summary>
    protected abstract (string Kind, ushort Alarm) SuddenFault { get; }

    /// <summary>How long this kind of machine needs after switch-on.</summary>
    protected virtual TimeSpan WarmUp => TimeSpan.FromMinutes(3);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private void Account(DateTimeOffset until)
    {
        if (until > _lastAdvance)
        {
            StateTimes[(int)State] += until - _lastAdvance;
            _operating += _phase == Phase.Off ? TimeSpan.Zero : until - _lastAdvance;
            _lastAdvance = until;
        }
    }

    /// <summary>Time switched on, up to <paramref name="now"/>.</summary>
    private TimeSpan OperatingAt(DateTimeOffset now) => _operating + (_phase != Phase.Off && now > _lastAdvance ? now - _lastAdvance : TimeSpan.Zero);

    /// <summary>The factory time the operating clock reaches <paramref name="target"/>; never while the machine is off.</summary>
    private DateTimeOffset AtOperating(TimeSpan? target) =>
        target is not { } t || t == TimeSpan.MaxValue || _phase == Phase.Off ? DateTimeOffset.MaxValue
        : t <= _operating ? _lastAdvance
        : t - _operating >= DateTimeOffset.MaxValue - _lastAdvance ? DateTimeOffset.MaxValue
        : _lastAdvance + (t - _operating);

    private void Fail(FailureMode mode, DateTimeOffset at, List<GroundTruthEvent> log)
    {
        mode.Fail();
        log.Add(new GroundTruthEvent(at, Spec.Id, mode.Kind, "failure", mode.Alarm));
        Stop(at, mode.Alarm, FailureMode.Spread(_events, mode.Spec.Repair));
        _down = mode;
        _sudden = null;
    }

    private void Stop(DateTimeOffset at, ushort alarm, TimeSpan repair)
    {
        if (_phase == Phase.Cycle)
        {
            RunsAborted++;
        }

        AlarmCode = alarm;
        Enter(Phase.Down, at + repair);
    }

    private void OnCalendar(DateTimeOffset at)
    {
        var (onShift, onBreak) = _calendar.At(at);
        switch (_phase)
        {
            case Phase.Off when onShift:
                Enter(Phase.WarmUp, at + WarmUp);
                break;
            case Phase.Break when !onBreak:
                NextWork(at);
                break;
            case Phase.WarmUp or Phase.Setup or Phase.Loading or Phase.MicroStop or Phase.Break when !onShift:
                _job = _phase == Phase.Setup ? null : _job;
                Enter(Phase.Off, DateTimeOffset.MaxValue);
                break;
            case Phase.Setup or Phase.Loading or Phase.MicroStop when onBreak:
                // An interrupted set-up is done again after the break.
                _job = _phase == Phase.Setup ? null : _job;
                Enter(Phase.Break, DateTimeOffset.MaxValue);
                break;
            default:
                // A running cycle ends first, a repair goes on, a held machine waits for its operator.
                break;
        }
    }

    private void PhaseEnded(DateTimeOffset at, List<GroundTruthEvent> log)
    {
        switch (_phase)
        {
            case Phase.Setup:
                OnSetup(_job!.Value.Part);
                NextWork(at);
                break;
            case Phase.Loading:
                PiecesIn += (uint)_job!.Value.Cycle.Pieces;
                var cycle = _job.Value.Cycle;
                var seconds = Normal(cycle.Mean.TotalSeconds, cycle.Deviation.TotalSeconds) * CycleStretch(at);
                Enter(Phase.Cycle, at + TimeSpan.FromSeconds(seconds));
                break;
            case Phase.Cycle:
                Cycles++;
                PiecesOut += (uint)_job!.Value.Cycle.Pieces;
                LastCycleSeconds = (at - _cycleStarted).TotalSeconds;
                _jobLeft--;
                if (_events.NextDouble() < Spec.SuddenFaultProbability)
                {
                    var (kind, alarm) = SuddenFault;
                    _sudden = kind;
                    _down = null;
                    log.Add(new GroundTruthEvent(at, Spec.Id, kind, "failure", alarm));
                    Stop(at, alarm, TimeSpan.FromMinutes(5 + (15 * _events.NextDouble())));
                }
                else if (_events.NextDouble() < Spec.MicroStopProbability)
                {
                    Enter(Phase.MicroStop, at + TimeSpan.FromSeconds(30 + (150 * _events.NextDouble())));
                }
                else
                {
                    NextWork(at);
                }

                break;
            case Phase.Down:
                log.Add(new GroundTruthEvent(at, Spec.Id, _down?.Kind ?? _sudden!, "repair", AlarmCode));
                _down?.Repair(_operating);
                OnRepaired(_down);
                _down = null;
                _sudden = null;
                AlarmCode = 0;
                NextWork(at);
                break;
            default:
                NextWork(at);
                break;
        }
    }

    /// <summary>What comes after a stop: off outside the shift, a break, a set-up for a new job, or the next cycle.</summary>
    private void NextWork(DateTimeOffset at)
    {
        var (onShift, onBreak) = _calendar.At(at);
        if (_held)
        {
            Enter(Phase.Held, DateTimeOffset.MaxValue);
        }
        else if (!onShift)
        {
            Enter(Phase.Off, DateTimeOffset.MaxValue);
        }
        else if (onBreak)
        {
            Enter(Phase.Break, DateTimeOffset.MaxValue);
        }
        else if (_job is null || _jobLeft <= 0)
        {
            _job = PickPart();
            _jobLeft = _events.Next(_job.Value.Part.MinQuantity, _job.Value.Part.MaxQuantity + 1);
            if (Spec.Setup > TimeSpan.Zero && !_setUp)
            {
                Enter(Phase.Setup, at + FailureMode.Spread(_events, Spec.Setup));
            }
            else
            {
                _setUp = false;
                OnSetup(_job.Value.Part);
                Loading(at);
            }
        }
        else
        {
            Loading(at);
        }
    }

    private void Loading(DateTimeOffset at) => Enter(Phase.Loading, at + (Spec.Loading * (0.5 + _events.NextDouble())));

    private (string Name, PartType Part, CycleTime Cycle) PickPart()
    {
        var pick = _events.NextDouble() * _parts.Sum(p => p.Part.Weight);
        foreach (var part in _parts)
        {
            pick -= part.Part.Weight;
            if (pick < 0)
            {
                return part;
            }
        }

        return _parts[^1];
    }

    private void Enter(Phase next, DateTimeOffset ends)
    {
        if (next == Phase.Cycle)
        {
            _cycleStarted = _lastAdvance;
        }

        _phase = next;
        _phaseEnds = ends;
    }

    /// <summary>A normal draw (Box–Muller), truncated at 30 % of the mean.</summary>
    private double Normal(double mean, double deviation)
    {
        var u1 = 1 - _events.NextDouble();
        var u2 = _events.NextDouble();
        var z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Max(mean + (z * deviation), 0.3 * mean);
    }
}

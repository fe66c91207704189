namespace DomioOps.Simulators.PanelSaws;

/// <summary>
/// A panel saw's production behaviour: it waits for a panel (Ready), cuts it (Working) for a cycle time
/// drawn around <see cref="PanelSawOptions.CycleTime"/>, counts the pieces, pauses now and then (Standby),
/// and occasionally stops on a fault (Error) that an operator clears. Seeded: the same seed and the same
/// sequence of <see cref="Advance"/> calls give the same run.
/// </summary>
internal sealed class PanelSaw
{
    private readonly PanelSawOptions options;
    private readonly Random random;
    private DateTimeOffset stateEnds;

    public PanelSaw(PanelSawOptions options, DateTimeOffset start)
    {
        this.options = options;
        random = new Random(options.Seed);
        Enter(SawState.Ready, start);
    }

    public SawState State { get; private set; }

    public uint Pieces { get; private set; }

    public uint Cycles { get; private set; }

    /// <summary>Blade motor current in amperes.</summary>
    public double BladeMotorCurrent { get; private set; }

    /// <summary>Feed speed in metres per minute.</summary>
    public double FeedSpeed { get; private set; }

    public ushort AlarmCode { get; private set; }

    /// <summary>Moves the machine on to <paramref name="now"/>, through every state change on the way.</summary>
    public void Advance(DateTimeOffset now)
    {
        while (now >= stateEnds)
        {
            var at = stateEnds;
            switch (State)
            {
                case SawState.Ready:
                    Enter(SawState.Working, at);
                    break;
                case SawState.Working:
                    Cycles++;
                    Pieces += (uint)options.PiecesPerCycle;
                    if (random.NextDouble() < options.FaultProbability)
                    {
                        AlarmCode = (ushort)random.Next(100, 110);
                        Enter(SawState.Error, at);
                    }
                    else
                    {
                        Enter(random.NextDouble() < options.PauseProbability ? SawState.Standby : SawState.Ready, at);
                    }

                    break;
                default:
                    AlarmCode = 0;
                    Enter(SawState.Ready, at);
                    break;
            }
        }

        var noise = (random.NextDouble() - 0.5) * 0.4;
        (BladeMotorCurrent, FeedSpeed) = State == SawState.Working ? (11.5 + noise, 18 + noise) : (State == SawState.Error ? 0 : 1.8 + noise / 4, 0);
    }

    private void Enter(SawState state, DateTimeOffset at)
    {
        State = state;
        var cycle = options.CycleTime.TotalSeconds;
        var seconds = state switch
        {
            SawState.Ready => cycle * (0.1 + 0.2 * random.NextDouble()),
            SawState.Working => cycle * (0.8 + 0.4 * random.NextDouble()),
            SawState.Standby => cycle * (2 + 3 * random.NextDouble()),
            _ => cycle * (3 + 5 * random.NextDouble()),
        };
        stateEnds = at + TimeSpan.FromSeconds(seconds);
    }
}

/// <summary>The saw's states, numbered as the woodworking model's MachineState (OPC 40550-1).</summary>
internal enum SawState : ushort
{
    Offline = 0,
    Standby = 1,
    Ready = 2,
    Working = 3,
    Error = 4,
}

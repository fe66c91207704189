using DomioOps.Devices.Modbus;
using DomioOps.Edge.Signals;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Polls one Modbus unit in its own loop: the tags are coalesced into as few reads as the planner allows
/// (adjacent registers of one table), each read's tags go through the tag engine, and the samples are committed
/// to the durable queue. On a Modbus TCP device the client is its own; on a serial bus it is shared with the other
/// slaves and holds this unit's circuit breaker. A failing unit backs off alone; the others never wait for it.
/// </summary>
internal sealed class ModbusDevicePoller
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed polls after which a device is reported failing rather than degraded.</summary>
    private const int FailuresBeforeFailing = 3;

    private readonly string machine;
    private readonly string endpoint;
    private readonly IModbusClient client;
    private readonly TimeSpan pollInterval;
    private readonly AcquisitionContext context;
    private readonly Dictionary<ModbusTagAddress, List<(RegisterTagOptions Options, TagReporter Reporter)>> tags = [];
    private readonly List<ModbusReadBlock> blocks;
    private readonly List<string> refused = [];

    public ModbusDevicePoller(string machine, string endpoint, byte unitId, TimeSpan pollInterval, IReadOnlyList<RegisterTagOptions> tagOptions, IModbusClient client, AcquisitionContext context)
    {
        (this.machine, this.endpoint, this.client, this.pollInterval, this.context) = (machine, endpoint, client, pollInterval, context);
        foreach (var tag in tagOptions)
        {
            var count = tag.Table is ModbusTable.Coils or ModbusTable.DiscreteInputs ? 1 : ModbusRegisters.Count(tag.Type);
            var address = new ModbusTagAddress(unitId, tag.Table, tag.Register, (ushort)count);
            if (!tags.TryGetValue(address, out var atAddress))
            {
                tags[address] = atAddress = [];
            }

            // Several tags may share an address: bits of one register, or one value reported as two signals.
            atAddress.Add((tag, new TagReporter(machine, tag)));
        }

        blocks = [.. ModbusReadPlanner.Plan(tags.Keys)];
    }

    /// <summary>The reads one poll makes (after any split of a block the device refused).</summary>
    public IReadOnlyList<ModbusReadBlock> Blocks => blocks;

    public long Polls { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = pollInterval;
        var failures = 0;
        using var timer = new PeriodicTimer(pollInterval, context.Time);
        do
        {
            try
            {
                var samples = await PollAsync(cancellationToken);
                context.Commit(samples);
                Polls++;
                failures = 0;
                backoff = pollInterval;
                context.Status.Report(
                    machine,
                    refused.Count == 0 ? DeviceHealth.Connected : DeviceHealth.Degraded,
                    refused.Count == 0 ? null : $"the device refuses {string.Join(", ", refused)} (illegal data address); the other tags are read",
                    endpoint);
            }
            catch (Exception e) when (e is ModbusException or IOException or System.Net.Sockets.SocketException or TimeoutException or UnauthorizedAccessException)
            {
                failures++;
                context.Metrics.ReadFailed(machine);
                context.Status.Report(machine, failures >= FailuresBeforeFailing || e is ModbusCircuitOpenException ? DeviceHealth.Failing : DeviceHealth.Degraded, e.Message, endpoint);
                await Task.Delay(backoff, context.Time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>One poll: every block read, every tag through its reporter; the samples to commit.</summary>
    internal async Task<List<Sample>> PollAsync(CancellationToken cancellationToken)
    {
        var samples = new List<Sample>();
        for (var b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            try
            {
                if (block.Table is ModbusTable.Coils or ModbusTable.DiscreteInputs)
                {
                    var bits = await block.ReadBitsAsync(client, cancellationToken);
                    Decode(block, samples, (t, _) => block.Slice<bool>(bits, t)[0] ? 1 : 0);
                }
                else
                {
                    var registers = await block.ReadRegistersAsync(client, cancellationToken);
                    Decode(block, samples, (t, tag) => ModbusRegisters.GetNumber(tag.Type, block.Slice<ushort>(registers, t), tag.ByteOrder, tag.Bit));
                }
            }
            catch (ModbusExceptionResponseException e) when (e.ExceptionCode == ModbusExceptionCode.IllegalDataAddress)
            {
                // The block's gaps may hold addresses the device does not map: read its tags in smaller blocks.
                var split = ModbusReadPlanner.SplitAfterIllegalAddress(block);
                blocks.RemoveAt(b);
                blocks.InsertRange(b, split);
                if (split.Count == 0)
                {
                    refused.Add($"{block.Table} {block.Address}");
                }

                b--;
            }
        }

        return samples;
    }

    private void Decode(ModbusReadBlock block, List<Sample> samples, Func<ModbusTagAddress, RegisterTagOptions, double> value)
    {
        var now = context.Time.GetUtcNow();
        foreach (var address in block.Tags)
        {
            foreach (var (options, reporter) in tags[address])
            {
                if (reporter.Observe(value(address, options), now) is { } sample)
                {
                    samples.Add(sample);
                }
            }
        }
    }
}

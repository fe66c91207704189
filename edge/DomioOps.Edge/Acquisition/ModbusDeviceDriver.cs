using DomioOps.Devices.Modbus;
using DomioOps.Devices.Modbus.Client;
using DomioOps.Devices.Modbus.Pdu;
using DomioOps.Edge.Signals;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// Polls one Modbus unit in its own loop: the tags are coalesced into as few reads as the planner allows
/// (adjacent registers of one table), each read's tags go through the tag engine, and the samples are committed
/// to the durable queue. On a Modbus TCP device the client is its own; on a serial bus it is shared with the other
/// units and holds this unit's circuit breaker. A failing unit backs off alone; the others never wait for it.
/// </summary>
internal sealed class ModbusDeviceDriver
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed polls after which a device is reported failing rather than degraded.</summary>
    private const int FailuresBeforeFailing = 3;

    private readonly string _machine;
    private readonly string _endpoint;
    private readonly IModbusClient _client;
    private readonly TimeSpan _pollInterval;
    private readonly AcquisitionContext _context;
    private readonly Dictionary<ModbusTagAddress, List<(RegisterTagOptions Options, TagReporter Reporter)>> _tags = [];
    private readonly List<ModbusReadBlock> _blocks;
    private readonly List<string> _refused = [];

    public ModbusDeviceDriver(string machine, string endpoint, byte unitId, TimeSpan pollInterval, IReadOnlyList<RegisterTagOptions> tagOptions, IModbusClient client, AcquisitionContext context)
    {
        (this._machine, this._endpoint, this._client, this._pollInterval, this._context) = (machine, endpoint, client, pollInterval, context);
        foreach (var tag in tagOptions)
        {
            var count = tag.Table is ModbusTable.Coils or ModbusTable.DiscreteInputs ? 1 : ModbusRegisters.Count(tag.Type);
            var address = new ModbusTagAddress(unitId, tag.Table, tag.Register, (ushort)count);
            if (!_tags.TryGetValue(address, out var atAddress))
            {
                _tags[address] = atAddress = [];
            }

            // Several tags may share an address: bits of one register, or one value reported as two signals.
            atAddress.Add((tag, new TagReporter(machine, tag)));
        }

        _blocks = [.. ModbusReadPlanner.Plan(_tags.Keys)];
    }

    /// <summary>The reads one poll makes (after any split of a block the device refused).</summary>
    public IReadOnlyList<ModbusReadBlock> Blocks => _blocks;

    public long Polls { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = _pollInterval;
        var failures = 0;
        using var timer = new PeriodicTimer(_pollInterval, _context.Time);
        do
        {
            try
            {
                var samples = await PollAsync(cancellationToken);
                _context.Commit(samples);
                Polls++;
                failures = 0;
                backoff = _pollInterval;
                _context.Status.Report(
                    _machine,
                    _refused.Count == 0 ? DeviceHealth.Connected : DeviceHealth.Degraded,
                    _refused.Count == 0 ? null : $"the device refuses {string.Join(", ", _refused)} (illegal data address); the other tags are read",
                    _endpoint);
            }
            catch (Exception e) when (e is ModbusException or IOException or System.Net.Sockets.SocketException or TimeoutException or UnauthorizedAccessException)
            {
                failures++;
                _context.Metrics.ReadFailed(_machine);
                _context.Status.Report(_machine, failures >= FailuresBeforeFailing || e is ModbusCircuitOpenException ? DeviceHealth.Failing : DeviceHealth.Degraded, e.Message, _endpoint);
                await Task.Delay(backoff, _context.Time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>One poll: every block read, every tag through its reporter; the samples to commit.</summary>
    internal async Task<List<Sample>> PollAsync(CancellationToken cancellationToken)
    {
        var samples = new List<Sample>();
        for (var b = 0; b < _blocks.Count; b++)
        {
            var block = _blocks[b];
            try
            {
                if (block.Table is ModbusTable.Coils or ModbusTable.DiscreteInputs)
                {
                    var bits = await block.ReadBitsAsync(_client, cancellationToken);
                    Decode(block, samples, (t, _) => block.Slice<bool>(bits, t)[0] ? 1 : 0);
                }
                else
                {
                    var registers = await block.ReadRegistersAsync(_client, cancellationToken);
                    Decode(block, samples, (t, tag) => ModbusRegisters.GetNumber(tag.Type, block.Slice<ushort>(registers, t), tag.ByteOrder, tag.Bit));
                }
            }
            catch (ModbusExceptionResponseException e) when (e.ExceptionCode == ModbusExceptionCode.IllegalDataAddress)
            {
                // The block's gaps may hold addresses the device does not map: read its tags in smaller blocks.
                var split = ModbusReadPlanner.SplitAfterIllegalAddress(block);
                _blocks.RemoveAt(b);
                _blocks.InsertRange(b, split);
                if (split.Count == 0)
                {
                    _refused.Add($"{block.Table} {block.Address}");
                }

                b--;
            }
        }

        return samples;
    }

    private void Decode(ModbusReadBlock block, List<Sample> samples, Func<ModbusTagAddress, RegisterTagOptions, double> value)
    {
        var now = _context.Time.GetUtcNow();
        foreach (var address in block.Tags)
        {
            foreach (var (options, reporter) in _tags[address])
            {
                if (reporter.Observe(value(address, options), now) is { } sample)
                {
                    samples.Add(sample);
                }
            }
        }
    }
}

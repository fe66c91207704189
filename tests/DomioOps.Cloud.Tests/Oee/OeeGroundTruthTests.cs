extern alias simulators;

using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Oee;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Tests.Production;
using DomioOps.Cloud.Tests.Storage;
using DomioOps.Models;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Google.Protobuf;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using MQTTnet;
using MQTTnet.Protocol;

using Npgsql;

using Factory = simulators::DomioOps.Simulators.Behaviour.Factory;
using MachineKind = simulators::DomioOps.Simulators.Scenarios.MachineKind;
using MachineReading = simulators::DomioOps.Simulators.Behaviour.MachineReading;
using Scenario = simulators::DomioOps.Simulators.Scenarios.Scenario;
using ScenarioFile = simulators::DomioOps.Simulators.Scenarios.ScenarioFile;
using SimulatedState = simulators::DomioOps.Simulators.Behaviour.MachineState;

namespace DomioOps.Cloud.Tests.Oee;

/// <summary>
/// End to end with the simulators: a seeded week of the simulated factory (<c>scenarios/factory.json</c>: three shifts a
/// day with breaks, its saw, edgebander and CNC router wearing and failing), read every second of factory time as an
/// edge polls, published over MQTT as an edge publishes (the factory's time on each sample), ingested, committed to
/// history and turned into OEE by the cloud. The figures per machine and shift must match, within one percentage point,
/// the OEE computed here, independently and second by second, from what the simulator itself did.
/// </summary>
public sealed class OeeGroundTruthTests(OeeGroundTruthTests.Plant plant) : IClassFixture<OeeGroundTruthTests.Plant>
{
    private const string Site = "plant";
    private const string Edge = "edge-week";
    private const double Tolerance = 0.01;

    /// <summary>The simulator's machines and the cloud's: the edgebander is eb-01 in the scenario.</summary>
    private static readonly Dictionary<string, string> CloudIds = new(StringComparer.Ordinal)
    {
        ["saw-01"] = "saw-01",
        ["eb-01"] = "edgebander-01",
        ["cnc-01"] = "cnc-01",
    };

    [Fact]
    public async Task SimulatedWeek_ThroughIngestion_OeePerMachineAndShiftWithinOnePointOfTheGroundTruth()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = ScenarioFile.Load(Path.Combine(RepositoryRoot.Find(), "simulators", "DomioOps.Simulators", "scenarios", "factory.json"));
        scenario.Seed = 15;
        scenario.Machines.RemoveAll(m => m.Kind == MachineKind.EnergyMeter);
        // The week ends at yesterday's midnight (UTC), inside the history's retention. The day before it gives every
        // machine a known state when the week begins; the day after it ends the week's last night shift, in the past.
        var weekEnd = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-1);
        var week = (From: weekEnd.AddDays(-7), To: weekEnd);
        await plant.CalendarsAsync(scenario);

        var truth = await ReplayAsync(scenario, week.From.AddDays(-1), week.To.AddDays(1), ct);

        await plant.RecomputeAsync(ct);
        var compared = 0;
        var largest = 0.0;
        foreach (var (machine, shifts) in truth)
        {
            var rows = await plant.OeeAsync(q => q.RowsAsync(OeeScope.Machine, OeePeriod.Shift, week.From, week.To, machine, ct));
            var cloud = rows.ToDictionary(r => r.From);
            foreach (var (start, expected) in shifts.Where(s => s.Key >= week.From && s.Key < week.To))
            {
                Assert.True(cloud.TryGetValue(start, out var row), $"{machine}: no OEE row for the shift starting {start:u}");
                var figures = row.Figures;
                AssertClose(expected.Availability, figures.Availability, $"{machine} {row.Label} availability");
                AssertClose(expected.Performance, figures.Performance, $"{machine} {row.Label} performance");
                AssertClose(expected.Oee, figures.Oee, $"{machine} {row.Label} OEE");
                largest = Math.Max(largest, Math.Abs((expected.Oee ?? 0) - (figures.Oee ?? 0)));
                compared++;
            }
        }

        // Three machines, three shifts a day, seven days.
        Assert.Equal(3 * 3 * 7, compared);
        TestContext.Current.TestOutputHelper?.WriteLine($"{compared} machine shifts compared; largest difference in OEE {largest:P3}");
    }

    private static void AssertClose(double? expected, double? actual, string what)
    {
        Assert.True(expected is null == actual is null, $"{what}: expected {expected}, the cloud says {actual}");
        Assert.True(expected is null || Math.Abs(expected.Value - actual!.Value) <= Tolerance, $"{what}: expected {expected:P2}, the cloud says {actual:P2}");
    }

    /// <summary>
    /// Runs the factory from <paramref name="from"/> to <paramref name="to"/>, a second at a time: publishes each change of
    /// a machine's state and piece counter as an edge would, and sums the ground truth of every shift it passes.
    /// </summary>
    private async Task<Dictionary<string, SortedDictionary<DateTimeOffset, Truth>>> ReplayAsync(Scenario scenario, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var factory = new Factory(scenario, from);
        var machines = factory.Devices.Where(d => CloudIds.ContainsKey(d.Spec.Id)).ToList();
        var truth = machines.ToDictionary(m => CloudIds[m.Spec.Id], _ => new SortedDictionary<DateTimeOffset, Truth>());
        var last = machines.ToDictionary(m => m.Spec.Id, _ => (State: (SimulatedState?)null, Pieces: -1L));
        var reading = new MachineReading();
        var batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = Edge };
        ulong sequence = 0;
        await using var edge = await plant.ConnectEdgeAsync(Site, Edge, ct);

        for (var now = from; now < to; now = now.AddSeconds(1))
        {
            factory.Advance(now);
            var shift = ShiftAt(scenario, now);
            foreach (var machine in machines)
            {
                machine.Read(now, reading);
                var id = CloudIds[machine.Spec.Id];
                var (state, pieces) = last[machine.Spec.Id];
                if (reading.State != state)
                {
                    batch.Samples.Add(new Sample { Sequence = ++sequence, Machine = id, Signal = Signal.MachineState, TimestampMs = now.ToUnixTimeMilliseconds(), Number = (double)reading.State });
                }

                if (reading.PiecesOut != pieces)
                {
                    batch.Samples.Add(new Sample { Sequence = ++sequence, Machine = id, Signal = Signal.PieceCounter, TimestampMs = now.ToUnixTimeMilliseconds(), Number = reading.PiecesOut });
                }

                if (shift is { Planned: true } && state is not null)
                {
                    var sums = truth[id].GetValueOrDefault(shift.Value.Start);
                    truth[id][shift.Value.Start] = sums.Add(reading.State == SimulatedState.Working, pieces < 0 ? 0 : Math.Max(0, reading.PiecesOut - pieces));
                }

                last[machine.Spec.Id] = (reading.State, reading.PiecesOut);
            }

            if (batch.Samples.Count >= 500)
            {
                await edge.PublishAsync(batch, ct);
                batch = new TelemetryBatch { SchemaVersion = 1, Site = Site, Edge = Edge };
            }
        }

        if (batch.Samples.Count > 0)
        {
            await edge.PublishAsync(batch, ct);
        }

        return truth;
    }

    /// <summary>The start of the scenario's shift that <paramref name="at"/> falls in, and whether it is planned time (not a break); null outside shifts.</summary>
    private static (DateTimeOffset Start, bool Planned)? ShiftAt(Scenario scenario, DateTimeOffset at)
    {
        foreach (var day in new[] { at.UtcDateTime.Date.AddDays(-1), at.UtcDateTime.Date })
        {
            foreach (var shift in scenario.Shifts)
            {
                var start = new DateTimeOffset(day, TimeSpan.Zero) + shift.Start;
                var end = new DateTimeOffset(day, TimeSpan.Zero) + shift.End + (shift.End <= shift.Start ? TimeSpan.FromDays(1) : TimeSpan.Zero);
                if (at >= start && at < end)
                {
                    // A break's time of day is on the shift's day, or on the next for a night shift's break after midnight.
                    var onBreak = shift.Breaks.Any(b =>
                    {
                        var breakStart = new DateTimeOffset(day, TimeSpan.Zero) + b.Start + (b.Start < shift.Start ? TimeSpan.FromDays(1) : TimeSpan.Zero);
                        return at >= breakStart && at < breakStart + b.Duration;
                    });
                    return (start, !onBreak);
                }
            }
        }

        return null;
    }

    /// <summary>Seconds of planned time, of Working in it, and pieces counted in it: one machine's shift, as the simulator lived it.</summary>
    private readonly record struct Truth(long Planned, long Run, long Pieces)
    {
        public Truth Add(bool working, long pieces) => new(Planned + 1, Run + (working ? 1 : 0), Pieces + pieces);

        public double? Availability => Planned == 0 ? null : (double)Run / Planned;

        public double? Performance => Run == 0 ? null : Pieces * Plant.CycleSeconds / Run;

        public double? Oee => Planned == 0 ? null : Pieces * Plant.CycleSeconds / Planned;
    }

    /// <summary>The production cloud (saw-01, edgebander-01, cnc-01 at 20 s a piece) in UTC, its recomputation driven by the test.</summary>
    public sealed class Plant : ProductionCloud
    {
        public const double CycleSeconds = 20;

        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            .. base.Settings,
            new("Machines:TimeZone", "UTC"),
            new("Oee:RecomputeInterval", "01:00:00"),
            new("Oee:Backfill", "10.00:00:00"),
        ];

        /// <summary>Every work centre works the scenario's shifts, every day.</summary>
        internal async Task CalendarsAsync(Scenario scenario)
        {
            List<DayOfWeek> every = [.. Enum.GetValues<DayOfWeek>()];
            var calendar = new WorkCalendar
            {
                Shifts = [.. scenario.Shifts.Select(s => new Shift(s.Name, TimeOnly.FromTimeSpan(s.Start), TimeOnly.FromTimeSpan(s.End), every,
                    [.. s.Breaks.Select(b => new ShiftBreak(TimeOnly.FromTimeSpan(b.Start), TimeOnly.FromTimeSpan(b.Start + b.Duration)))]))],
            };
            await using var scope = App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
            foreach (var centre in await db.WorkCentres.ToListAsync())
            {
                centre.Calendar = calendar;
            }

            await db.SaveChangesAsync();
        }

        /// <summary>An MQTT 5 client connected to the embedded broker as a newly registered edge.</summary>
        internal async Task<EdgeConnection> ConnectEdgeAsync(string site, string edge, CancellationToken ct)
        {
            var password = EdgeCredentials.NewPassword();
            await Grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key).Register(site, edge, EdgeCredentials.Hash(password));
            var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", BrokerPort)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithClientId($"{site}/{edge}")
                .WithCredentials($"{site}/{edge}", password)
                .Build();
            var result = await client.ConnectAsync(options, ct);
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            return new EdgeConnection(client);
        }

        /// <summary>Recomputes the shifts the samples marked (the service's own run may hold the lock) until no mark is left.</summary>
        internal async Task RecomputeAsync(CancellationToken ct)
        {
            var recomputation = App.Services.GetRequiredService<OeeRecomputation>();
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(ct);
            await using var marks = new NpgsqlCommand("SELECT count(*) FROM oee_dirty", connection);
            await Eventually.ReturnsAsync(async () =>
            {
                await recomputation.RunOnceAsync(ct);
                return (long)(await marks.ExecuteScalarAsync(ct))!;
            }, left => left == 0, TimeSpan.FromSeconds(60), ct);
        }

        internal async Task<T> OeeAsync<T>(Func<OeeQuery, Task<T>> query)
        {
            await using var scope = App.Services.CreateAsyncScope();
            return await query(scope.ServiceProvider.GetRequiredService<OeeQuery>());
        }
    }

    /// <summary>An edge's MQTT connection: a batch is committed when its PUBACK arrives (the cloud acknowledges after the commit).</summary>
    internal sealed class EdgeConnection(IMqttClient client) : IAsyncDisposable
    {
        public async Task PublishAsync(TelemetryBatch batch, CancellationToken ct)
        {
            var result = await client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(EdgeTopics.Telemetry(batch.Site, batch.Edge)).WithPayload(batch.ToByteArray())
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            Assert.True(result.IsSuccess, $"batch refused: {result.ReasonCode} {result.ReasonString}");
        }

        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
            client.Dispose();
        }
    }
}

using System.Collections.Concurrent;

using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Storage;
using DomioOps.Models.Wire;
using DomioOps.Testing;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// The telemetry history on a private, migrated PostgreSQL, written by the cloud's own writer (<see cref="TelemetryHistory"/>,
/// which also makes the per-minute rollups), and the machine page's services that read it. The plant is in
/// Europe/Moscow (UTC+3 all year), the clock stands at <see cref="Now"/>. Each test writes its own machine.
/// </summary>
public sealed class MachineHistory : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public const string Zone = "Europe/Moscow";

    private readonly ConcurrentDictionary<string, ulong> _sequences = new();
    private PostgresServer? _postgres;
    private ServiceProvider? _services;

    public FakeTimeProvider Clock { get; } = new(Now);

    internal T Get<T>()
        where T : notnull => _services!.GetRequiredService<T>();

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _postgres = await PostgresServer.StartAsync(ct);
        var connectionString = _postgres.ConnectionString("domio_machines");
        await new PostgresSchema(connectionString, NullLogger<PostgresSchema>.Instance).ApplyAsync(ct);

        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        collection.AddSingleton<TimeProvider>(Clock);
        collection.AddSingleton(Options.Create(new HistoryOptions { ConnectionString = connectionString }));
        collection.AddSingleton(Options.Create(new MachinesOptions { TimeZone = Zone }));
        collection.AddSingleton<HistoryMetrics>();
        collection.AddSingleton<HistoryDatabase>();
        collection.AddSingleton<LineProtocolSink>();
        collection.AddSingleton<TelemetryHistory>();
        collection.AddSingleton<ShiftCalendar>();
        collection.AddSingleton<SignalChanges>();
        collection.AddSingleton<StateTimeline>();
        collection.AddSingleton<MachineAlarms>();
        collection.AddSingleton<EnergyPerDay>();
        _services = collection.BuildServiceProvider();
    }

    /// <summary>Writes samples of one signal of <paramref name="machine"/> (its own edge), in the order given.</summary>
    public async Task AppendAsync(string machine, Signal signal, params (DateTimeOffset Time, double Value)[] samples)
    {
        var edge = EdgeGrain.Key("plant-m", "edge-" + machine);
        var batch = new List<EdgeSample>();
        foreach (var (time, value) in samples)
        {
            var sequence = _sequences.AddOrUpdate(edge, 1, (_, last) => last + 1);
            batch.Add(new EdgeSample(machine, new MachineSample(sequence, signal, time, value, null)));
        }

        var written = await Get<TelemetryHistory>().AppendAsync(edge, batch, TestContext.Current.CancellationToken);
        Assert.Equal(samples.Length, written);
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

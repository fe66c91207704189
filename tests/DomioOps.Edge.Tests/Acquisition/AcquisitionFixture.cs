using DomioOps.Edge.Acquisition;
using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>A real durable queue in a temporary folder and a status board, for drivers under test.</summary>
internal sealed class AcquisitionFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("domioops-acq-").FullName;
    private SampleQueue? _queue;

    public SampleQueue Queue => _queue ?? throw new InvalidOperationException("Call Context first.");

    public DeviceStatusBoard Status { get; private set; } = null!;

    public AcquisitionContext Context(TimeProvider time, ILoggerFactory? loggers = null)
    {
        var metrics = EdgeTestMetrics.Create(time);
        _queue ??= new SampleQueue(Path.Combine(_folder, "queue.db"), new QueueOptions(), time, metrics);
        Status = new DeviceStatusBoard(time, metrics, NullLogger<DeviceStatusBoard>.Instance);
        return new AcquisitionContext(_queue, Status, time, metrics, loggers ?? NullLoggerFactory.Instance);
    }

    /// <summary>Every sample committed so far, oldest first.</summary>
    public IReadOnlyList<Sample> Samples() => Queue.Peek(int.MaxValue);

    /// <summary>Waits (bounded) until the committed samples satisfy <paramref name="condition"/>; fails with what arrived.</summary>
    public async Task<IReadOnlyList<Sample>> WaitForSamplesAsync(Func<IReadOnlyList<Sample>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var samples = Samples();
            if (condition(samples))
            {
                return samples;
            }

            if (DateTime.UtcNow > deadline)
            {
                var last = string.Join(", ", samples.TakeLast(20).Select(s => $"{s.Machine}/{s.Signal}={s.Number}"));
                var status = string.Join("; ", Status.Devices.Select(d => $"{d.Key}: {d.Value.Health} {d.Value.LastError}"));
                Assert.Fail($"Timed out after {timeout} waiting for {what}. {samples.Count} samples, the last: {last}. Devices: {status}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits (bounded) until <paramref name="machine"/> has <paramref name="health"/>.</summary>
    public async Task WaitForHealthAsync(string machine, DeviceHealth health, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Status.Devices.GetValueOrDefault(machine)?.Health != health)
        {
            if (DateTime.UtcNow > deadline)
            {
                var status = string.Join("; ", Status.Devices.Select(d => $"{d.Key}: {d.Value.Health} {d.Value.LastError}"));
                Assert.Fail($"Timed out after {timeout} waiting for {machine} to be {health}. Devices: {status}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose()
    {
        _queue?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

using DomioOps.Edge.Acquisition;
using DomioOps.Edge.StoreAndForward;
using DomioOps.Models.Wire;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomioOps.Edge.Tests.Acquisition;

/// <summary>A real durable queue in a temporary folder and a status board, for drivers under test.</summary>
internal sealed class AcquisitionFixture : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("domioops-acq-").FullName;
    private SampleQueue? queue;

    public SampleQueue Queue => queue ?? throw new InvalidOperationException("Call Context first.");

    public DeviceStatusBoard Status { get; private set; } = null!;

    public AcquisitionContext Context(TimeProvider time, ILoggerFactory? loggers = null)
    {
        var metrics = EdgeTestMetrics.Create(time);
        queue ??= new SampleQueue(Path.Combine(folder, "queue.db"), new QueueOptions(), time, metrics);
        Status = new DeviceStatusBoard(time, metrics, NullLogger<DeviceStatusBoard>.Instance);
        return new AcquisitionContext(queue, Status, time, metrics, loggers ?? NullLoggerFactory.Instance);
    }

    /// <summary>Every sample committed so far, oldest first.</summary>
    public IReadOnlyList<Sample> Samples() => Queue.Peek(int.MaxValue);

    public void Dispose()
    {
        queue?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}

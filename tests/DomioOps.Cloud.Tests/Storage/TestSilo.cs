using System.Net;

using DomioOps.Cloud.Storage;
using DomioOps.Testing;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Orleans.Configuration;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>A real Orleans silo in this process, wired to PostgreSQL by <see cref="PostgresSiloBuilderExtensions.UsePostgres"/>.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    public const string ServiceId = "domioops-tests";

    private readonly IHost _host;

    /// <summary>Warnings and errors logged by every silo of this process, for tests to inspect.</summary>
    public static System.Collections.Concurrent.ConcurrentQueue<string> Problems { get; } = new();

    private TestSilo(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<TestSilo> StartAsync(string connectionString, string clusterId, CancellationToken cancellationToken)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ProblemLog(Problems));
        builder.UseOrleans(silo =>
        {
            silo.UsePostgres(connectionString);
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort.Next(), FreePort.Next());
            // Orleans refuses reminder periods under a minute unless told otherwise.
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromMilliseconds(500));
        });

        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new TestSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }
}

internal sealed class ProblemLog(System.Collections.Concurrent.ConcurrentQueue<string> problems) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, problems);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> problems) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                problems.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}

using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>Keeps a silo's Error and Critical log entries so that a test can assert there were none.</summary>
public sealed class SiloErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    /// <summary>Fails when anything was logged, with the first entries in the message's first line (a CI log keeps only a message's start).</summary>
    public static void AssertNone(IEnumerable<string> entries)
    {
        var all = entries.ToList();
        Assert.True(all.Count == 0, $"{all.Count} error(s) logged: {string.Join(" | ", all.Take(3).Select(e => e.ReplaceLineEndings(" ")).Select(e => e[..Math.Min(e.Length, 600)]))}");
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}

using System.Runtime.CompilerServices;

namespace DomioOps.Testing;

/// <summary>
/// <c>[Fact]</c> in every test project (mapped in tests/Directory.Build.props): a fact with a per-test timeout, so a test
/// that hangs fails after <see cref="TestTimeout.Milliseconds"/> (xUnit v3 reports it and cancels
/// <c>TestContext.Current.CancellationToken</c>) instead of holding the run. xUnit v3 has no project-wide default timeout;
/// a test that needs longer sets <c>Timeout</c> itself.
/// </summary>
internal sealed class TimedFactAttribute : Xunit.FactAttribute
{
    public TimedFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Timeout = TestTimeout.Milliseconds;
}

/// <summary><c>[Theory]</c> in every test project, with the same per-test timeout as <see cref="TimedFactAttribute"/>.</summary>
internal sealed class TimedTheoryAttribute : Xunit.TheoryAttribute
{
    public TimedTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Timeout = TestTimeout.Milliseconds;
}

internal static class TestTimeout
{
    /// <summary>Ten minutes: well above the slowest test (the edge fault tests take one to three), far below a stuck run.</summary>
    public const int Milliseconds = 10 * 60 * 1000;
}

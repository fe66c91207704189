namespace DomioOps.Simulators.Scenarios;

/// <summary>A scenario that cannot run: the message names the file, the key and the fix.</summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException()
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

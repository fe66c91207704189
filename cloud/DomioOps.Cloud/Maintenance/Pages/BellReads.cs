namespace DomioOps.Cloud.Maintenance.Pages;

/// <summary>
/// Within one circuit (a scoped service): the bell page tells the header's bell that the person read messages, so the
/// count drops at once rather than at its next round.
/// </summary>
public sealed class BellReads
{
    public event Action? Read;

    public void Tell() => Read?.Invoke();
}

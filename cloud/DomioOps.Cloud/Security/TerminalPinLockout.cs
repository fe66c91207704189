namespace DomioOps.Cloud.Security;

/// <summary>
/// Wrong PINs of one person at one terminal: after <see cref="SecurityOptions.MaxFailedAttempts"/> the PIN of that person is
/// refused at that terminal until <see cref="LockedUntil"/>. Kept apart from Identity's lockout, so that guessing at a
/// terminal never locks the person's web account or API keys.
/// </summary>
internal sealed class TerminalPinLockout
{
    public string TerminalId { get; set; } = "";

    public string UserId { get; set; } = "";

    public int Failures { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
}

namespace DomioOps.Cloud.Security;

/// <summary>A shop-floor terminal: a device bound to one machine or work centre, signing in with its own revocable key.</summary>
internal sealed class Terminal
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string WorkCentre { get; set; } = "";

    public byte[] SecretHash { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Failed operator identifications (unknown badge or user name, wrong PIN) since <see cref="OperatorFailuresSince"/>.</summary>
    public int OperatorFailures { get; set; }

    public DateTimeOffset? OperatorFailuresSince { get; set; }

    /// <summary>Set when the terminal spent its failure budget (<see cref="TerminalOptions"/>): no operator identifies before then.</summary>
    public DateTimeOffset? OperatorLockedUntil { get; set; }
}

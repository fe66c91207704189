namespace DomioOps.Cloud.Security;

/// <summary>How a person identifies at a terminal: a badge (stored as its HMAC-SHA256 under the <see cref="BadgeKey"/>) and/or a PIN (stored as an Identity password hash).</summary>
internal sealed class OperatorCredential
{
    public string UserId { get; set; } = "";

    public byte[]? BadgeHash { get; set; }

    public string? PinHash { get; set; }
}

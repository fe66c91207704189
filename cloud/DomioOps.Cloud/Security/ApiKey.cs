namespace DomioOps.Cloud.Security;

/// <summary>
/// A revocable key an integration sends as <c>Authorization: Bearer domio_{Id}.{secret}</c>; it acts with the roles
/// of the user it belongs to. Only the SHA-256 of the secret is stored.
/// </summary>
internal sealed class ApiKey
{
    public string Id { get; set; } = "";

    public string UserId { get; set; } = "";

    public string Name { get; set; } = "";

    public byte[] SecretHash { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

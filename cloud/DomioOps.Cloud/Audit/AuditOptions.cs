namespace DomioOps.Cloud.Audit;

/// <summary>
/// Where the audit chain is anchored outside the database (section <c>Audit</c>): the HMAC key the chain is written
/// with, and the write-once folder that receives its signed checkpoints.
/// </summary>
internal sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>
    /// The file holding the chain's HMAC-SHA256 key (base64, at least 32 bytes). Keep it off the database host and out
    /// of the database's backups: whoever holds it and the database's write access can rewrite the chain.
    /// </summary>
    public string KeyPath { get; set; } = "";

    /// <summary>
    /// When the key file does not exist, create one (32 random bytes, mode 600). Off by default, so that a lost key is
    /// an error at start instead of a silent new key under which the older rows no longer verify.
    /// </summary>
    public bool CreateKey { get; set; }

    /// <summary>
    /// The folder on write-once storage (an append-only mount, a WORM share, a folder the database's users cannot
    /// reach) where each checkpoint is a new read-only file.
    /// </summary>
    public string CheckpointDirectory { get; set; } = "";

    /// <summary>How often the chain's head is exported as a signed checkpoint (also once at start and at stop).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(15);
}

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Audit;

/// <summary>The audit anchors must be configured: a chain without its key or its checkpoints is only as safe as the database.</summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.KeyPath))
        {
            failures.Add("Audit:KeyPath is required: the file holding the audit chain's HMAC key, kept outside the database "
                + "(e.g. /var/lib/domio/audit.key, mode 600). Set Audit:CreateKey=true once to generate it.");
        }
        else if (!File.Exists(options.KeyPath) && !options.CreateKey)
        {
            failures.Add($"Audit:KeyPath: the audit key file '{options.KeyPath}' does not exist. Restore it from your backup "
                + "(without it the chain cannot be verified), or, for a new installation, set Audit:CreateKey=true once to generate it.");
        }

        if (string.IsNullOrWhiteSpace(options.CheckpointDirectory))
        {
            failures.Add("Audit:CheckpointDirectory is required: a folder on write-once storage, outside the database, where signed "
                + "checkpoints of the audit chain are written (e.g. /var/lib/domio/audit-checkpoints).");
        }

        if (options.CheckpointInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Audit:CheckpointInterval must be at least 00:00:01 (is {options.CheckpointInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

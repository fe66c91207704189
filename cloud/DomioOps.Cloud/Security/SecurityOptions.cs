using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Security;

/// <summary>Sign-in, two-factor, limits (section <c>Security</c>). No secret lives here: see <see cref="InitialAdminOptions"/>.</summary>
public sealed partial class SecurityOptions : IValidatableObject
{
    public const string Section = "Security";

    /// <summary>Written alone in <see cref="RequireTwoFactorRoles"/>: no role requires a second factor.</summary>
    public const string NoRole = "None";

    /// <summary>
    /// People holding any of these roles must sign in with a second factor before they reach anything but their own account.
    /// Unset: <see cref="DomioRoles.Admin"/> and <see cref="DomioRoles.Maintenance"/>. A configured list replaces that default
    /// (the configuration binder would append to a non-empty default, hence <see cref="TwoFactorRoles"/>).
    /// </summary>
    public string[] RequireTwoFactorRoles { get; set; } = [];

    /// <summary>The roles that require a second factor, with the default applied.</summary>
    internal IReadOnlyList<string> TwoFactorRoles => RequireTwoFactorRoles switch
    {
        [] => [DomioRoles.Admin, DomioRoles.Maintenance],
        [NoRole] => [],
        var roles => roles,
    };

    /// <summary>Failed sign-ins (password or code) before the account is locked; also wrong PINs before a PIN is locked at a terminal.</summary>
    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    [Range(8, 128)]
    public int RequiredPasswordLength { get; set; } = 12;

    /// <summary>Largest request body accepted anywhere; the sign-in endpoints accept far less (<see cref="SignInSizeLimit"/>).</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    [Required]
    public RateLimitOptions RateLimits { get; set; } = new();

    [Required]
    public InitialAdminOptions InitialAdmin { get; set; } = new();

    [Required]
    public TerminalOptions Terminals { get; set; } = new();

    /// <summary>
    /// The key (32 random bytes) badge numbers are hashed with (HMAC-SHA256), kept outside the database so that a copy of it
    /// does not give the badges away. Created (mode 600) when missing; every silo of a cluster must read the same file.
    /// Unset: <c>DomioOps/badge.key</c> in the user's local application data folder.
    /// </summary>
    public string? BadgeKeyFile { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequireTwoFactorRoles is not ([] or [NoRole]) && RequireTwoFactorRoles.FirstOrDefault(r => !DomioRoles.People.Contains(r)) is { } role)
        {
            yield return new ValidationResult(
                $"Security:RequireTwoFactorRoles: '{role}' is not a role; list roles of {string.Join(", ", DomioRoles.People)}, or '{NoRole}' alone for none.",
                [nameof(RequireTwoFactorRoles)]);
        }

        // Data annotations do not descend into nested options by themselves.
        var terminals = new List<ValidationResult>();
        Validator.TryValidateObject(Terminals, new ValidationContext(Terminals), terminals, validateAllProperties: true);
        foreach (var result in terminals)
        {
            yield return new ValidationResult($"Security:Terminals: {result.ErrorMessage}", result.MemberNames.Select(m => $"{nameof(Terminals)}.{m}"));
        }
    }
}

/// <summary>
/// Operators identifying at shop-floor terminals. Wrong PINs lock the PIN of that person at that terminal
/// (<see cref="SecurityOptions.MaxFailedAttempts"/>, <see cref="SecurityOptions.LockoutDuration"/>), never their web account;
/// every failure at a terminal (unknown badge or user name, wrong PIN) also spends the terminal's budget, and a terminal
/// that has spent it refuses operator sign-ins for <see cref="LockoutDuration"/>.
/// </summary>
public sealed class TerminalOptions
{
    /// <summary>Failures a terminal may see within <see cref="FailureWindow"/>.</summary>
    [Range(1, 10_000)]
    public int FailureBudget { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Requests per minute: sign-in attempts per client address, API calls per user (or per address when anonymous).</summary>
public sealed class RateLimitOptions
{
    [Range(1, 100_000)]
    public int SignInPerMinutePerAddress { get; set; } = 30;

    [Range(1, 1_000_000)]
    public int ApiPerMinutePerUser { get; set; } = 3000;

    [Range(1, 1_000_000)]
    public int ApiPerMinutePerAddress { get; set; } = 6000;
}

/// <summary>
/// The first administrator, created when no user exists. The password comes from <see cref="Password"/> (an
/// environment variable <c>Security__InitialAdmin__Password</c>, never appsettings.json), else from the file at
/// <see cref="PasswordFile"/>; when neither holds one, a password is generated, written to <see cref="PasswordFile"/>
/// (if set) and printed once.
/// </summary>
public sealed class InitialAdminOptions
{
    [Required]
    [RegularExpression("^[A-Za-z0-9._@-]{1,64}$")]
    public string UserName { get; set; } = "admin";

    public string? Password { get; set; }

    public string? PasswordFile { get; set; }
}

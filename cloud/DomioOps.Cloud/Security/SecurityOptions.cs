using System.ComponentModel.DataAnnotations;

namespace DomioOps.Cloud.Security;

/// <summary>Sign-in, two-factor, limits (section <c>Security</c>). No secret lives here: see <see cref="InitialAdminOptions"/>.</summary>
public sealed partial class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>People holding any of these roles must sign in with a second factor before they reach anything but their own account.</summary>
    public string[] RequireTwoFactorRoles { get; set; } = [];

    /// <summary>Failed sign-ins (password, code or PIN) before the account is locked.</summary>
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

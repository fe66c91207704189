namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>
/// Notifications of maintenance alerts (section <c>Maintenance:Notifications</c>): who hears what (rules), how
/// (receivers and their channels), when (Alertmanager's grouping timers, flapping, quiet hours, GoAlert's escalation
/// steps), and how deliveries are retried. Checked at start by <see cref="NotificationOptionsValidator"/>.
/// </summary>
public sealed class NotificationOptions
{
    public const string Section = "Maintenance:Notifications";

    /// <summary>Receivers by name: the channels that reach a person or a system, and their quiet hours.</summary>
    public Dictionary<string, NotificationReceiver> Receivers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Rules: which alerts a rule hears, whom it tells, how it groups them and how it escalates.</summary>
    public List<NotificationRule> Rules { get; set; } = [];

    public FlappingOptions Flapping { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public SmtpOptions Smtp { get; set; } = new();

    public TelegramOptions Telegram { get; set; } = new();

    public WebPushOptions WebPush { get; set; } = new();

    /// <summary>How long a webhook or Telegram request may take before it counts as a failed (retried) attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The channel a message travels by.</summary>
public enum NotificationChannel
{
    Email,
    Webhook,
    Telegram,
    WebPush,
    Bell,
}

/// <summary>A person, a team or a system that hears alerts.</summary>
public sealed class NotificationReceiver
{
    public List<NotificationTarget> Channels { get; set; } = [];

    /// <summary>Hours in which this receiver's messages are held until the quiet hours end.</summary>
    public QuietHours? QuietHours { get; set; }
}

/// <summary>
/// One channel of a receiver. <see cref="Address"/>: an e-mail address, a webhook URL, a Telegram chat id, or a user
/// name (bell, web push). <see cref="Role"/> instead of an address (e-mail, bell, web push): every person holding the
/// role, looked up when the message is written.
/// </summary>
public sealed class NotificationTarget
{
    public NotificationChannel Channel { get; set; }

    public string? Address { get; set; }

    public string? Role { get; set; }

    /// <summary>Webhooks: the HMAC-SHA256 key of the signature (at least 16 characters).</summary>
    public string? Secret { get; set; }
}

/// <summary>Local hours (in <see cref="TimeZone"/>) in which messages wait; <c>From</c> after <c>To</c> spans midnight.</summary>
public sealed class QuietHours
{
    public TimeOnly From { get; set; }

    public TimeOnly To { get; set; }

    /// <summary>An IANA time zone, e.g. Europe/Berlin.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Whether a message with a critical alert firing goes out anyway.</summary>
    public bool CriticalBreaksThrough { get; set; } = true;
}

/// <summary>
/// A rule: alerts of these machines and work centres (empty: all), at this severity or above, go to these receivers,
/// grouped and timed as a Prometheus Alertmanager route is.
/// </summary>
public sealed class NotificationRule
{
    public string Name { get; set; } = "";

    public List<string> Machines { get; set; } = [];

    public List<string> WorkCentres { get; set; } = [];

    public AlertSeverity MinimumSeverity { get; set; } = AlertSeverity.Info;

    public List<string> Receivers { get; set; } = [];

    /// <summary>Labels alerts are grouped by: Machine, WorkCentre, Severity (none: one group for the rule). Default: Machine.</summary>
    public List<string>? GroupBy { get; set; }

    /// <summary>How long a new group waits for more alerts before its first message (group_wait).</summary>
    public TimeSpan GroupWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after a group's message its next one may go, with new or resolved alerts (group_interval).</summary>
    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after a message the same firing alerts are told again (repeat_interval).</summary>
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// Escalation steps after the rule's own receivers (step 0): step k is told once the alert has stayed
    /// unacknowledged for its <see cref="EscalationStep.After"/> since the step before was told.
    /// </summary>
    public List<EscalationStep> Escalation { get; set; } = [];

    internal IReadOnlyList<string> GroupLabels => GroupBy ?? [NotificationLabels.Machine];
}

public sealed class EscalationStep
{
    public TimeSpan After { get; set; }

    public List<string> Receivers { get; set; } = [];
}

/// <summary>
/// An alert that changed (raised or resolved) more than <see cref="MaxChanges"/> times within <see cref="Window"/> is
/// flapping: left out of messages (neither new nor repeated nor resolved) until it has been steady for the window.
/// </summary>
public sealed class FlappingOptions
{
    public int MaxChanges { get; set; } = 4;

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>How the outbox is sent: attempts with exponential back-off and jitter, bounded by count and age.</summary>
public sealed class DeliveryOptions
{
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the outbox is looked at when nothing wakes the dispatcher.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    /// <summary>None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect (MailKit's SecureSocketOptions).</summary>
    public string Security { get; set; } = "StartTlsWhenAvailable";

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "";
}

public sealed class TelegramOptions
{
    /// <summary>The bot API's base URL (another for a local bot API server or a test).</summary>
    public Uri BaseUrl { get; set; } = new("https://api.telegram.org/");

    public string? BotToken { get; set; }
}

public sealed class WebPushOptions
{
    /// <summary>VAPID subject: a mailto: or https: URL the push service may contact.</summary>
    public string? Subject { get; set; }

    /// <summary>VAPID keys, base64url (P-256 public point, private scalar).</summary>
    public string? PublicKey { get; set; }

    public string? PrivateKey { get; set; }
}

/// <summary>The labels a rule groups by.</summary>
internal static class NotificationLabels
{
    public const string Machine = "Machine";
    public const string WorkCentre = "WorkCentre";
    public const string Severity = "Severity";

    public static IReadOnlyList<string> All { get; } = [Machine, WorkCentre, Severity];

    public static string ValueOf(AlertNotice notice, string label) => label switch
    {
        Machine => notice.Machine,
        WorkCentre => notice.WorkCentre ?? "",
        _ => notice.Severity.ToString(),
    };
}

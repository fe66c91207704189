using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>Checks <see cref="NotificationOptions"/> at start: each error names its key and what a right value looks like.</summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    private const string S = NotificationOptions.Section;

    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var failures = new List<string>();
        foreach (var (receiverName, receiver) in options.Receivers)
        {
            ValidateReceiver(options, $"{S}:Receivers:{receiverName}", receiver, failures);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            var key = $"{S}:Rules:{i}";
            if (string.IsNullOrWhiteSpace(rule.Name))
            {
                failures.Add($"{key}:Name is required: name the rule (e.g. \"saws-critical\"); messages and deliveries carry it.");
            }
            else if (!names.Add(rule.Name))
            {
                failures.Add($"{key}:Name '{rule.Name}' is used by another rule: give each rule its own name.");
            }

            if (rule.Receivers.Count == 0)
            {
                failures.Add($"{key}:Receivers is empty: list at least one receiver from {S}:Receivers.");
            }

            CheckReceivers(options, $"{key}:Receivers", rule.Receivers, failures);
            foreach (var label in rule.GroupLabels.Where(l => !NotificationLabels.All.Contains(l, StringComparer.Ordinal)))
            {
                failures.Add($"{key}:GroupBy '{label}' is not a label: use {string.Join(", ", NotificationLabels.All)} (or none for one group).");
            }

            if (rule.GroupWait < TimeSpan.Zero)
            {
                failures.Add($"{key}:GroupWait must be zero or more (e.g. 00:00:30).");
            }

            if (rule.GroupInterval <= TimeSpan.Zero)
            {
                failures.Add($"{key}:GroupInterval must be more than zero (e.g. 00:05:00).");
            }

            if (rule.RepeatInterval < rule.GroupInterval)
            {
                failures.Add($"{key}:RepeatInterval ({rule.RepeatInterval}) is shorter than GroupInterval ({rule.GroupInterval}): "
                    + "messages cannot repeat more often than the group is looked at; make it at least GroupInterval (e.g. 04:00:00).");
            }

            for (var s = 0; s < rule.Escalation.Count; s++)
            {
                var step = rule.Escalation[s];
                if (step.After <= TimeSpan.Zero)
                {
                    failures.Add($"{key}:Escalation:{s}:After must be more than zero: how long unacknowledged before this step is told (e.g. 00:15:00).");
                }

                if (step.Receivers.Count == 0)
                {
                    failures.Add($"{key}:Escalation:{s}:Receivers is empty: list the receivers this step tells.");
                }

                CheckReceivers(options, $"{key}:Escalation:{s}:Receivers", step.Receivers, failures);
            }
        }

        if (options.Flapping.MaxChanges < 2)
        {
            failures.Add($"{S}:Flapping:MaxChanges must be 2 or more (raised and resolved once is not flapping), e.g. 4.");
        }

        if (options.Flapping.Window <= TimeSpan.Zero)
        {
            failures.Add($"{S}:Flapping:Window must be more than zero (e.g. 01:00:00).");
        }

        var delivery = options.Delivery;
        if (delivery.MaxAttempts < 1)
        {
            failures.Add($"{S}:Delivery:MaxAttempts must be 1 or more (e.g. 8).");
        }

        if (delivery.InitialBackoff <= TimeSpan.Zero || delivery.MaxBackoff < delivery.InitialBackoff)
        {
            failures.Add($"{S}:Delivery:InitialBackoff must be more than zero and MaxBackoff at least as long (e.g. 00:00:10 and 00:30:00).");
        }

        if (delivery.MaxAge <= TimeSpan.Zero || delivery.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{S}:Delivery:MaxAge and PollInterval must be more than zero (e.g. 1.00:00:00 and 00:00:30).");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{S}:RequestTimeout must be more than zero (e.g. 00:00:10).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckReceivers(NotificationOptions options, string key, List<string> receivers, List<string> failures)
    {
        for (var r = 0; r < receivers.Count; r++)
        {
            if (!options.Receivers.ContainsKey(receivers[r]))
            {
                failures.Add($"{key}:{r} names '{receivers[r]}', which is not configured: add it under {S}:Receivers or remove it here.");
            }
        }
    }

    private static void ValidateReceiver(NotificationOptions options, string key, NotificationReceiver receiver, List<string> failures)
    {
        if (receiver.Channels.Count == 0)
        {
            failures.Add($"{key}:Channels is empty: give the receiver at least one channel (e.g. Channel Email, Address someone@example.com).");
        }

        for (var c = 0; c < receiver.Channels.Count; c++)
        {
            var target = receiver.Channels[c];
            var at = $"{key}:Channels:{c}";
            var hasAddress = !string.IsNullOrWhiteSpace(target.Address);
            var hasRole = !string.IsNullOrWhiteSpace(target.Role);
            switch (target.Channel)
            {
                case NotificationChannel.Email:
                    if (hasAddress == hasRole || (hasAddress && !target.Address!.Contains('@', StringComparison.Ordinal)))
                    {
                        failures.Add($"{at}: an e-mail channel needs either Address (an e-mail address) or Role (every person of the role).");
                    }

                    if (string.IsNullOrWhiteSpace(options.Smtp.Host) || !options.Smtp.From.Contains('@', StringComparison.Ordinal))
                    {
                        failures.Add($"{at}: e-mail needs {S}:Smtp:Host and {S}:Smtp:From (the sender's address) set.");
                    }

                    if (!Enum.TryParse<MailKit.Security.SecureSocketOptions>(options.Smtp.Security, out _))
                    {
                        failures.Add($"{S}:Smtp:Security '{options.Smtp.Security}' is not one of None, Auto, StartTls, StartTlsWhenAvailable, SslOnConnect.");
                    }

                    break;
                case NotificationChannel.Webhook:
                    if (!Uri.TryCreate(target.Address, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                    {
                        failures.Add($"{at}:Address must be the webhook's absolute http(s) URL (e.g. https://example.com/hooks/domio).");
                    }

                    if (target.Secret is not { Length: >= 16 })
                    {
                        failures.Add($"{at}:Secret must be at least 16 characters: the receiver checks the HMAC-SHA256 signature with it.");
                    }

                    break;
                case NotificationChannel.Telegram:
                    if (!hasAddress)
                    {
                        failures.Add($"{at}:Address must be the Telegram chat id (e.g. -1001234567890).");
                    }

                    if (string.IsNullOrWhiteSpace(options.Telegram.BotToken))
                    {
                        failures.Add($"{at}: Telegram needs {S}:Telegram:BotToken (from @BotFather).");
                    }

                    break;
                case NotificationChannel.WebPush:
                case NotificationChannel.Bell:
                    if (hasAddress == hasRole)
                    {
                        failures.Add($"{at}: a {target.Channel} channel needs either Address (a user name) or Role (every person of the role).");
                    }

                    if (target.Channel == NotificationChannel.WebPush
                        && (string.IsNullOrWhiteSpace(options.WebPush.PublicKey) || string.IsNullOrWhiteSpace(options.WebPush.PrivateKey) || string.IsNullOrWhiteSpace(options.WebPush.Subject)))
                    {
                        failures.Add($"{at}: web push needs {S}:WebPush:Subject, PublicKey and PrivateKey (VAPID keys, base64url).");
                    }

                    break;
                default:
                    failures.Add($"{at}:Channel must be one of {string.Join(", ", Enum.GetNames<NotificationChannel>())}.");
                    break;
            }
        }

        if (receiver.QuietHours is { } quiet)
        {
            if (quiet.From == quiet.To)
            {
                failures.Add($"{key}:QuietHours: From and To are equal; give a span (e.g. From 22:00, To 06:00) or remove QuietHours.");
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(quiet.TimeZone, out _))
            {
                failures.Add($"{key}:QuietHours:TimeZone '{quiet.TimeZone}' is not a known time zone: use an IANA name (e.g. Europe/Berlin).");
            }
        }
    }
}

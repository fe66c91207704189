using DomioOps.Cloud.Maintenance.Notifications;

using Microsoft.Extensions.Configuration;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

public sealed class NotificationOptionsValidatorTests
{
    [Fact]
    public void Validate_GoodConfiguration_Succeeds()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Maintenance:Notifications:Smtp:Host"] = "127.0.0.1",
            ["Maintenance:Notifications:Smtp:From"] = "domio@example.com",
            ["Maintenance:Notifications:Receivers:team:Channels:0:Channel"] = "Email",
            ["Maintenance:Notifications:Receivers:team:Channels:0:Address"] = "team@example.com",
            ["Maintenance:Notifications:Receivers:team:Channels:1:Channel"] = "Bell",
            ["Maintenance:Notifications:Receivers:team:Channels:1:Role"] = "Maintenance",
            ["Maintenance:Notifications:Receivers:team:QuietHours:From"] = "22:00",
            ["Maintenance:Notifications:Receivers:team:QuietHours:To"] = "06:00",
            ["Maintenance:Notifications:Receivers:team:QuietHours:TimeZone"] = "Europe/Berlin",
            ["Maintenance:Notifications:Receivers:hook:Channels:0:Channel"] = "Webhook",
            ["Maintenance:Notifications:Receivers:hook:Channels:0:Address"] = "https://example.com/hooks/domio",
            ["Maintenance:Notifications:Receivers:hook:Channels:0:Secret"] = "0123456789abcdef",
            ["Maintenance:Notifications:Rules:0:Name"] = "saws",
            ["Maintenance:Notifications:Rules:0:Machines:0"] = "saw-1",
            ["Maintenance:Notifications:Rules:0:MinimumSeverity"] = "Warning",
            ["Maintenance:Notifications:Rules:0:Receivers:0"] = "team",
            ["Maintenance:Notifications:Rules:0:GroupBy:0"] = "WorkCentre",
            ["Maintenance:Notifications:Rules:0:Escalation:0:After"] = "00:15:00",
            ["Maintenance:Notifications:Rules:0:Escalation:0:Receivers:0"] = "hook",
        });

        var result = new NotificationOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(["WorkCentre"], options.Rules[0].GroupLabels);
        Assert.Equal(new TimeOnly(22, 0), options.Receivers["team"].QuietHours!.From);
    }

    [Fact]
    public void Validate_Mistakes_EachNamesItsKeyAndTheFix()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Maintenance:Notifications:Receivers:hook:Channels:0:Channel"] = "Webhook",
            ["Maintenance:Notifications:Receivers:hook:Channels:0:Address"] = "not a url",
            ["Maintenance:Notifications:Receivers:hook:Channels:0:Secret"] = "short",
            ["Maintenance:Notifications:Rules:0:Name"] = "saws",
            ["Maintenance:Notifications:Rules:0:Receivers:0"] = "nobody",
            ["Maintenance:Notifications:Rules:0:GroupBy:0"] = "Colour",
            ["Maintenance:Notifications:Rules:0:GroupInterval"] = "00:10:00",
            ["Maintenance:Notifications:Rules:0:RepeatInterval"] = "00:05:00",
        });

        var result = new NotificationOptionsValidator().Validate(null, options);

        Assert.Equal(
        [
            "Maintenance:Notifications:Receivers:hook:Channels:0:Address must be the webhook's absolute http(s) URL (e.g. https://example.com/hooks/domio).",
            "Maintenance:Notifications:Receivers:hook:Channels:0:Secret must be at least 16 characters: the receiver checks the HMAC-SHA256 signature with it.",
            "Maintenance:Notifications:Rules:0:Receivers:0 names 'nobody', which is not configured: add it under Maintenance:Notifications:Receivers or remove it here.",
            "Maintenance:Notifications:Rules:0:GroupBy 'Colour' is not a label: use Machine, WorkCentre, Severity (or none for one group).",
            "Maintenance:Notifications:Rules:0:RepeatInterval (00:05:00) is shorter than GroupInterval (00:10:00): messages cannot repeat more often than the group is looked at; make it at least GroupInterval (e.g. 04:00:00).",
        ], result.Failures);
    }

    private static NotificationOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new NotificationOptions();
        configuration.GetSection(NotificationOptions.Section).Bind(options);
        return options;
    }
}

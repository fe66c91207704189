using DomioOps.Cloud.History;
using DomioOps.Cloud.Maintenance.Notifications.Channels;

using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Maintenance.Notifications;

public static class NotificationsExtensions
{
    /// <summary>
    /// Maintenance notifications: options (section <c>Maintenance:Notifications</c>, validated at start), the timeline
    /// behind <see cref="IAlertNotifications"/>, the outbox and its dispatcher, the channels (e-mail, webhook, Telegram,
    /// bell, web push) and the deliveries policy. Calling it twice registers once.
    /// </summary>
    public static WebApplicationBuilder AddMaintenanceNotifications(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(NotificationPipeline)))
        {
            return builder;
        }

        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new NotificationOutbox(sp.GetRequiredService<HistoryDatabase>().DataSource, sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<Pages.BellReads>();
        services.AddHttpClient(WebhookSender.Client);
        services.AddSingleton<INotificationSender, EmailSender>();
        services.AddSingleton<INotificationSender, WebhookSender>();
        services.AddSingleton<INotificationSender, TelegramSender>();
        services.AddSingleton<INotificationSender, BellSender>();
        services.AddSingleton<INotificationSender, WebPushSender>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<NotificationPipeline>();
        services.AddSingleton<IAlertNotifications>(sp => sp.GetRequiredService<NotificationPipeline>());
        services.AddHostedService(sp => sp.GetRequiredService<NotificationPipeline>());
        services.Configure<AuthorizationOptions>(NotificationsPolicy.Configure);
        return builder;
    }
}

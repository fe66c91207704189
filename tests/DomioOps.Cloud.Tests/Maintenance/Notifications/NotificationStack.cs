using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Maintenance.Notifications.Channels;
using DomioOps.Cloud.Tests.Storage;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using Npgsql;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>
/// The notifications as the host wires them (timeline, outbox on a real PostgreSQL database of its own, dispatcher, the
/// real senders), on a virtual clock; the background loops are not started: the test steps them.
/// </summary>
internal sealed class NotificationStack : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private NotificationStack(ServiceProvider services, NpgsqlDataSource data, FakeTimeProvider time)
    {
        _services = services;
        Data = data;
        Time = time;
        Dispatcher.Jitter = () => 0.5;
    }

    public static DateTimeOffset Start { get; } = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Time { get; }

    public NpgsqlDataSource Data { get; }

    public NotificationOutbox Outbox => _services.GetRequiredService<NotificationOutbox>();

    public NotificationDispatcher Dispatcher => _services.GetRequiredService<NotificationDispatcher>();

    public NotificationPipeline Pipeline => _services.GetRequiredService<NotificationPipeline>();

    public static async Task<NotificationStack> CreateAsync(MigratedDatabase database, NotificationOptions options, CancellationToken ct)
    {
        var result = new NotificationOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        var connectionString = await database.MigrateAsync($"notify_{Guid.NewGuid():N}"[..20], ct);
        var data = NpgsqlDataSource.Create(connectionString);
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IOptions<NotificationOptions>>(Options.Create(options));
        services.AddSingleton<IOptionsMonitor<NotificationOptions>>(new FixedOptions(options));
        services.AddSingleton(new NotificationOutbox(data, time));
        services.AddHttpClient(WebhookSender.Client);
        services.AddSingleton<INotificationSender, EmailSender>();
        services.AddSingleton<INotificationSender, WebhookSender>();
        services.AddSingleton<INotificationSender, TelegramSender>();
        services.AddSingleton<INotificationSender, BellSender>();
        services.AddSingleton<INotificationSender, WebPushSender>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<NotificationPipeline>();
        return new NotificationStack(services.BuildServiceProvider(), data, time);
    }

    /// <summary>A rule named <paramref name="receiver"/> that tells it of every alert, with no group wait.</summary>
    public static NotificationRule RuleFor(string receiver) => new()
    {
        Name = receiver,
        Receivers = [receiver],
        GroupWait = TimeSpan.Zero,
        GroupInterval = TimeSpan.FromMinutes(5),
        RepeatInterval = TimeSpan.FromHours(4),
    };

    public static AlertNotice Notice(long id, AlertStatus status = AlertStatus.Raised, AlertSeverity severity = AlertSeverity.Warning) =>
        new(id, "saw-1", "saw", severity, status, "Spindle bearing wear", "Spindle vibration up 40 % over 6 h; failure likely within 24 h (p = 0.87).",
            $"/maintenance/alerts/{id}", Start);

    /// <summary>Publishes the notice and writes what the timeline decides now to the outbox.</summary>
    public async Task PublishAsync(AlertNotice notice, CancellationToken ct)
    {
        await Pipeline.PublishAsync(notice, ct);
        await Pipeline.StepAsync(ct);
    }

    /// <summary>A person with an account and one role (written as Identity writes them).</summary>
    public async Task AddPersonAsync(string id, string name, string role, CancellationToken ct)
    {
        await using var command = Data.CreateCommand("""
            INSERT INTO "AspNetRoles" ("Id", "Name", "NormalizedName") VALUES ('r-' || @role, @role, upper(@role)) ON CONFLICT DO NOTHING;
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled",
                "LockoutEnabled", "AccessFailedCount") VALUES (@id, @name, upper(@name), @name || '@example.com', true, false, false, true, 0);
            INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES (@id, 'r-' || @role);
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("role", role);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<DeliveryStatus> OnlyDeliveryAsync(CancellationToken ct) => Assert.Single(await Outbox.ListAsync(null, 100, ct));

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Data.DisposeAsync();
    }

    private sealed class FixedOptions(NotificationOptions value) : IOptionsMonitor<NotificationOptions>
    {
        public NotificationOptions CurrentValue => value;

        public NotificationOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<NotificationOptions, string?> listener) => null;
    }
}

using System.Security.Claims;

using DomioOps.Cloud.Maintenance.Notifications;

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace DomioOps.Cloud.Maintenance.Pages;

/// <summary>The bell in the header: the person's unread notifications, counted again on a live page.</summary>
public sealed partial class NotificationBell : IDisposable
{
    /// <summary>How often a live page counts the unread messages again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stopping = new();
    private int _unread;
    private string? _userId;

    [CascadingParameter]
    private Task<AuthenticationState> State { get; set; } = default!;

    [Inject]
    private NotificationOutbox Outbox { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private ILogger<NotificationBell> Logger { get; set; } = default!;

    [Inject]
    private BellReads Reads { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _userId = (await State).User.FindFirstValue(ClaimTypes.NameIdentifier);
        Reads.Read += OnRead;
        await CountAsync();
    }

    private void OnRead() => _ = InvokeAsync(async () =>
    {
        await CountAsync();
        StateHasChanged();
    });

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            _ = RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        using var timer = new PeriodicTimer(RefreshInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                var was = _unread;
                await CountAsync();
                if (_unread != was)
                {
                    await InvokeAsync(StateHasChanged);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CountAsync()
    {
        if (_userId is null)
        {
            return;
        }

        try
        {
            _unread = await Outbox.UnreadAsync(_userId, _stopping.Token);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // The header lives on without its count; the next round tries again.
            LogCountFailed(Logger, e);
        }
    }

    public void Dispose()
    {
        Reads.Read -= OnRead;
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count the person's unread notifications")]
    private static partial void LogCountFailed(ILogger logger, Exception exception);
}

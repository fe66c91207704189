using System.Security.Claims;

using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>
/// <c>/api/maintenance/notifications</c>: the outbox's deliveries with their status, attempts and last error, and a hand
/// retry of a failed one (policy <see cref="NotificationsPolicy.Deliveries"/>: maintenance and administrators); a
/// person's own bell and web push subscriptions (every person, <see cref="SecurityPolicies.Production"/>).
/// </summary>
internal static class NotificationsApi
{
    public static IEndpointRouteBuilder MapMaintenanceNotificationsApi(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/maintenance/notifications").WithTags("Maintenance notifications");
        var deliveries = notifications.MapGroup("/deliveries").RequireAuthorization(NotificationsPolicy.Deliveries);
        deliveries.MapGet("/", async Task<Results<Ok<IReadOnlyList<DeliveryStatus>>, ProblemHttpResult>> (string? status, int? limit, NotificationOutbox outbox, CancellationToken ct) =>
        {
            if (status is not null and not (NotificationOutbox.Pending or NotificationOutbox.Sent or NotificationOutbox.Failed))
            {
                return TypedResults.Problem("status must be Pending, Sent or Failed.", statusCode: StatusCodes.Status400BadRequest);
            }

            return TypedResults.Ok(await outbox.ListAsync(status, Math.Clamp(limit ?? 100, 1, 1000), ct));
        });
        deliveries.MapGet("/{id:long}/attempts", async (long id, NotificationOutbox outbox, CancellationToken ct) => TypedResults.Ok(await outbox.AttemptsAsync(id, ct)));
        deliveries.MapPost("/{id:long}/retry", async Task<Results<NoContent, NotFound>> (long id, NotificationOutbox outbox, NotificationDispatcher dispatcher, CancellationToken ct) =>
        {
            if (!await outbox.RetryAsync(id, ct))
            {
                return TypedResults.NotFound();
            }

            dispatcher.Wake();
            return TypedResults.NoContent();
        });

        var bell = notifications.MapGroup("/bell").RequireAuthorization(SecurityPolicies.Production);
        bell.MapGet("/", async Task<Results<Ok<IReadOnlyList<BellNotification>>, BadRequest>> (int? limit, NotificationOutbox outbox, HttpContext http) =>
            UserOf(http) is { } user ? TypedResults.Ok(await outbox.BellAsync(user, Math.Clamp(limit ?? 50, 1, 500), http.RequestAborted)) : TypedResults.BadRequest());
        bell.MapPost("/{id:long}/read", async Task<Results<NoContent, NotFound, BadRequest>> (long id, NotificationOutbox outbox, HttpContext http) =>
            UserOf(http) is not { } user ? TypedResults.BadRequest()
            : await outbox.MarkReadAsync(user, id, http.RequestAborted) > 0 ? TypedResults.NoContent() : TypedResults.NotFound());
        bell.MapPost("/read", async Task<Results<Ok<int>, BadRequest>> (NotificationOutbox outbox, HttpContext http) =>
            UserOf(http) is { } user ? TypedResults.Ok(await outbox.MarkReadAsync(user, null, http.RequestAborted)) : TypedResults.BadRequest());

        var push = notifications.MapGroup("/push").RequireAuthorization(SecurityPolicies.Production);
        push.MapGet("/key", (Microsoft.Extensions.Options.IOptionsMonitor<NotificationOptions> options) =>
            TypedResults.Ok(new { publicKey = options.CurrentValue.WebPush.PublicKey }));
        push.MapPost("/subscriptions", async Task<Results<NoContent, BadRequest>> (PushSubscriptionBody body, NotificationOutbox outbox, HttpContext http) =>
        {
            if (UserOf(http) is not { } user || !Uri.TryCreate(body.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps
                || body.Keys?.P256dh is not { Length: > 0 } p256dh || body.Keys.Auth is not { Length: > 0 } auth)
            {
                return TypedResults.BadRequest();
            }

            await outbox.SubscribeAsync(user, new PushSubscriptionKeys(body.Endpoint, p256dh, auth), http.RequestAborted);
            return TypedResults.NoContent();
        });
        return app;
    }

    /// <summary>The person's user id (an API key acts for its person).</summary>
    private static string? UserOf(HttpContext http) => http.User.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>A browser's PushSubscription as its <c>toJSON()</c> gives it.</summary>
    internal sealed record PushSubscriptionBody(string? Endpoint, PushSubscriptionBodyKeys? Keys);

    internal sealed record PushSubscriptionBodyKeys(string? P256dh, string? Auth);
}

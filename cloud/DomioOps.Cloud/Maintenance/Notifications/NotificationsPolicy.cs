using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Authorization;

namespace DomioOps.Cloud.Maintenance.Notifications;

/// <summary>Who sees the outbox: maintenance and administrators (with the two-factor rule of every role policy).</summary>
internal static class NotificationsPolicy
{
    public const string Deliveries = "MaintenanceNotifications";

    public static void Configure(AuthorizationOptions options) =>
        options.AddPolicy(Deliveries, policy => policy.RequireAuthenticatedUser().RequireRole(DomioRoles.Maintenance, DomioRoles.Admin)
            .AddRequirements(new TwoFactorRequirement()));
}

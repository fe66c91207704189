using Microsoft.AspNetCore.Authorization;

namespace DomioOps.Cloud.Security;

/// <summary>
/// The authorization policies, each a set of roles. Every endpoint names one of them; an endpoint that names
/// none falls back to <see cref="Admin"/>, so a forgotten endpoint is closed, not open.
/// </summary>
internal static class SecurityPolicies
{
    /// <summary>Live machine state: every signed-in person and the shop-floor terminals.</summary>
    public const string ShopFloor = "ShopFloor";

    /// <summary>Edges and telemetry plumbing: maintenance, planning and administration.</summary>
    public const string Operations = "Operations";

    /// <summary>Office data (customers, projects, documents): never a terminal or an operator.</summary>
    public const string Office = "Office";

    /// <summary>Production orders and their progress: every person (read), never a terminal.</summary>
    public const string Production = "Production";

    /// <summary>Production office work (importing cut lists, printing part labels): planners, the office, administrators.</summary>
    public const string ProductionOffice = "ProductionOffice";

    /// <summary>Users, API keys, terminals, audit, GDPR.</summary>
    public const string Admin = "Admin";

    /// <summary>A shop-floor terminal's own session (identifying the operator at it).</summary>
    public const string Terminal = "Terminal";

    /// <summary>A person's own account (sign-out, two-factor set-up), whatever their roles, before two-factor is complete.</summary>
    public const string SignedIn = "SignedIn";

    /// <summary>The roles each role-based policy admits.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [ShopFloor] = [DomioRoles.Operator, DomioRoles.Maintenance, DomioRoles.Planner, DomioRoles.Office, DomioRoles.Admin, DomioRoles.Terminal],
        [Operations] = [DomioRoles.Maintenance, DomioRoles.Planner, DomioRoles.Admin],
        [Office] = [DomioRoles.Office, DomioRoles.Admin],
        [Production] = [DomioRoles.Planner, DomioRoles.Office, DomioRoles.Admin, DomioRoles.Operator, DomioRoles.Maintenance],
        [ProductionOffice] = [DomioRoles.Planner, DomioRoles.Office, DomioRoles.Admin],
        [Admin] = [DomioRoles.Admin],
        [Terminal] = [DomioRoles.Terminal],
    };

    public static void Configure(AuthorizationOptions options)
    {
        foreach (var (name, roles) in Roles)
        {
            options.AddPolicy(name, policy => policy.RequireAuthenticatedUser().RequireRole(roles).AddRequirements(new TwoFactorRequirement()));
        }

        options.AddPolicy(SignedIn, policy => policy.RequireAuthenticatedUser());
        options.FallbackPolicy = options.GetPolicy(Admin);
    }
}

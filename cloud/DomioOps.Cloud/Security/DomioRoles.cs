namespace DomioOps.Cloud.Security;

/// <summary>The people roles of the factory, and the device role of a shop-floor terminal.</summary>
internal static class DomioRoles
{
    public const string Operator = "Operator";
    public const string Maintenance = "Maintenance";
    public const string Planner = "Planner";
    public const string Office = "Office";
    public const string Admin = "Admin";

    /// <summary>A shop-floor terminal signed in as a device (never a person's role: no user holds it).</summary>
    public const string Terminal = "Terminal";

    /// <summary>The roles a person can hold, created at start.</summary>
    public static IReadOnlyList<string> People { get; } = [Operator, Maintenance, Planner, Office, Admin];
}

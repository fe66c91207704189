using System.Collections;
using System.Globalization;
using System.Reflection;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;
using DomioOps.Edge.Configuration;
using DomioOps.Simulators;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// What our hosts read from their environment, for the tests of the deployment files (docker-compose.yml,
/// deploy/kubernetes): the options sections each host binds, by the project its Dockerfile builds, and the variables of
/// ASP.NET Core the deployments give. An environment variable is read when it is one of those variables or its
/// <c>__</c>-separated path is a settable property reachable from a bound section.
/// </summary>
internal static class HostConfigurationKeys
{
    public const string Cloud = "cloud/DomioOps.Cloud";
    public const string Edge = "edge/DomioOps.Edge";
    public const string Simulators = "simulators/DomioOps.Simulators";

    /// <summary>The options sections each of our hosts binds, by the project its Dockerfile builds.</summary>
    public static readonly Dictionary<string, Dictionary<string, Type>> SectionsByProject = new(StringComparer.Ordinal)
    {
        [Cloud] = new(StringComparer.OrdinalIgnoreCase) { [SiloOptions.Section] = typeof(SiloOptions), [BrokerOptions.Section] = typeof(BrokerOptions), [SecurityOptions.Section] = typeof(SecurityOptions), [AuditOptions.Section] = typeof(AuditOptions), [ProductionOptions.Section] = typeof(ProductionOptions) },
        [Edge] = new(StringComparer.OrdinalIgnoreCase) { [EdgeOptions.Section] = typeof(EdgeOptions) },
        [Simulators] = new(StringComparer.OrdinalIgnoreCase) { [SimulatorOptions.Section] = typeof(SimulatorOptions) },
    };

    /// <summary>Variables ASP.NET Core and the Generic Host read.</summary>
    public static readonly HashSet<string> HostVariables = new(StringComparer.Ordinal)
    {
        "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT",
        "ASPNETCORE_Kestrel__Certificates__Default__Path", "ASPNETCORE_Kestrel__Certificates__Default__KeyPath",
    };

    /// <summary>True when <paramref name="project"/>'s host reads the environment variable <paramref name="name"/>.</summary>
    public static bool IsRead(string project, string name) => HostVariables.Contains(name) || IsOptionsKey(SectionsByProject[project], name.Split("__"));

    public static bool IsOptionsKey(Dictionary<string, Type> sections, string[] path)
    {
        if (path.Length < 2 || !sections.TryGetValue(path[0], out var type))
        {
            return false;
        }

        foreach (var segment in path[1..])
        {
            if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _) && type.IsGenericType && typeof(IList).IsAssignableFrom(type))
            {
                type = type.GetGenericArguments()[0];
                continue;
            }

            if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _) && type.IsArray)
            {
                type = type.GetElementType()!;
                continue;
            }

            // A map (e.g. Simulators:Ports:<machine>): any key, then the value's type.
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
                continue;
            }

            var property = type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not { CanWrite: true })
            {
                return false;
            }

            type = property.PropertyType;
        }

        return true;
    }
}

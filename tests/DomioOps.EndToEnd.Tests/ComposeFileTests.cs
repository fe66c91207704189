using System.Collections;
using System.Globalization;
using System.Reflection;

using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Security;
using DomioOps.Edge;
using DomioOps.Simulators;
using DomioOps.Testing;

using YamlDotNet.RepresentationModel;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// No Docker engine runs here, so docker-compose.yml is checked statically: every image we build has its
/// context and Dockerfile, and every environment variable and port our services are given is one the code
/// reads (an options property reachable from the section the host binds, or a variable of ASP.NET Core).
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = RepositoryRoot.Find();

    /// <summary>The options sections each of our hosts binds, by the project its Dockerfile builds.</summary>
    private static readonly Dictionary<string, Dictionary<string, Type>> SectionsByProject = new(StringComparer.Ordinal)
    {
        ["cloud/DomioOps.Cloud"] = new(StringComparer.OrdinalIgnoreCase) { [SiloOptions.Section] = typeof(SiloOptions), [BrokerOptions.Section] = typeof(BrokerOptions), [SecurityOptions.Section] = typeof(SecurityOptions) },
        ["edge/DomioOps.Edge"] = new(StringComparer.OrdinalIgnoreCase) { [EdgeOptions.Section] = typeof(EdgeOptions) },
        ["simulators/DomioOps.Simulators"] = new(StringComparer.OrdinalIgnoreCase) { [SimulatorOptions.Section] = typeof(SimulatorOptions) },
    };

    private static readonly HashSet<string> HostVariables = new(StringComparer.Ordinal) { "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" };

    [Fact]
    public void ComposeFile_EveryBuiltServiceHasContextAndDockerfile()
    {
        var built = BuiltServices().ToList();
        Assert.Contains(built, s => s.Project == "cloud/DomioOps.Cloud");
        Assert.Contains(built, s => s.Project == "edge/DomioOps.Edge");
        Assert.Contains(built, s => s.Project == "simulators/DomioOps.Simulators");
        foreach (var service in built)
        {
            Assert.True(Directory.Exists(service.Context), $"{service.Name}: build context {service.Context} does not exist");
            Assert.True(File.Exists(service.Dockerfile), $"{service.Name}: Dockerfile {service.Dockerfile} does not exist");
            Assert.Contains($"dotnet publish {service.Project}", File.ReadAllText(service.Dockerfile), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ComposeFile_EveryEnvironmentVariableIsReadByTheCode()
    {
        var unknown = new List<string>();
        foreach (var service in BuiltServices())
        {
            var sections = SectionsByProject[service.Project];
            foreach (var (name, _) in service.Environment)
            {
                if (!HostVariables.Contains(name) && !IsOptionsKey(sections, name.Split("__")))
                {
                    unknown.Add($"{service.Name}: {name}");
                }
            }
        }

        Assert.Empty(unknown);
    }

    [Fact]
    public void ComposeFile_EveryPortOfOurServicesIsOneItListensOn()
    {
        var problems = new List<string>();
        foreach (var service in BuiltServices())
        {
            // Ports the service is configured to listen on: its URLs, every *Port setting and every entry of a Ports map.
            var listening = service.Environment
                .Where(e => e.Name == "ASPNETCORE_URLS" || e.Name.EndsWith("Port", StringComparison.Ordinal) || e.Name.Contains("__Ports__", StringComparison.Ordinal))
                .Select(e => int.Parse(e.Value[(e.Value.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))
                .ToHashSet();
            foreach (var port in service.ContainerPorts.Where(p => !listening.Contains(p)))
            {
                problems.Add($"{service.Name}: port {port} is published but nothing in its environment makes it listen there");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void OptionsKeyCheck_UnknownKey_IsCaught()
    {
        // The check above must be able to fail: a misspelt key and a key of another host are refused.
        var cloud = SectionsByProject["cloud/DomioOps.Cloud"];
        Assert.True(IsOptionsKey(cloud, ["Broker", "Port"]));
        Assert.False(IsOptionsKey(cloud, ["Broker", "Prot"]));
        Assert.False(IsOptionsKey(cloud, ["Edge", "Site"]));
        Assert.True(IsOptionsKey(SectionsByProject["edge/DomioOps.Edge"], ["Edge", "Devices", "ModbusTcp", "0", "Tags", "1", "Register"]));
        Assert.True(IsOptionsKey(SectionsByProject["simulators/DomioOps.Simulators"], ["Simulators", "Ports", "saw-01"]));
        Assert.False(IsOptionsKey(SectionsByProject["simulators/DomioOps.Simulators"], ["Simulators", "Ports", "saw-01", "Port"]));
    }

    private static bool IsOptionsKey(Dictionary<string, Type> sections, string[] path)
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

    private static IEnumerable<ComposeService> BuiltServices()
    {
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("services")];
        foreach (var (key, value) in services.Children)
        {
            var service = (YamlMappingNode)value;
            if (!service.Children.TryGetValue(new YamlScalarNode("build"), out var buildNode))
            {
                continue;
            }

            var build = (YamlMappingNode)buildNode;
            var context = Path.GetFullPath(Path.Combine(Root, Scalar(build, "context")));
            var dockerfile = Path.GetFullPath(Path.Combine(context, Scalar(build, "dockerfile")));
            var project = Path.GetRelativePath(Root, Path.GetDirectoryName(dockerfile)!).Replace('\\', '/');
            var environment = service.Children.TryGetValue(new YamlScalarNode("environment"), out var env)
                ? ((YamlMappingNode)env).Children.Select(e => (Name: ((YamlScalarNode)e.Key).Value!, Value: ((YamlScalarNode)e.Value).Value ?? "")).ToList()
                : [];
            var ports = new List<int>();
            foreach (var list in new[] { "ports", "expose" })
            {
                if (service.Children.TryGetValue(new YamlScalarNode(list), out var portNode))
                {
                    ports.AddRange(((YamlSequenceNode)portNode).Children.Select(p => ((YamlScalarNode)p).Value!)
                        .Select(p => int.Parse(p[(p.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture)));
                }
            }

            yield return new ComposeService(((YamlScalarNode)key).Value!, project, context, dockerfile, environment, ports);
        }
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    private sealed record ComposeService(string Name, string Project, string Context, string Dockerfile, List<(string Name, string Value)> Environment, List<int> ContainerPorts);
}

using System.Globalization;

using DomioOps.Edge.Configuration;
using DomioOps.Simulators;
using DomioOps.Simulators.Scenarios;
using DomioOps.Testing;

using Microsoft.Extensions.Configuration;

using YamlDotNet.RepresentationModel;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// No Docker engine runs here, so docker-compose.yml is checked statically: every image we build has its
/// context and Dockerfile, every environment variable and port our services are given is one the code
/// reads (an options property reachable from the section the host binds, or a variable of ASP.NET Core), and
/// the edge's configuration passes the edge's own validation and reads only what the simulators serve.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = RepositoryRoot.Find();

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
            foreach (var (name, _) in service.Environment)
            {
                if (!HostConfigurationKeys.IsRead(service.Project, name))
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
    public void ComposeFile_CloudServesHttpsOnlyWithItsKeyRingEncrypted()
    {
        // The silos (the one-shot migrate service of the same image serves nothing).
        var clouds = BuiltServices().Where(s => s.Project == "cloud/DomioOps.Cloud" && s.ContainerPorts.Count > 0).ToList();
        Assert.Equal(["cloud-1", "cloud-2"], clouds.Select(c => c.Name));
        foreach (var cloud in clouds)
        {
            var environment = cloud.Environment.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
            Assert.All(environment["ASPNETCORE_URLS"].Split(';'), url => Assert.StartsWith("https://", url, StringComparison.Ordinal));
            Assert.True(environment.ContainsKey("ASPNETCORE_Kestrel__Certificates__Default__Path"), $"{cloud.Name}: no HTTPS certificate");
            Assert.True(environment.ContainsKey("Security__DataProtection__CertificatePath"), $"{cloud.Name}: the data-protection keys would be stored in clear");
            Assert.False(environment.ContainsKey("Security__AllowInsecureHttp"), $"{cloud.Name}: plain HTTP is for loopback");
        }
    }

    [Fact]
    public void OptionsKeyCheck_UnknownKey_IsCaught()
    {
        // The check above must be able to fail: a misspelt key and a key of another host are refused.
        var cloud = HostConfigurationKeys.SectionsByProject["cloud/DomioOps.Cloud"];
        Assert.True(HostConfigurationKeys.IsOptionsKey(cloud, ["Broker", "Port"]));
        Assert.False(HostConfigurationKeys.IsOptionsKey(cloud, ["Broker", "Prot"]));
        Assert.False(HostConfigurationKeys.IsOptionsKey(cloud, ["Edge", "Site"]));
        Assert.True(HostConfigurationKeys.IsOptionsKey(HostConfigurationKeys.SectionsByProject["edge/DomioOps.Edge"], ["Edge", "Devices", "ModbusTcp", "0", "Tags", "1", "Register"]));
        Assert.True(HostConfigurationKeys.IsOptionsKey(HostConfigurationKeys.SectionsByProject["simulators/DomioOps.Simulators"], ["Simulators", "Ports", "saw-01"]));
        Assert.False(HostConfigurationKeys.IsOptionsKey(HostConfigurationKeys.SectionsByProject["simulators/DomioOps.Simulators"], ["Simulators", "Ports", "saw-01", "Port"]));
    }

    [Fact]
    public void ComposeFile_EdgeReadsTheWholeSimulatedFactory_ValidAndServedBySimulators()
    {
        var services = BuiltServices().ToList();
        var edge = services.Single(s => s.Project == "edge/DomioOps.Edge");
        var simulators = services.Single(s => s.Project == "simulators/DomioOps.Simulators");

        Assert.Empty(EdgeAgainstSimulators(edge.Environment, simulators));
    }

    [Fact]
    public void EdgeAgainstSimulators_WrongPortUnitOrHost_IsCaught()
    {
        // The check above must be able to fail.
        var services = BuiltServices().ToList();
        var edge = services.Single(s => s.Project == "edge/DomioOps.Edge");
        var simulators = services.Single(s => s.Project == "simulators/DomioOps.Simulators");
        List<(string Name, string Value)> wrong =
        [
            .. edge.Environment,
            ("Edge__Devices__ModbusTcp__0__Port", "5030"),
            ("Edge__Devices__ModbusTcp__3__UnitId", "3"),
            ("Edge__Devices__OpcUa__0__EndpointUrl", "opc.tcp://cnc-router:4840"),
            ("Edge__Devices__ModbusTcp__1__PollInterval", "00:00:00.001"),
        ];

        var problems = EdgeAgainstSimulators(wrong, simulators);

        Assert.Contains(problems, p => p.Contains("Edge:Devices:ModbusTcp:0 (saw-01) reads simulators:5030 unit 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Edge:Devices:ModbusTcp:3 (meter-eb-01) reads simulators:5022 unit 3", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Edge:Devices:OpcUa:0 reads cnc-router:4840", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Edge:Devices:ModbusTcp:1:PollInterval: must be at least", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("saw-01 (simulators:5020 unit 1) is served but the edge does not read it", StringComparison.Ordinal));
    }

    /// <summary>
    /// What is wrong with the compose edge's devices: its configuration as the container builds it (appsettings.json,
    /// appsettings.{DOTNET_ENVIRONMENT}.json, the environment) checked by the edge's own reader and validation, every
    /// device a host:port (and unit) that the simulators container serves, every machine there read.
    /// </summary>
    private static List<string> EdgeAgainstSimulators(List<(string Name, string Value)> edgeEnvironment, ComposeService simulators)
    {
        var project = Path.Combine(Root, "edge", "DomioOps.Edge");
        // The files the container is given (DOMIO_CERTIFICATES, mounted at /etc/domio) stand in as files of this machine.
        var mounted = Directory.CreateTempSubdirectory("domioops-compose-etc-").FullName;
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(Path.Combine(mounted, "edge-configuration.pub.pem"), key.ExportSubjectPublicKeyInfoPem());
        }

        File.WriteAllText(Path.Combine(mounted, "ca.crt"), "");
        var environment = edgeEnvironment.ToDictionary(e => e.Name, e => e.Value.Replace("/etc/domio/", mounted + "/", StringComparison.Ordinal), StringComparer.OrdinalIgnoreCase);
        var builder = new ConfigurationBuilder().AddJsonFile(Path.Combine(project, "appsettings.json"));
        if (environment.TryGetValue("DOTNET_ENVIRONMENT", out var name))
        {
            builder.AddJsonFile(Path.Combine(project, $"appsettings.{name}.json"));
        }

        var configuration = builder.AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value))).Build();
        var options = EdgeSection.Read(configuration);
        var validation = new EdgeOptionsValidation(configuration).Validate(null, options);
        var problems = validation.Failed ? validation.Failures.ToList() : [];
        Directory.Delete(mounted, recursive: true);

        var scenario = new ConfigurationBuilder()
            .AddInMemoryCollection(simulators.Environment.Select(e => new KeyValuePair<string, string?>(e.Name.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build().GetSection(SimulatorOptions.Section).Get<SimulatorOptions>()!
            .BuildScenario(Path.Combine(Root, "simulators", "DomioOps.Simulators"));
        var host = simulators.Name;
        var modbus = scenario.Machines.Where(m => m.Protocol == MachineProtocol.ModbusTcp).ToDictionary(m => (m.Port, m.UnitId), m => m.Id);
        var opcUa = scenario.Machines.Where(m => m.Protocol == MachineProtocol.OpcUa).Select(m => m.Port).ToHashSet();
        var read = new HashSet<string>(StringComparer.Ordinal);
        var devices = options.Devices;
        for (var d = 0; d < devices.ModbusTcp.Count; d++)
        {
            var device = devices.ModbusTcp[d];
            if (device.Host != host || !modbus.TryGetValue((device.Port, device.UnitId), out var served))
            {
                problems.Add($"Edge:Devices:ModbusTcp:{d} ({device.Machine}) reads {device.Host}:{device.Port} unit {device.UnitId}, which the {host} container does not serve over Modbus TCP");
                continue;
            }

            read.Add(served);
            if (served != device.Machine)
            {
                problems.Add($"Edge:Devices:ModbusTcp:{d} reports {host}:{device.Port} unit {device.UnitId} as {device.Machine}, but it is {served}");
            }
        }

        for (var d = 0; d < devices.OpcUa.Count; d++)
        {
            var endpoint = new Uri(devices.OpcUa[d].EndpointUrl);
            if (endpoint.Host != host || !opcUa.Contains(endpoint.Port))
            {
                problems.Add($"Edge:Devices:OpcUa:{d} reads {endpoint.Host}:{endpoint.Port}, which the {host} container does not serve over OPC UA");
                continue;
            }

            read.UnionWith(scenario.Machines.Where(m => m.Protocol == MachineProtocol.OpcUa && m.Port == endpoint.Port).Select(m => m.Id));
        }

        problems.AddRange(devices.ModbusSerial.Select((bus, b) => $"Edge:Devices:ModbusSerial:{b}: no serial line ({bus.SerialPort}) reaches a container"));
        problems.AddRange(devices.Line.Where(l => l.Host is null).Select(l => $"Edge:Devices:Line ({l.Machine}): no serial line ({l.SerialPort}) reaches a container"));
        problems.AddRange(scenario.Machines.Where(m => !read.Contains(m.Id)).Select(m => $"{m.Id} ({host}:{m.Port}{(m.Protocol == MachineProtocol.ModbusTcp ? $" unit {m.UnitId}" : "")}) is served but the edge does not read it"));
        return problems;
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

using System.Globalization;
using System.Text.RegularExpressions;

using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Ingestion;
using DomioOps.ServiceDefaults;

using Microsoft.Extensions.Hosting;

using YamlDotNet.RepresentationModel;

using static DomioOps.EndToEnd.Tests.KubernetesManifests;

namespace DomioOps.EndToEnd.Tests;

public sealed partial class KubernetesManifestTests
{
    /// <summary>Our images are built from their Dockerfile; a container's ports are ones it listens on; a Service's target port is a port of the pods it selects.</summary>
    private static List<string> PortProblems(KubernetesManifests manifests)
    {
        var problems = new List<string>();
        foreach (var (workload, container, project) in OurContainers(manifests))
        {
            var at = $"{workload.Id} container {Text(container, "name")}";
            var dockerfile = Path.Combine(Root, project, "Dockerfile");
            if (!File.Exists(dockerfile) || !File.ReadAllText(dockerfile).Contains($"dotnet publish {project}", StringComparison.Ordinal))
            {
                problems.Add($"{at}: image {Text(container, "image")} should be built by {project}/Dockerfile, which does not publish {project}");
                continue;
            }

            var environment = Workload.Environment(container).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
            var listening = Listening(environment);
            problems.AddRange(Workload.Ports(container).Values.Distinct().Where(p => !listening.Contains(p)).Select(p => $"{at}: port {p} is declared but nothing in its environment makes it listen there"));
            var exposed = Regex.Matches(File.ReadAllText(dockerfile), @"^EXPOSE (\d+)", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();
            problems.AddRange(UrlPorts(environment).Where(p => !exposed.Contains(p)).Select(p => $"{at}: serves on {p}, which {project}/Dockerfile does not EXPOSE"));
        }

        foreach (var workload in manifests.Workloads())
        {
            foreach (var container in workload.Containers.Where(c => !ProjectsByImage.ContainsKey(Text(c, "image")!)))
            {
                var image = Text(container, "image")!;
                var compose = ComposeImages();
                if (!compose.Contains(image))
                {
                    problems.Add($"{workload.Id} container {Text(container, "name")}: image {image} is neither ours (kustomization images) nor one docker-compose.yml runs ({string.Join(", ", compose)})");
                }
            }
        }

        foreach (var service in manifests.Objects.Where(o => Kind(o) == "Service"))
        {
            var selector = Map(service, "spec", "selector")?.Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => ((YamlScalarNode)s.Value).Value, StringComparer.Ordinal) ?? [];
            var selected = manifests.Workloads().Where(w => selector.Count > 0 && selector.All(s => w.PodLabels.GetValueOrDefault(s.Key) == s.Value)).ToList();
            if (selected.Count == 0)
            {
                problems.Add($"{Id(service)}: its selector matches no pods");
            }

            foreach (var target in Items(service, "spec", "ports").Select(p => Text(p, "targetPort") ?? Text(p, "port")!))
            {
                if (!selected.SelectMany(w => w.Containers).Any(c => Workload.Ports(c).ContainsKey(target)))
                {
                    problems.Add($"{Id(service)}: target port {target} is no port of the pods it selects");
                }
            }
        }

        return problems;
    }

    /// <summary>The cloud's readiness and liveness probes ask the endpoints it maps, on the port and scheme it serves; every probe's port is the container's.</summary>
    private static List<string> ProbeProblems(KubernetesManifests manifests)
    {
        var problems = new List<string>();
        foreach (var workload in manifests.Workloads().Where(w => w.Object.Children.ContainsKey(new YamlScalarNode("spec")) && Kind(w.Object) != "Job"))
        {
            foreach (var container in workload.Containers)
            {
                var at = $"{workload.Id} container {Text(container, "name")}";
                var ports = Workload.Ports(container);
                foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
                {
                    var port = Text(container, probe, "httpGet", "port") ?? Text(container, probe, "tcpSocket", "port");
                    if (port is not null && !ports.ContainsKey(port))
                    {
                        problems.Add($"{at}: {probe} asks port {port}, which is no port of the container");
                    }
                }

                if (!ProjectsByImage.TryGetValue(Text(container, "image")!, out var project) || project != HostConfigurationKeys.Cloud)
                {
                    problems.AddRange(new[] { "readinessProbe", "livenessProbe" }.Where(p => Map(container, p) is null).Select(p => $"{at}: no {p}"));
                    continue;
                }

                var environment = Workload.Environment(container).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
                var url = new Uri(environment.GetValueOrDefault("ASPNETCORE_URLS")!.Split(';')[0].Replace("+", "localhost", StringComparison.Ordinal));
                foreach (var (probe, path) in new[] { ("readinessProbe", ServiceDefaultsExtensions.ReadinessPath), ("livenessProbe", ServiceDefaultsExtensions.LivenessPath), ("startupProbe", ServiceDefaultsExtensions.LivenessPath) })
                {
                    if (Map(container, probe, "httpGet") is not { } get)
                    {
                        if (probe != "startupProbe")
                        {
                            problems.Add($"{at}: no {probe} asking {path}");
                        }

                        continue;
                    }

                    if (Text(get, "path") != path)
                    {
                        problems.Add($"{at}: {probe} asks {Text(get, "path")}, not {path}");
                    }

                    if (!string.Equals(Text(get, "scheme") ?? "HTTP", url.Scheme, StringComparison.OrdinalIgnoreCase))
                    {
                        problems.Add($"{at}: {probe} asks over {Text(get, "scheme") ?? "HTTP"}, the cloud serves {url.Scheme.ToUpperInvariant()}");
                    }

                    if (ports.GetValueOrDefault(Text(get, "port")!) != url.Port)
                    {
                        problems.Add($"{at}: {probe} asks port {Text(get, "port")}, the cloud serves on {url.Port}");
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// The silos run with Kubernetes hosting on, pods labelled with the service and cluster ids, the pod's name,
    /// namespace and address from the downward API, a service account whose role may do with pods what the hosting does,
    /// an MQTT client id per pod and one shared-subscription group.
    /// </summary>
    private static List<string> OrleansProblems(KubernetesManifests manifests)
    {
        var problems = new List<string>();
        var silos = Silos(manifests).ToList();
        if (silos.Count == 0)
        {
            return ["no Deployment runs the cloud's image"];
        }

        foreach (var (workload, container) in silos)
        {
            var environment = Workload.Environment(container).ToDictionary(e => e.Name, StringComparer.Ordinal);
            string? Value(string name) => environment.TryGetValue(name, out var e) ? e.Value : null;
            string? Field(string name) => environment.TryGetValue(name, out var e) ? Text(e.From, "fieldRef", "fieldPath") : null;
            if (!string.Equals(Value("Silo__KubernetesHosting"), "true", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{workload.Id}: Silo__KubernetesHosting is not true");
            }

            problems.AddRange(PodVariables.Where(v => Field(v.Key) != v.Value).Select(v => $"{workload.Id}: {v.Key} is not given from the downward API (fieldRef {v.Value})"));
            var labels = workload.PodLabels;
            if (labels.GetValueOrDefault("orleans/serviceId") != ClusterExtensions.ServiceId)
            {
                problems.Add($"{workload.Id}: pod label orleans/serviceId is '{labels.GetValueOrDefault("orleans/serviceId")}', the silos' service id is '{ClusterExtensions.ServiceId}'");
            }

            var clusterId = Value("Silo__ClusterId") ?? new SiloOptions().ClusterId;
            if (labels.GetValueOrDefault("orleans/clusterId") != clusterId)
            {
                problems.Add($"{workload.Id}: pod label orleans/clusterId is '{labels.GetValueOrDefault("orleans/clusterId")}', Silo:ClusterId is '{clusterId}'");
            }

            if (Value("Silo__AdvertisedAddress") != "$(POD_IP)")
            {
                problems.Add($"{workload.Id}: Silo__AdvertisedAddress is not the pod's address $(POD_IP)");
            }

            if (Field("Broker__ClientId") != "metadata.name")
            {
                problems.Add($"{workload.Id}: Broker__ClientId is not the pod's name (fieldRef metadata.name)");
            }

            if (string.IsNullOrEmpty(Value("Broker__ShareGroup")))
            {
                problems.Add($"{workload.Id}: Broker__ShareGroup is not one value for every pod");
            }

            var account = Text(workload.Pod, "serviceAccountName") ?? "default";
            var roles = manifests.Objects.Where(o => Kind(o) == "RoleBinding" && Items(o, "subjects").Any(s => Text(s, "kind") == "ServiceAccount" && Text(s, "name") == account))
                .Select(b => manifests.Find(Text(b, "roleRef", "kind")!, Text(b, "roleRef", "name")!)).OfType<YamlMappingNode>().ToList();
            if (roles.Count == 0)
            {
                problems.Add($"{workload.Id}: service account {account} is bound to no Role");
            }

            foreach (var role in roles)
            {
                var verbs = Items(role, "rules")
                    .Where(r => Items(r, "apiGroups").Any(g => ((YamlScalarNode)g).Value == "") && Items(r, "resources").Any(g => ((YamlScalarNode)g).Value == "pods"))
                    .SelectMany(r => Items(r, "verbs")).Select(v => ((YamlScalarNode)v).Value!).ToHashSet(StringComparer.Ordinal);
                problems.AddRange(PodVerbs.Where(v => !verbs.Contains(v)).Select(v => $"{Id(role)}: the silos' service account may not {v} pods"));
            }
        }

        return problems;
    }

    /// <summary>The silos' Deployment replaces pods one at a time without going under its replicas, and gives a silo time to leave the cluster.</summary>
    private static List<string> RolloutProblems(KubernetesManifests manifests)
    {
        var problems = new List<string>();
        foreach (var (workload, container) in Silos(manifests))
        {
            var spec = Map(workload.Object, "spec")!;
            if (Kind(workload.Object) != "Deployment" || Text(spec, "strategy", "type") is not (null or "RollingUpdate"))
            {
                problems.Add($"{workload.Id}: not a Deployment with a RollingUpdate strategy");
            }

            if (int.Parse(Text(spec, "replicas") ?? "1", CultureInfo.InvariantCulture) < 2)
            {
                problems.Add($"{workload.Id}: fewer than 2 replicas: a rolling update or a lost node leaves no silo");
            }

            var unavailable = Text(spec, "strategy", "rollingUpdate", "maxUnavailable") ?? "25%";
            if (unavailable is not ("0" or "0%"))
            {
                problems.Add($"{workload.Id}: rollingUpdate.maxUnavailable is {unavailable}, not 0: a rolling update would remove a silo before its replacement is ready");
            }

            var surge = Text(spec, "strategy", "rollingUpdate", "maxSurge") ?? "25%";
            if (surge is "0" or "0%")
            {
                problems.Add($"{workload.Id}: rollingUpdate.maxSurge is 0: with maxUnavailable 0 no pod could ever be replaced");
            }

            var preStop = Items(container, "lifecycle", "preStop", "exec", "command").Select(c => ((YamlScalarNode)c).Value!).ToList() is ["sleep", var seconds] ? int.Parse(seconds, CultureInfo.InvariantCulture) : 0;
            var shutdown = (int)new HostOptions().ShutdownTimeout.TotalSeconds;
            var grace = int.Parse(Text(workload.Pod, "terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture);
            if (grace < preStop + shutdown)
            {
                problems.Add($"{workload.Id}: terminationGracePeriodSeconds {grace} is less than preStop {preStop} s + the host's shutdown {shutdown} s");
            }
        }

        return problems;
    }

    /// <summary>No Secret is applied by the kustomization; the ones described for the operator hold placeholders only.</summary>
    private static List<string> SecretProblems(KubernetesManifests manifests)
    {
        var problems = manifests.Objects.Where(o => Kind(o) == "Secret").Select(o => $"{Id(o)}: applied by the kustomization, so every apply would reset it").ToList();
        foreach (var secret in manifests.ExampleSecrets)
        {
            if (Kind(secret) != "Secret")
            {
                problems.Add($"secrets.example.yaml: {Id(secret)} is not a Secret");
            }

            problems.AddRange(Keys(secret, "data").Select(k => $"{Id(secret)}: {k} is given in data (base64) instead of a placeholder in stringData"));
            problems.AddRange(Keys(secret, "stringData").Where(k => Text(secret, "stringData", k) is not { } v || !v.StartsWith("<REPLACE: ", StringComparison.Ordinal) || !v.EndsWith('>'))
                .Select(k => $"{Id(secret)}: {k} is not a placeholder <REPLACE: …>"));
        }

        return problems;
    }

    /// <summary>
    /// Mosquitto runs deploy/mosquitto/mosquitto.conf; every file it names is mounted (from a Secret that has it), its
    /// listeners are its container's ports, and the silos reach the silos' listener through a Service.
    /// </summary>
    private static List<string> MosquittoProblems(KubernetesManifests manifests)
    {
        var problems = new List<string>();
        var map = manifests.Find("ConfigMap", "mosquitto-config");
        var conf = Text(map, "data", "mosquitto.conf") ?? "";
        if (!conf.StartsWith(File.ReadAllText(Path.Combine(Root, "deploy", "mosquitto", "mosquitto.conf")), StringComparison.Ordinal))
        {
            problems.Add("ConfigMap/mosquitto-config: mosquitto.conf does not begin with deploy/mosquitto/mosquitto.conf");
        }

        var broker = manifests.Workloads().SingleOrDefault(w => w.Volumes.Values.Any(v => Text(v, "configMap", "name") == "mosquitto-config"));
        if (broker is null)
        {
            return [.. problems, "no workload mounts ConfigMap/mosquitto-config"];
        }

        var mosquitto = broker.Containers.Single();
        var listeners = new Dictionary<int, List<string>>();
        var directives = conf.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(' ', 2)).ToList();
        var current = new List<string>();
        foreach (var directive in directives)
        {
            if (directive[0] == "listener")
            {
                listeners[int.Parse(directive[1], CultureInfo.InvariantCulture)] = current = [];
            }

            current.Add(string.Join(' ', directive));
            if (directive[0] is "certfile" or "keyfile" or "password_file" or "acl_file")
            {
                var mounted = broker.MountedFile(mosquitto, directive[1]);
                var secret = mounted is { } file ? Text(file.Volume, "secret", "secretName") : null;
                if (secret is null || manifests.SecretKeys(secret) is not { } keys || !keys.Contains(mounted!.Value.File))
                {
                    problems.Add($"{broker.Id}: {directive[0]} {directive[1]} is no key of a Secret mounted there");
                }
            }

            if (directive[0] == "persistence_location"
                && (broker.MountedFile(mosquitto, directive[1].TrimEnd('/') + "/") is not { } store || Node(store.Volume, "persistentVolumeClaim") is null))
            {
                problems.Add($"{broker.Id}: persistence_location {directive[1]} is not on a persistent volume");
            }
        }

        var ports = Workload.Ports(mosquitto);
        problems.AddRange(listeners.Keys.Where(l => !ports.ContainsValue(l)).Select(l => $"{broker.Id}: listener {l} is no container port"));
        problems.AddRange(ports.Values.Distinct().Where(p => !listeners.ContainsKey(p)).Select(p => $"{broker.Id}: port {p} is no listener of mosquitto.conf"));
        var generated = new HashSet<string>(StringComparer.Ordinal) { MosquittoConfiguration.PasswordFile, MosquittoConfiguration.CloudPasswordFile, MosquittoConfiguration.AclFile };
        if (manifests.SecretKeys("mosquitto-auth") is not { } auth || !auth.SetEquals(generated))
        {
            problems.Add($"Secret mosquitto-auth: is not made with the files the silos generate ({string.Join(", ", generated)})");
        }

        foreach (var (workload, container) in Silos(manifests))
        {
            var environment = Workload.Environment(container).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
            var address = environment.GetValueOrDefault("Broker__Address");
            var port = environment.GetValueOrDefault("Broker__Port");
            var service = manifests.Find("Service", address ?? "");
            var servicePort = Items(service, "spec", "ports").FirstOrDefault(p => Text(p, "port") == port);
            if (servicePort is null)
            {
                problems.Add($"{workload.Id}: Broker__Port {port} is not a port of Service {address}");
                continue;
            }

            var target = ports.GetValueOrDefault(Text(servicePort, "targetPort") ?? port!);
            if (!listeners.TryGetValue(target, out var listener) || !listener.Contains($"password_file /mosquitto/generated/{MosquittoConfiguration.CloudPasswordFile}"))
            {
                problems.Add($"{workload.Id}: Broker__Address {address}:{port} does not reach Mosquitto's listener for the silos (password_file …/{MosquittoConfiguration.CloudPasswordFile})");
            }

            if (environment.GetValueOrDefault("Broker__MosquittoConfigDirectory") is not { } folder || !manifests.Scripts.Contains(folder, StringComparison.Ordinal))
            {
                problems.Add($"{workload.Id}: Broker__MosquittoConfigDirectory is not the folder mosquitto-auth.sh copies the files from");
            }
        }

        return problems;
    }

    private static IEnumerable<(Workload Workload, YamlMappingNode Container, string Project)> OurContainers(KubernetesManifests manifests) =>
        from workload in manifests.Workloads()
        from container in workload.Containers
        let image = Text(container, "image")!
        where ProjectsByImage.ContainsKey(image) && manifests.IsKustomizedImage(image)
        select (workload, container, ProjectsByImage[image]);

    /// <summary>The long-running containers of the cloud's image (not the migration Job).</summary>
    private static IEnumerable<(Workload Workload, YamlMappingNode Container)> Silos(KubernetesManifests manifests) =>
        OurContainers(manifests).Where(c => c.Project == HostConfigurationKeys.Cloud && Kind(c.Workload.Object) != "Job").Select(c => (c.Workload, c.Container));

    private static HashSet<int> Listening(Dictionary<string, string?> environment)
    {
        var silo = new SiloOptions();
        var listening = UrlPorts(environment);
        if (environment.ContainsKey("Silo__ConnectionString") || environment.Keys.Any(k => k.StartsWith("Silo__", StringComparison.Ordinal)))
        {
            listening.Add(int.Parse(environment.GetValueOrDefault("Silo__SiloPort") ?? silo.SiloPort.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            listening.Add(int.Parse(environment.GetValueOrDefault("Silo__GatewayPort") ?? silo.GatewayPort.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }

        return listening;
    }

    private static HashSet<int> UrlPorts(Dictionary<string, string?> environment) =>
        (environment.GetValueOrDefault("ASPNETCORE_URLS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(u => int.Parse(u[(u.LastIndexOf(':') + 1)..].TrimEnd('/'), CultureInfo.InvariantCulture)).ToHashSet();

    private static HashSet<string> ComposeImages()
    {
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return Map(yaml.Documents[0].RootNode, "services")!.Children.Values.Select(s => Text(s, "image")).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    private static YamlMappingNode EnvVar(YamlMappingNode container, string name) => Items(container, "env").Cast<YamlMappingNode>().Single(e => Text(e, "name") == name);

    private static void SetName(YamlMappingNode container, string name, string newName) => Set(EnvVar(container, name), newName, "name");

    private static void MoveToFront(YamlMappingNode container, string name)
    {
        var env = (YamlSequenceNode)Node(container, "env")!;
        var variable = EnvVar(container, name);
        env.Children.Remove(variable);
        env.Children.Insert(0, variable);
    }

    /// <summary>Sets the scalar at <paramref name="path"/> under <paramref name="node"/>, making the maps on the way.</summary>
    private static void Set(YamlMappingNode node, string value, params string[] path)
    {
        foreach (var key in path[..^1])
        {
            if (Map(node, key) is not { } next)
            {
                next = [];
                node.Children[new YamlScalarNode(key)] = next;
            }

            node = next;
        }

        node.Children[new YamlScalarNode(path[^1])] = new YamlScalarNode(value);
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();
}

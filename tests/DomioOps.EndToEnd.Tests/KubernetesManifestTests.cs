using System.Text.RegularExpressions;

using Orleans.Hosting.Kubernetes;

using YamlDotNet.RepresentationModel;

using static DomioOps.EndToEnd.Tests.KubernetesManifests;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// No Kubernetes cluster runs here, so deploy/kubernetes is checked statically, as docker-compose.yml is: every variable
/// our containers are given is one the host reads, every Secret, ConfigMap, claim and service account referenced is
/// there (with the keys referenced), ports and probes meet what the cloud serves, the silos carry what Orleans'
/// Kubernetes hosting needs, a rolling update never lowers capacity, and Mosquitto's configuration is the one of
/// deploy/mosquitto with the files it names mounted.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    /// <summary>Our images, by the name the kustomization rewrites, and the project their Dockerfile builds.</summary>
    private static readonly Dictionary<string, string> ProjectsByImage = new(StringComparer.Ordinal) { ["domio-cloud"] = HostConfigurationKeys.Cloud };

    /// <summary>What Orleans' Kubernetes hosting reads from the pod, and the downward-API field each comes from.</summary>
    private static readonly Dictionary<string, string> PodVariables = new(StringComparer.Ordinal)
    {
        [KubernetesHostingOptions.PodNameEnvironmentVariable] = "metadata.name",
        [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "metadata.namespace",
        [KubernetesHostingOptions.PodIPEnvironmentVariable] = "status.podIP",
    };

    /// <summary>What the hosting does with pods: read and label its own, watch the others', delete a dead silo's.</summary>
    private static readonly string[] PodVerbs = ["get", "list", "watch", "patch", "delete"];

    [Fact]
    public void Manifests_EveryEnvironmentVariableIsReadByTheHost()
    {
        Assert.Empty(EnvironmentProblems(Load()));
    }

    [Fact]
    public void Manifests_EverySecretConfigMapClaimAndServiceAccountReferencedExists()
    {
        Assert.Empty(ReferenceProblems(Load()));
    }

    [Fact]
    public void Manifests_ImagesAndPortsMatchWhatTheContainersServe()
    {
        Assert.Empty(PortProblems(Load()));
    }

    [Fact]
    public void Manifests_ProbesAskTheCloudsHealthEndpoints()
    {
        Assert.Empty(ProbeProblems(Load()));
    }

    [Fact]
    public void Manifests_SilosHaveWhatOrleansKubernetesHostingNeeds()
    {
        Assert.Empty(OrleansProblems(Load()));
    }

    [Fact]
    public void Manifests_RollingUpdateKeepsCapacityAndShutsSilosDownGracefully()
    {
        Assert.Empty(RolloutProblems(Load()));
    }

    [Fact]
    public void Manifests_SecretsArePlaceholdersAppliedApartFromTheKustomization()
    {
        Assert.Empty(SecretProblems(Load()));
    }

    [Fact]
    public void Manifests_MosquittoIsConfiguredAsDeployMosquittoWithItsFilesMounted()
    {
        Assert.Empty(MosquittoProblems(Load()));
    }

    [Fact]
    public void Readme_EveryVariableItNamesIsReadByItsHost()
    {
        var readme = File.ReadAllText(Path.Combine(Folder, "README.md"));
        var named = ReadmeVariable().Matches(readme).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();

        Assert.Contains("Edge__Publishing__BrokerHost", named);
        var unread = named.Where(n => !HostConfigurationKeys.IsRead(n.StartsWith("Edge__", StringComparison.Ordinal) ? HostConfigurationKeys.Edge : HostConfigurationKeys.Cloud, n)).ToList();
        Assert.Empty(unread);
    }

    [Theory]
    [InlineData("misspelt variable", "Deployment/domio-cloud container cloud: Broker__ClinetId is read by neither cloud/DomioOps.Cloud nor Orleans' Kubernetes hosting")]
    [InlineData("variable used before it is declared", "Deployment/domio-cloud container cloud: Silo__AdvertisedAddress: $(POD_IP) refers to no variable declared before it")]
    [InlineData("secret key", "Deployment/domio-cloud container cloud: Silo__ConnectionString takes key connection-string of Secret domio-postgres, which has no such key")]
    [InlineData("mounted file", "Deployment/domio-cloud container cloud: Silo__Tls__CertificatePath names silo.pem in Secret domio-silo-tls, which has no such key")]
    [InlineData("service account", "Deployment/domio-cloud: service account domio-silo does not exist")]
    [InlineData("probe path", "Deployment/domio-cloud container cloud: readinessProbe asks /healthz, not /health/ready")]
    [InlineData("probe scheme", "Deployment/domio-cloud container cloud: livenessProbe asks over HTTP, the cloud serves HTTPS")]
    [InlineData("cluster label", "Deployment/domio-cloud: pod label orleans/clusterId is 'prod', Silo:ClusterId is 'domio'")]
    [InlineData("pod verbs", "Role/domio-cloud-pods: the silos' service account may not delete pods")]
    [InlineData("client id", "Deployment/domio-cloud: Broker__ClientId is not the pod's name (fieldRef metadata.name)")]
    [InlineData("max unavailable", "Deployment/domio-cloud: rollingUpdate.maxUnavailable is 1, not 0: a rolling update would remove a silo before its replacement is ready")]
    [InlineData("grace period", "Deployment/domio-cloud: terminationGracePeriodSeconds 20 is less than preStop 5 s + the host's shutdown 30 s")]
    [InlineData("real secret", "Secret/domio-cloud: mqtt-password is not a placeholder <REPLACE: …>")]
    [InlineData("mosquitto config", "ConfigMap/mosquitto-config: mosquitto.conf does not begin with deploy/mosquitto/mosquitto.conf")]
    [InlineData("broker port", "Deployment/domio-cloud: Broker__Port 8883 is not a port of Service mosquitto")]
    public void Checks_BrokenManifest_IsCaught(string breakage, string problem)
    {
        // The checks above must be able to fail: each breakage, made to the parsed manifests, is reported.
        var manifests = Load();
        var cloud = manifests.Workloads().Single(w => w.Id == "Deployment/domio-cloud");
        var container = cloud.Containers.Single();
        var deployment = cloud.Object;
        switch (breakage)
        {
            case "misspelt variable": SetName(container, "Broker__ClientId", "Broker__ClinetId"); break;
            case "variable used before it is declared": MoveToFront(container, "Silo__AdvertisedAddress"); break;
            case "secret key": Set(EnvVar(container, "Silo__ConnectionString"), "connection-string", "valueFrom", "secretKeyRef", "key"); break;
            case "mounted file": Set(EnvVar(container, "Silo__Tls__CertificatePath"), "/etc/domio/silo-tls/silo.pem", "value"); break;
            case "service account": Set(cloud.Pod, "domio-silo", "serviceAccountName"); break;
            case "probe path": Set(container, "/healthz", "readinessProbe", "httpGet", "path"); break;
            case "probe scheme": Set(container, "HTTP", "livenessProbe", "httpGet", "scheme"); break;
            case "cluster label": Set(deployment, "prod", "spec", "template", "metadata", "labels", "orleans/clusterId"); break;
            case "pod verbs": ((YamlSequenceNode)Node(Items(manifests.Find("Role", "domio-cloud-pods"), "rules").Single(), "verbs")!).Children.Remove(new YamlScalarNode("delete")); break;
            case "client id": EnvVar(container, "Broker__ClientId").Children.Remove(new YamlScalarNode("valueFrom")); Set(EnvVar(container, "Broker__ClientId"), "domio-cloud", "value"); break;
            case "max unavailable": Set(deployment, "1", "spec", "strategy", "rollingUpdate", "maxUnavailable"); break;
            case "grace period": Set(cloud.Pod, "20", "terminationGracePeriodSeconds"); break;
            case "real secret": Set(manifests.ExampleSecrets.Single(s => Name(s) == "domio-cloud"), "hunter2hunter2", "stringData", "mqtt-password"); break;
            case "mosquitto config": Set(manifests.Find("ConfigMap", "mosquitto-config")!, "listener 1883\n", "data", "mosquitto.conf"); break;
            case "broker port": Set(EnvVar(container, "Broker__Port"), "8883", "value"); break;
            default: throw new ArgumentOutOfRangeException(nameof(breakage));
        }

        var problems = EnvironmentProblems(manifests).Concat(ReferenceProblems(manifests)).Concat(PortProblems(manifests)).Concat(ProbeProblems(manifests))
            .Concat(OrleansProblems(manifests)).Concat(RolloutProblems(manifests)).Concat(SecretProblems(manifests)).Concat(MosquittoProblems(manifests)).ToList();

        Assert.Contains(problem, problems);
    }

    [GeneratedRegex(@"\b(Edge|Silo|Broker|Security|Audit)__[A-Za-z0-9_]+")]
    private static partial Regex ReadmeVariable();

    /// <summary>Every variable our containers get is read by the host (an options key, a host variable, one of the pod's), and <c>$(X)</c> refers to an earlier variable.</summary>
    private static List<string> EnvironmentProblems(KubernetesManifests manifests)
    {
        var problems = new List<string>();
        foreach (var (workload, container, project) in OurContainers(manifests))
        {
            var declared = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, value, _) in Workload.Environment(container))
            {
                if (!HostConfigurationKeys.IsRead(project, name) && !PodVariables.ContainsKey(name))
                {
                    problems.Add($"{workload.Id} container {Text(container, "name")}: {name} is read by neither {project} nor Orleans' Kubernetes hosting");
                }

                foreach (var reference in VariableReference().Matches(value ?? "").Select(m => m.Groups[1].Value).Where(r => !declared.Contains(r)))
                {
                    problems.Add($"{workload.Id} container {Text(container, "name")}: {name}: $({reference}) refers to no variable declared before it");
                }

                declared.Add(name);
            }
        }

        return problems;
    }

    /// <summary>Secrets, ConfigMaps (with the keys taken and the files named under their mounts), claims, service accounts and roles exist.</summary>
    private static List<string> ReferenceProblems(KubernetesManifests manifests)
    {
        var problems = new List<string>();
        foreach (var workload in manifests.Workloads())
        {
            if (Text(workload.Pod, "serviceAccountName") is { } account && manifests.Find("ServiceAccount", account) is null)
            {
                problems.Add($"{workload.Id}: service account {account} does not exist");
            }

            foreach (var (name, volume) in workload.Volumes)
            {
                if (Text(volume, "secret", "secretName") is { } secret && manifests.SecretKeys(secret) is null)
                {
                    problems.Add($"{workload.Id}: volume {name} mounts Secret {secret}, which neither secrets.example.yaml nor a script of deploy/kubernetes makes");
                }

                if (Text(volume, "configMap", "name") is { } map && manifests.ConfigMapKeys(map) is null)
                {
                    problems.Add($"{workload.Id}: volume {name} mounts ConfigMap {map}, which does not exist");
                }

                if (Text(volume, "persistentVolumeClaim", "claimName") is { } claim && manifests.Find("PersistentVolumeClaim", claim) is null)
                {
                    problems.Add($"{workload.Id}: volume {name} claims {claim}, which does not exist");
                }
            }

            foreach (var container in workload.Containers)
            {
                var at = $"{workload.Id} container {Text(container, "name")}";
                problems.AddRange(Items(container, "volumeMounts").Select(m => Text(m, "name")!).Where(v => !workload.Volumes.ContainsKey(v)).Select(v => $"{at}: mounts {v}, which is no volume of the pod"));
                foreach (var (name, value, from) in Workload.Environment(container))
                {
                    if (Map(from, "secretKeyRef") is { } secretKey && manifests.SecretKeys(Text(secretKey, "name")!) is var keys && keys?.Contains(Text(secretKey, "key")!) != true)
                    {
                        problems.Add(keys is null
                            ? $"{at}: {name} takes Secret {Text(secretKey, "name")}, which neither secrets.example.yaml nor a script of deploy/kubernetes makes"
                            : $"{at}: {name} takes key {Text(secretKey, "key")} of Secret {Text(secretKey, "name")}, which has no such key");
                    }

                    if (Map(from, "configMapKeyRef") is { } mapKey && manifests.ConfigMapKeys(Text(mapKey, "name")!)?.Contains(Text(mapKey, "key")!) != true)
                    {
                        problems.Add($"{at}: {name} takes key {Text(mapKey, "key")} of ConfigMap {Text(mapKey, "name")}, which does not exist");
                    }

                    if (value is not null && value.StartsWith('/') && workload.MountedFile(container, value) is ({ } volume, var file)
                        && Text(volume, "secret", "secretName") is { } secret && manifests.SecretKeys(secret) is { } secretKeys && !secretKeys.Contains(file))
                    {
                        problems.Add($"{at}: {name} names {file} in Secret {secret}, which has no such key");
                    }
                }
            }
        }

        foreach (var binding in manifests.Objects.Where(o => Kind(o) == "RoleBinding"))
        {
            problems.AddRange(Items(binding, "subjects").Where(s => Text(s, "kind") == "ServiceAccount" && manifests.Find("ServiceAccount", Text(s, "name")!) is null)
                .Select(s => $"{Id(binding)}: service account {Text(s, "name")} does not exist"));
            if (manifests.Find(Text(binding, "roleRef", "kind")!, Text(binding, "roleRef", "name")!) is null)
            {
                problems.Add($"{Id(binding)}: role {Text(binding, "roleRef", "name")} does not exist");
            }
        }

        return problems;
    }
}

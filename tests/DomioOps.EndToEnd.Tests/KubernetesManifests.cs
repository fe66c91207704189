using System.Text.RegularExpressions;

using DomioOps.Testing;

using YamlDotNet.RepresentationModel;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// deploy/kubernetes as its kustomization applies it (the objects of its resources, its images), with the Secrets those
/// objects expect to find in the namespace: the ones secrets.example.yaml describes and the one mosquitto-auth.sh makes.
/// Parsed into YAML nodes that a test may change before checking them (to see a check fail).
/// </summary>
internal sealed partial class KubernetesManifests
{
    public static readonly string Root = RepositoryRoot.Find();

    public static readonly string Folder = Path.Combine(Root, "deploy", "kubernetes");

    private KubernetesManifests(YamlMappingNode kustomization, List<YamlMappingNode> objects, List<YamlMappingNode> exampleSecrets, Dictionary<string, HashSet<string>> scriptSecrets, string scripts)
    {
        Kustomization = kustomization;
        Objects = objects;
        ExampleSecrets = exampleSecrets;
        ScriptSecrets = scriptSecrets;
        Scripts = scripts;
    }

    public YamlMappingNode Kustomization { get; }

    /// <summary>Every object of the kustomization's resources.</summary>
    public List<YamlMappingNode> Objects { get; }

    /// <summary>The Secrets of secrets.example.yaml, which the operator fills in and applies once.</summary>
    public List<YamlMappingNode> ExampleSecrets { get; }

    /// <summary>Secrets a script of the folder makes (<c>kubectl create secret generic NAME --from-file=…/KEY</c>), with their keys.</summary>
    public Dictionary<string, HashSet<string>> ScriptSecrets { get; }

    /// <summary>The text of the folder's scripts.</summary>
    public string Scripts { get; }

    public static KubernetesManifests Load()
    {
        var kustomization = (YamlMappingNode)Documents(Path.Combine(Folder, "kustomization.yaml")).Single();
        var objects = Items(kustomization, "resources")
            .Select(r => ((YamlScalarNode)r).Value!)
            .SelectMany(file => Documents(Path.Combine(Folder, file)))
            .Cast<YamlMappingNode>()
            .ToList();
        var secrets = Documents(Path.Combine(Folder, "secrets.example.yaml")).Cast<YamlMappingNode>().ToList();
        var scripts = string.Join("\n", Directory.GetFiles(Folder, "*.sh").Order(StringComparer.Ordinal).Select(File.ReadAllText));
        var made = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var command in CreateSecret().Matches(scripts).Cast<Match>())
        {
            made[command.Groups["name"].Value] = FromFile().Matches(command.Value).Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.Ordinal);
        }

        return new KubernetesManifests(kustomization, objects, secrets, made, scripts);
    }

    public static string Kind(YamlMappingNode o) => Text(o, "kind") ?? "";

    public static string Name(YamlMappingNode o) => Text(o, "metadata", "name") ?? "";

    public static string Id(YamlMappingNode o) => $"{Kind(o)}/{Name(o)}";

    public YamlMappingNode? Find(string kind, string name) => Objects.FirstOrDefault(o => Kind(o) == kind && Name(o) == name);

    /// <summary>The keys of the Secret <paramref name="name"/> the namespace is expected to hold; null when nothing makes it.</summary>
    public HashSet<string>? SecretKeys(string name)
    {
        if (ScriptSecrets.TryGetValue(name, out var made))
        {
            return made;
        }

        var secret = Objects.Concat(ExampleSecrets).FirstOrDefault(o => Kind(o) == "Secret" && Name(o) == name);
        return secret is null ? null : Keys(secret, "stringData").Concat(Keys(secret, "data")).ToHashSet(StringComparer.Ordinal);
    }

    public HashSet<string>? ConfigMapKeys(string name) =>
        Find("ConfigMap", name) is { } map ? Keys(map, "data").ToHashSet(StringComparer.Ordinal) : null;

    /// <summary>The objects that run pods: Deployments, StatefulSets and Jobs.</summary>
    public IEnumerable<Workload> Workloads() =>
        Objects.Where(o => Kind(o) is "Deployment" or "StatefulSet" or "Job").Select(o => new Workload(o));

    /// <summary>The image name the kustomization rewrites (<c>images: - name:</c>) or the image as written.</summary>
    public bool IsKustomizedImage(string image) => Items(Kustomization, "images").Any(i => Text(i, "name") == image && Text(i, "newName") is not null);

    public static YamlNode? Node(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    public static YamlMappingNode? Map(YamlNode? node, params string[] path) => Node(node, path) as YamlMappingNode;

    public static string? Text(YamlNode? node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(YamlNode? node, params string[] path) => Node(node, path) is YamlSequenceNode list ? list.Children : [];

    public static IEnumerable<string> Keys(YamlNode? node, params string[] path) =>
        Map(node, path)?.Children.Keys.Select(k => ((YamlScalarNode)k).Value!) ?? [];

    private static List<YamlNode> Documents(string path)
    {
        using var reader = new StreamReader(path);
        var yaml = new YamlStream();
        yaml.Load(reader);
        return yaml.Documents.Select(d => d.RootNode).ToList();
    }

    [GeneratedRegex(@"create secret generic (?<name>[a-z0-9-]+)[^|]*")]
    private static partial Regex CreateSecret();

    [GeneratedRegex(@"--from-file=""?\$\w+/(?<key>[\w.-]+)")]
    private static partial Regex FromFile();
}

/// <summary>A Deployment, StatefulSet or Job and its pod template.</summary>
internal sealed class Workload(YamlMappingNode o)
{
    public YamlMappingNode Object { get; } = o;

    public string Id => KubernetesManifests.Id(Object);

    public YamlMappingNode Pod => KubernetesManifests.Map(Object, "spec", "template", "spec")!;

    public Dictionary<string, string> PodLabels =>
        KubernetesManifests.Map(Object, "spec", "template", "metadata", "labels")?.Children.ToDictionary(l => ((YamlScalarNode)l.Key).Value!, l => ((YamlScalarNode)l.Value).Value ?? "", StringComparer.Ordinal) ?? [];

    public IEnumerable<YamlMappingNode> Containers => KubernetesManifests.Items(Pod, "containers").Cast<YamlMappingNode>();

    /// <summary>The pod's volumes by name, with the StatefulSet's volume claim templates (as a <c>persistentVolumeClaim</c>).</summary>
    public Dictionary<string, YamlMappingNode> Volumes
    {
        get
        {
            var volumes = KubernetesManifests.Items(Pod, "volumes").Cast<YamlMappingNode>().ToDictionary(v => KubernetesManifests.Text(v, "name")!, StringComparer.Ordinal);
            foreach (var claim in KubernetesManifests.Items(Object, "spec", "volumeClaimTemplates"))
            {
                var name = KubernetesManifests.Text(claim, "metadata", "name")!;
                volumes[name] = new YamlMappingNode(new YamlScalarNode("name"), new YamlScalarNode(name), new YamlScalarNode("persistentVolumeClaim"), new YamlMappingNode());
            }

            return volumes;
        }
    }

    public static List<(string Name, string? Value, YamlMappingNode? From)> Environment(YamlMappingNode container) =>
        [.. KubernetesManifests.Items(container, "env").Select(e => (KubernetesManifests.Text(e, "name")!, KubernetesManifests.Text(e, "value"), KubernetesManifests.Map(e, "valueFrom")))];

    /// <summary>The container's ports by name (and by number, as text).</summary>
    public static Dictionary<string, int> Ports(YamlMappingNode container)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var port in KubernetesManifests.Items(container, "ports"))
        {
            var number = int.Parse(KubernetesManifests.Text(port, "containerPort")!, System.Globalization.CultureInfo.InvariantCulture);
            ports[number.ToString(System.Globalization.CultureInfo.InvariantCulture)] = number;
            if (KubernetesManifests.Text(port, "name") is { } name)
            {
                ports[name] = number;
            }
        }

        return ports;
    }

    /// <summary>The volume mounted at the folder holding <paramref name="path"/>, and the file's name in it; null when none is.</summary>
    public (YamlMappingNode Volume, string File)? MountedFile(YamlMappingNode container, string path)
    {
        foreach (var mount in KubernetesManifests.Items(container, "volumeMounts"))
        {
            var at = KubernetesManifests.Text(mount, "mountPath")!.TrimEnd('/') + "/";
            if (path.StartsWith(at, StringComparison.Ordinal) && Volumes.TryGetValue(KubernetesManifests.Text(mount, "name")!, out var volume))
            {
                return (volume, path[at.Length..]);
            }
        }

        return null;
    }
}

using System.Text.Json;

using Microsoft.Extensions.Configuration.Json;

namespace DomioOps.Edge.Configuration;

/// <summary>
/// One configuration section (e.g. <c>Edge:Devices</c>) as <see cref="IConfiguration"/> presents it: the keys of every
/// provider merged in the providers' order, the last provider that sets a key winning, keys compared ignoring case,
/// a JSON array's items keyed 0, 1, … (so the environment can override <c>ModbusTcp:0:Port</c> of a file's device).
/// </summary>
/// <remarks>
/// Built without <see cref="IConfiguration"/>'s child lookups: each of them scans every key of every provider, so
/// walking a section of n keys costs n², too slow for the device lists of a large plant (start-up figures in
/// benchmarks/README.md, "Start-up and memory with 10,000 tags"). JSON files
/// are read again with System.Text.Json, flattened as <c>JsonConfigurationProvider</c> does; the other providers
/// (environment, command line, in memory: a few keys) are asked for their keys under the section.
/// </remarks>
internal sealed class SectionTree
{
    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private SectionTree(string key, SectionTree? parent) => (Key, Parent) = (key, parent);

    public string Key { get; }

    public SectionTree? Parent { get; }

    public string? Value { get; private set; }

    /// <summary>The provider whose value is in force.</summary>
    public IConfigurationProvider? Source { get; private set; }

    /// <summary>The keys below, in the order they were first set.</summary>
    public IReadOnlyCollection<SectionTree> Children => _children?.Values ?? (IReadOnlyCollection<SectionTree>)[];

    /// <summary>The full key, e.g. <c>Edge:Devices:ModbusTcp:0:Port</c>.</summary>
    public string Path => Parent is null ? Key : ConfigurationPath.Combine(Parent.Path, Key);

    private Dictionary<string, SectionTree>? _children;

    /// <summary>The merged keys of <paramref name="section"/> in <paramref name="configuration"/> (a configuration root).</summary>
    /// <exception cref="JsonException">A JSON configuration file is not valid JSON.</exception>
    public static SectionTree Read(IConfiguration configuration, string section)
    {
        var root = configuration as IConfigurationRoot ?? throw new ArgumentException("a configuration root is needed: its providers are read", nameof(configuration));
        var tree = new SectionTree(section, null);
        var sectionPath = section.Split(ConfigurationPath.KeyDelimiter);
        foreach (var provider in Providers(root))
        {
            if (provider is JsonConfigurationProvider { Source: { FileProvider: { } files, Path: { } path } } json
                && files.GetFileInfo(path) is { PhysicalPath: { } file })
            {
                if (File.Exists(file))
                {
                    using var document = JsonDocument.Parse(File.ReadAllBytes(file), JsonOptions);
                    tree.AddJson(document.RootElement, [], sectionPath, json);
                }
            }
            else
            {
                tree.AddKeys(provider, section);
            }
        }

        return tree;
    }

    /// <summary>The first provider that set a key at or below this one.</summary>
    public IConfigurationProvider? FirstSource() => Source ?? Children.Select(c => c.FirstSource()).FirstOrDefault(s => s is not null);

    private static IEnumerable<IConfigurationProvider> Providers(IConfigurationRoot root) =>
        root.Providers.SelectMany(p => p is ChainedConfigurationProvider { Configuration: IConfigurationRoot chained } ? Providers(chained) : [p]);

    private SectionTree Child(string key)
    {
        _children ??= new(StringComparer.OrdinalIgnoreCase);
        if (!_children.TryGetValue(key, out var child))
        {
            _children[key] = child = new SectionTree(key, this);
        }

        return child;
    }

    private void Set(string? value, IConfigurationProvider provider) => (Value, Source) = (value, provider);

    /// <summary>
    /// Adds what a JSON file sets below <paramref name="path"/> (the element's key, split at ':'), as
    /// <c>JsonConfigurationFileParser</c> flattens it: values as their text, true/false as True/False, an empty array
    /// as "", an empty object and null as null. Only the part inside the section is visited.
    /// </summary>
    private void AddJson(JsonElement element, List<string> path, string[] section, IConfigurationProvider provider)
    {
        if (path.Count < section.Length)
        {
            // Still above the section: follow only the properties that lead into it.
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    var segments = property.Name.Split(ConfigurationPath.KeyDelimiter);
                    var leads = true;
                    for (var i = 0; i < segments.Length && path.Count + i < section.Length; i++)
                    {
                        leads &= segments[i].Equals(section[path.Count + i], StringComparison.OrdinalIgnoreCase);
                    }

                    if (leads)
                    {
                        path.AddRange(segments);
                        AddJson(property.Value, path, section, provider);
                        path.RemoveRange(path.Count - segments.Length, segments.Length);
                    }
                }
            }

            return;
        }

        var node = this;
        for (var i = section.Length; i < path.Count; i++)
        {
            node = node.Child(path[i]);
        }

        node.AddJsonValue(element, provider);
    }

    private void AddJsonValue(JsonElement element, IConfigurationProvider provider)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var any = false;
                foreach (var property in element.EnumerateObject())
                {
                    var node = this;
                    foreach (var segment in property.Name.Split(ConfigurationPath.KeyDelimiter))
                    {
                        node = node.Child(segment);
                    }

                    node.AddJsonValue(property.Value, provider);
                    any = true;
                }

                if (!any)
                {
                    Set(null, provider);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Child(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).AddJsonValue(item, provider);
                    index++;
                }

                if (index == 0)
                {
                    Set("", provider);
                }

                break;
            case JsonValueKind.String:
                Set(element.GetString(), provider);
                break;
            case JsonValueKind.Null:
                Set(null, provider);
                break;
            default:
                Set(element.ToString(), provider);
                break;
        }
    }

    /// <summary>Adds what a provider other than a JSON file sets below <paramref name="path"/>, asking it key by key.</summary>
    private void AddKeys(IConfigurationProvider provider, string path)
    {
        foreach (var key in provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var childPath = ConfigurationPath.Combine(path, key);
            var child = Child(key);
            if (provider.TryGet(childPath, out var value))
            {
                child.Set(value, provider);
            }

            child.AddKeys(provider, childPath);
        }
    }
}

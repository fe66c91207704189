using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

using DomioOps.Cloud.Resources;
using DomioOps.Cloud.Security;
using DomioOps.Testing;

namespace DomioOps.Cloud.Tests.Components;

/// <summary>The web application's words: every key in English and in Russian, and every key the pages use exists.</summary>
public sealed partial class UiResourcesTests
{
    private static readonly ResourceManager Resources = new(typeof(Ui));

    [Fact]
    public void Resources_EveryKey_HasEnglishAndRussian()
    {
        var english = Entries(CultureInfo.InvariantCulture);
        var russian = Entries(CultureInfo.GetCultureInfo("ru"));
        Assert.NotEmpty(english);
        Assert.Equal([], english.Keys.Except(russian.Keys).Order());
        Assert.Equal([], russian.Keys.Except(english.Keys).Order());
        Assert.Equal([], english.Concat(russian).Where(e => string.IsNullOrWhiteSpace(e.Value)).Select(e => e.Key).Order());
    }

    [Fact]
    public void Resources_PlaceholdersOfAKey_AreTheSameInBothLanguages()
    {
        var english = Entries(CultureInfo.InvariantCulture);
        var russian = Entries(CultureInfo.GetCultureInfo("ru"));
        var differing = english.Keys.Intersect(russian.Keys)
            .Where(key => !Placeholders(english[key]).SequenceEqual(Placeholders(russian[key])))
            .Order();
        Assert.Equal([], differing);
    }

    [Fact]
    public void Pages_EveryKeyTheyUse_IsInTheResources()
    {
        var english = Entries(CultureInfo.InvariantCulture);
        var project = Path.Combine(RepositoryRoot.Find(), "cloud", "DomioOps.Cloud");
        var used = Directory.EnumerateFiles(project, "*.razor", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Key().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .Distinct()
            .ToList();
        Assert.NotEmpty(used);
        Assert.Equal([], used.Where(k => !english.ContainsKey(k)).Order());
        // Keys made up at run time: one per reason an account operation is refused.
        Assert.Equal([], Enum.GetNames<AccountError>().Select(e => "Account.Error." + e).Where(k => !english.ContainsKey(k)));
        // One per reason an edge change is refused, and one per connection filter of the edges list.
        Assert.Equal([], Enum.GetNames<DomioOps.Cloud.Ingestion.EdgeChangeError>().Select(e => "Edges.Error." + e).Where(k => !english.ContainsKey(k)));
        Assert.Equal([], Enum.GetNames<DomioOps.Cloud.Ingestion.EdgeStatusFilter>().Select(e => "Edges.Filter." + e).Where(k => !english.ContainsKey(k)));
        // One per reason a work centre change is refused, and one per kind of work centre.
        Assert.Equal([], Enum.GetNames<DomioOps.Cloud.Production.WorkCentreProblemCode>().Select(e => "WorkCentres.Error." + e).Where(k => !english.ContainsKey(k)));
        Assert.Equal([], Enum.GetNames<DomioOps.Cloud.Production.WorkCentreKind>().Select(e => "WorkCentres.Kind." + e).Where(k => !english.ContainsKey(k)));
    }

    private static Dictionary<string, string> Entries(CultureInfo culture)
    {
        // The manager caches its sets: not disposed here.
        var set = Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No resources for '{culture.Name}'");
        return set.Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => e.Value as string ?? "", StringComparer.Ordinal);
    }

    private static IEnumerable<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Value).Order();

    [GeneratedRegex(@"\bT\[""(?<key>[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9])""")]
    private static partial Regex Key();

    [GeneratedRegex(@"\{\d+[^}]*\}")]
    private static partial Regex Placeholder();
}

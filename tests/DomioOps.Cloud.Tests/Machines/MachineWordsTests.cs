using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Resources;
using DomioOps.Models.Wire;
using DomioOps.Testing;

namespace DomioOps.Cloud.Tests.Machines;

/// <summary>
/// The words of a machine's page that are made up at run time (a signal's name, its unit, a state, a mode) and those its
/// code names outside <c>T["…"]</c>: each is a resource in English and in Russian.
/// </summary>
public sealed partial class MachineWordsTests
{
    private static readonly ResourceManager Resources = new(typeof(Ui));

    [Fact]
    public void SignalUnits_EverySignal_HasANameAndItsUnitInBothLanguages()
    {
        var keys = SignalUnits.All.Select(SignalUnits.NameKey)
            .Concat(SignalUnits.All.Select(s => SignalUnits.Of(s).Unit).OfType<string>().Distinct().Select(SignalUnits.UnitKey))
            .Concat(Enum.GetNames<DomioOps.Models.Wire.MachineState>().Select(s => "Machine.State." + s))
            .Concat(Enumerable.Range(0, 6).Select(m => $"Machine.Mode.{m}"))
            .Concat(Enumerable.Range(0, 4).Select(t => $"Machine.Trimming.{t}"))
            .ToList();

        Assert.Equal(29 + 13 + 5 + 6 + 4, keys.Count);
        AssertInBothLanguages(keys);
    }

    [Fact]
    public void Pages_KeysNamedInCode_AreInBothLanguages()
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "cloud", "DomioOps.Cloud", "Machines", "Pages");
        var keys = Directory.EnumerateFiles(folder)
            .SelectMany(f => Key().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .Distinct()
            .ToList();

        Assert.Contains("Machine.Trend.EightHours", keys);
        Assert.Contains("Machine.Alarms.Week", keys);
        AssertInBothLanguages(keys);
    }

    [Fact]
    public void SignalUnits_Numbers_FollowTheCultureWithTheSignalsDecimals()
    {
        Assert.Equal("1,234.6", SignalUnits.Number(Signal.Energy, 1234.56, CultureInfo.GetCultureInfo("en")));
        Assert.Equal("1\u00a0234,6", SignalUnits.Number(Signal.Energy, 1234.56, CultureInfo.GetCultureInfo("ru")));
        Assert.Equal("42", SignalUnits.Number(Signal.PieceCounter, 42, CultureInfo.GetCultureInfo("en")));
        Assert.Equal((Signal?)Signal.PieceCounter, SignalUnits.Parse("PieceCounter"));
        Assert.Null(SignalUnits.Parse("3"));
        Assert.Null(SignalUnits.Parse("Unspecified"));
    }

    private static void AssertInBothLanguages(IEnumerable<string> keys)
    {
        var english = Resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!;
        var russian = Resources.GetResourceSet(CultureInfo.GetCultureInfo("ru"), createIfNotExists: true, tryParents: false)!;
        Assert.Equal([], keys.Where(k => string.IsNullOrWhiteSpace(english.GetString(k)) || string.IsNullOrWhiteSpace(russian.GetString(k))).Order());
    }

    // A key in a string of the code: "Machine." then a name that does not end in a dot (a prefix the code completes).
    [GeneratedRegex(@"""(?<key>Machine\.[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9])""")]
    private static partial Regex Key();
}

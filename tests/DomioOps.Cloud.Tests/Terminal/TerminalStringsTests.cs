using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

using DomioOps.Cloud.Tests.Security;
using DomioOps.Testing;

namespace DomioOps.Cloud.Tests.Terminal;

/// <summary>The terminal's words: served from the resources in English and Russian, with every key its scripts use.</summary>
[Collection(SecureCloudGroup.Name)]
public sealed partial class TerminalStringsTests(SecureCloud cloud)
{
    /// <summary>Keys the scripts make at run time from a prefix and a value of the host's (states, reasons, kinds).</summary>
    private static readonly string[] MadeKeys =
    [
        "ActionKind.start", "ActionKind.pause", "ActionKind.report", "ActionKind.finish", "ActionKind.stop-reason",
        "Count.planned", "Count.good", "Count.scrap", "Count.remaining", "Count.counted", "Count.run-time",
        "Grain.None", "Grain.Length", "Grain.Width",
        "MachineState.Working", "MachineState.Ready", "MachineState.Standby", "MachineState.Error", "MachineState.Offline",
        "OperationState.Planned", "OperationState.Ready", "OperationState.Running", "OperationState.Paused", "OperationState.Done",
        "ScrapReason.chipped", "ScrapReason.wrong-size", "ScrapReason.damaged", "ScrapReason.material-defect", "ScrapReason.machine-fault", "ScrapReason.other",
        "StopReason.material-missing", "StopReason.setup", "StopReason.breakdown", "StopReason.no-operator", "StopReason.break", "StopReason.maintenance", "StopReason.other",
    ];

    [Fact]
    public async Task Strings_EnglishAndRussian_HoldEveryKeyTheTerminalUses()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = cloud.Client();
        var english = await client.GetFromJsonAsync<Dictionary<string, string>>("terminal/strings/en.json", ct);
        var russian = await client.GetFromJsonAsync<Dictionary<string, string>>("terminal/strings/ru.json", ct);
        Assert.NotNull(english);
        Assert.NotNull(russian);
        Assert.Equal("DomioOps terminal", english["Title"]);
        Assert.Equal("Терминал DomioOps", russian["Title"]);
        Assert.Equal(english.Keys.Order(), russian.Keys.Order());

        var sources = Path.Combine(RepositoryRoot.Find(), "cloud", "DomioOps.Cloud", "Frontend", "src");
        var used = Directory.EnumerateFiles(Path.Combine(sources, "terminal"), "*.js").Append(Path.Combine(sources, "terminal.js"))
            .SelectMany(f => Key().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .Concat(MadeKeys)
            .Distinct()
            .ToList();
        Assert.True(used.Count > 50, $"only {used.Count} keys found in the scripts");
        Assert.Equal([], used.Where(k => !english.ContainsKey(k)).Order());
    }

    [Fact]
    public async Task Strings_OtherLanguage_IsNotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = cloud.Client();
        using var response = await client.GetAsync(new Uri("terminal/strings/de.json", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Shell_FolderAddress_IsTheApplicationAndTheBareAddressSendsThere()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = cloud.Client();
        using (var bare = await client.GetAsync(new Uri("terminal", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal("/terminal/", bare.Headers.Location?.OriginalString);
        }

        using var shell = await client.GetAsync(new Uri("terminal/", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, shell.StatusCode);
        Assert.Equal("text/html", shell.Content.Headers.ContentType?.MediaType);
        var html = await shell.Content.ReadAsStringAsync(ct);
        Assert.Contains("<link rel=\"manifest\" href=\"/terminal/manifest.webmanifest\">", html, StringComparison.Ordinal);
        Assert.Contains("/dist/terminal.js", html, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\bt\('(?<key>[A-Za-z][A-Za-z0-9.\-]*)'")]
    private static partial Regex Key();
}

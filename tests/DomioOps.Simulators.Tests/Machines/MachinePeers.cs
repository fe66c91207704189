using System.Globalization;
using System.Text.RegularExpressions;

using DomioOps.Testing;

namespace DomioOps.Simulators.Tests.Machines;

/// <summary>The independent peers that read the simulated machines: mbpoll and the node-opcua client.</summary>
internal static partial class MachinePeers
{
    public static string NodeOpcUaFolder => Path.Combine(RepositoryRoot.Find(), "tests", "DomioOps.Simulators.Tests", "Peers", "node-opcua");

    /// <summary>Runs mbpoll once and returns the registers it printed, by one-based reference.</summary>
    public static async Task<Dictionary<int, string>> MbpollAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var output = await PeerProcess.RunAsync("mbpoll", arguments, null, TimeSpan.FromSeconds(20), cancellationToken);
        var values = Register().Matches(output).ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => m.Groups[2].Value);
        Assert.True(values.Count > 0, $"mbpoll printed no register:\n{output}");
        return values;
    }

    [GeneratedRegex(@"^\[(\d+)\]:\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Register();
}

using System.Globalization;

namespace DomioOps.Cloud.Maintenance;

/// <summary><c>--name value</c> pairs of a command line; an unknown or repeated name, or a name without value, is an error.</summary>
internal sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values;

    private CommandOptions(Dictionary<string, string> values) => _values = values;

    public static CommandOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'{(i + 1 >= args.Count ? " with no value" : "")}.");
            }

            if (!values.TryAdd(args[i][2..], args[i + 1]))
            {
                throw new ArgumentException($"{args[i]} given twice.");
            }
        }

        return new CommandOptions(values);
    }

    public string Required(string name) =>
        _values.Remove(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    public string? Optional(string name) => _values.Remove(name, out var value) ? value : null;

    public int Integer(string name, int fallback, int minimum) => Optional(name) switch
    {
        null => fallback,
        var text when int.TryParse(text, CultureInfo.InvariantCulture, out var number) && number >= minimum => number,
        var text => throw new ArgumentException($"--{name} must be a whole number of at least {minimum}; got '{text}'."),
    };

    /// <summary>Throws when an option was given that the command did not read.</summary>
    public void NoneLeft()
    {
        if (_values.Count > 0)
        {
            throw new ArgumentException($"unknown option{(_values.Count > 1 ? "s" : "")} {string.Join(", ", _values.Keys.Select(k => "--" + k))}.");
        }
    }
}

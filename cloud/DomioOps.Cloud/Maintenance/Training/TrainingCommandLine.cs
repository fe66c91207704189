using System.Globalization;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// The options of the training commands (<c>--class</c>, <c>--from</c>, …) apart from the configuration they take as
/// the cloud's other commands do (<c>--Silo:ConnectionString=…</c>, environment, appsettings.json).
/// </summary>
internal sealed class TrainingCommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    private TrainingCommandLine(List<string> positional, string[] configuration, IConfiguration settings)
    {
        Positional = positional;
        Configuration = configuration;
        Settings = settings;
    }

    public IReadOnlyList<string> Positional { get; }

    public string[] Configuration { get; }

    public IConfiguration Settings { get; }

    /// <summary>Splits <paramref name="args"/>: <paramref name="known"/> options with their values, positional words, and the rest (configuration).</summary>
    public static TrainingCommandLine Parse(string[] args, params string[] known)
    {
        var positional = new List<string>();
        var configuration = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (known.Contains(args[i]) && i + 1 < args.Length)
            {
                options[args[i]] = args[++i];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                configuration.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    configuration.Add(args[++i]);
                }
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        var settings = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. configuration])
            .Build();
        var line = new TrainingCommandLine(positional, [.. configuration], settings);
        foreach (var (key, value) in options)
        {
            line._options[key] = value;
        }

        return line;
    }

    public string? this[string option] => _options.GetValueOrDefault(option);

    /// <summary>The data source of Silo:ConnectionString, or null after saying on standard error what is missing.</summary>
    public NpgsqlDataSource? DataSource(string command, bool owner = false) =>
        ConnectionString(command, owner) is { } connectionString ? NpgsqlDataSource.Create(connectionString) : null;

    /// <summary>Silo:ConnectionString (with <paramref name="owner"/>: Silo:MigrationConnectionString first), or null after saying what is missing.</summary>
    public string? ConnectionString(string command, bool owner = false)
    {
        var silo = Settings.GetSection(Cluster.SiloOptions.Section).Get<Cluster.SiloOptions>() ?? new Cluster.SiloOptions();
        var connectionString = owner && !string.IsNullOrWhiteSpace(silo.MigrationConnectionString) ? silo.MigrationConnectionString : silo.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine($"{command}: Silo:ConnectionString is required (e.g. --Silo:ConnectionString=\"Host=…;Database=…;Username=…\"): the Npgsql connection string of the cloud's database.");
            return null;
        }

        // A year of rollups takes minutes to copy, read and analyse: no command timeout for these batch commands.
        return new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString;
    }

    public MachineClass? Class(string command)
    {
        if (this["--class"] is { } name && MachineClasses.TryParse(name, out var c))
        {
            return c;
        }

        Console.Error.WriteLine($"{command}: --class must be one of {string.Join(", ", MachineClasses.All.Select(MachineClasses.Name))}.");
        return null;
    }

    public DateTimeOffset? Time(string command, string option)
    {
        if (this[option] is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        Console.Error.WriteLine($"{command}: {option} needs a time, e.g. 2026-01-05T00:00:00Z.");
        return null;
    }

    /// <summary>A duration as 12h, 90m, 2d or a TimeSpan (12:00:00).</summary>
    public static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length > 1 && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            duration = text[^1] switch
            {
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => default,
            };
            return duration > TimeSpan.Zero;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }
}

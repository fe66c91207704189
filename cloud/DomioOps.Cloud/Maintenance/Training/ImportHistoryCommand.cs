using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using DomioOps.Cloud.Storage;

using Microsoft.Extensions.Logging.Abstractions;

using Npgsql;

namespace DomioOps.Cloud.Maintenance.Training;

/// <summary>
/// <c>maintenance import-history DIR</c>: loads a simulated history (the simulators' <c>history</c> command: history.json
/// and one rollup CSV per machine) into telemetry_rollup_minute. Migrates the database first, creates the day partitions
/// of the span, then per machine, in one transaction, deletes its rows of the span and COPYs its file, so a second
/// import of the same directory replaces the first.
/// </summary>
internal static class ImportHistoryCommand
{
    private const string Command = "maintenance import-history";

    public static async Task<int> RunAsync(string[] args)
    {
        var line = TrainingCommandLine.Parse(args);
        if (line.Positional is not [var directory] || !File.Exists(Path.Combine(directory, ManifestFile)))
        {
            Console.Error.WriteLine($"usage: {Command} DIR --Silo:ConnectionString=… (DIR: the output of the simulators' history command, with {ManifestFile})");
            return 2;
        }

        if (line.ConnectionString(Command, owner: true) is not { } connectionString)
        {
            return 2;
        }

        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var manifest = ReadManifest(directory);
            await new PostgresSchema(connectionString, NullLogger<PostgresSchema>.Instance) { MigratesAsApplication = true }.ApplyAsync(CancellationToken.None);
            var rows = await ImportAsync(dataSource, directory, manifest, Console.WriteLine, CancellationToken.None);
            Console.WriteLine($"{Command}: {rows:N0} rollup rows of {manifest.Machines.Count} machines imported ({manifest.From:u} – {manifest.To:u}, seed {manifest.Seed})");
            return 0;
        }
    }

    public const string ManifestFile = "history.json";

    /// <summary>DIR/history.json.</summary>
    internal static Manifest ReadManifest(string directory) =>
        JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(directory, ManifestFile)), ManifestJson.Options)
        ?? throw new InvalidDataException($"{Path.Combine(directory, ManifestFile)} is empty.");

    /// <summary>Imports every machine of <paramref name="manifest"/>; returns the rows copied.</summary>
    internal static async Task<long> ImportAsync(NpgsqlDataSource dataSource, string directory, Manifest manifest, Action<string> progress, CancellationToken ct)
    {
        await using (var partitions = dataSource.CreateCommand(
            "SELECT telemetry_history_partition('telemetry_rollup_minute', @from + i) FROM generate_series(0, @days) AS i"))
        {
            var first = DateOnly.FromDateTime(manifest.From.UtcDateTime);
            partitions.Parameters.AddWithValue("from", first);
            partitions.Parameters.AddWithValue("days", DateOnly.FromDateTime(manifest.To.UtcDateTime).DayNumber - first.DayNumber);
            await partitions.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        long total = 0;
        foreach (var machine in manifest.Machines)
        {
            var stopwatch = Stopwatch.StartNew();
            await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var delete = new NpgsqlCommand("DELETE FROM telemetry_rollup_minute WHERE machine = @machine AND minute >= @from AND minute < @to", connection, transaction))
            {
                delete.Parameters.AddWithValue("machine", machine.Id);
                delete.Parameters.AddWithValue("from", manifest.From);
                delete.Parameters.AddWithValue("to", manifest.To);
                await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            long rows = 0;
            using (var file = new StreamReader(Path.Combine(directory, machine.File)))
            {
                var header = await file.ReadLineAsync(ct).ConfigureAwait(false);
                if (header != "minute,machine,signal,min,max,sum,count,last,last_ts,last_sequence")
                {
                    throw new InvalidDataException($"{machine.File}: the first line is not the rollup header of the simulators' history command.");
                }

                await using var copy = await connection.BeginTextImportAsync(
                    "COPY telemetry_rollup_minute (minute, machine, signal, min, max, sum, count, last, last_ts, last_sequence) FROM STDIN (FORMAT csv)", ct).ConfigureAwait(false);
                while (await file.ReadLineAsync(ct).ConfigureAwait(false) is { } row)
                {
                    await copy.WriteLineAsync(row.AsMemory(), ct).ConfigureAwait(false);
                    if (++rows % 2_000_000 == 0)
                    {
                        progress(string.Create(CultureInfo.InvariantCulture, $"{Command}: {machine.Id}: {rows:N0} rows, {rows / stopwatch.Elapsed.TotalSeconds:N0} rows/s"));
                    }
                }
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            total += rows;
            progress(string.Create(CultureInfo.InvariantCulture, $"{Command}: {machine.Id} ({machine.Kind}): {rows:N0} rows in {stopwatch.Elapsed.TotalSeconds:F1} s"));
        }

        await using (var analyze = dataSource.CreateCommand("ANALYZE telemetry_rollup_minute"))
        {
            await analyze.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return total;
    }

    /// <summary>history.json as the simulators write it.</summary>
    internal sealed record Manifest(int Seed, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ManifestMachine> Machines);

    internal sealed record ManifestMachine(string Id, string Kind, string File);

    private static class ManifestJson
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    }
}

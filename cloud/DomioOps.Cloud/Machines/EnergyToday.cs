using System.Collections.Concurrent;

using DomioOps.Cloud.History;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Machines;

/// <summary>
/// Energy today of the meters: the Energy counter now minus its reading at the plant's midnight. The readings at midnight
/// come from the history in one round trip for any number of meters: per meter, the last value of its last minute rollup
/// before midnight (a backward probe of the rollups' primary key), else, for a meter first heard today, its first sample
/// since midnight (a probe of the samples' index). Readings are reused for <see cref="ReuseFor"/>, so boards opened
/// together ask once.
/// </summary>
internal sealed class EnergyToday(HistoryDatabase database)
{
    /// <summary>How far before midnight a reading is looked for: a meter silent for longer counts from its first sample of the day.</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromDays(7);

    /// <summary>Short: an edge replaying its backlog may still bring samples from before midnight.</summary>
    public static readonly TimeSpan ReuseFor = TimeSpan.FromMinutes(1);

    private const string ReadingsAt = """
        SELECT m.machine, coalesce(
            (SELECT r.last FROM telemetry_rollup_minute r
             WHERE r.machine = m.machine AND r.signal = @signal AND r.minute >= @since AND r.minute < @midnight
             ORDER BY r.minute DESC LIMIT 1),
            (SELECT s.number FROM telemetry_sample s
             WHERE s.machine = m.machine AND s.signal = @signal AND s.ts >= @midnight AND s.ts < @until AND s.number IS NOT NULL
             ORDER BY s.ts, s.sequence LIMIT 1))
        FROM unnest(@machines) AS m(machine)
        """;

    private readonly ConcurrentDictionary<string, Reading> _recent = new(StringComparer.Ordinal);

    /// <summary>
    /// The energy since midnight from the counter now and its reading at midnight; a counter below its midnight reading was
    /// reset since (a meter replaced, a register rolled over) and counts from zero, as the cloud's piece counters do. Null
    /// when either is unknown.
    /// </summary>
    public static double? Since(double? counter, double? atMidnight) =>
        (counter, atMidnight) switch
        {
            ({ } now, { } then) => now >= then ? now - then : now,
            _ => null,
        };

    /// <summary>
    /// The start of the plant's day that holds <paramref name="now"/>: its local midnight, or, on a day whose clocks skip
    /// midnight (daylight saving starting at 00:00), the moment they resume; of a midnight that happens twice, the first.
    /// </summary>
    public static DateTimeOffset Midnight(DateTimeOffset now, TimeZoneInfo zone)
    {
        var start = TimeZoneInfo.ConvertTime(now, zone).Date;
        while (zone.IsInvalidTime(start))
        {
            start = start.AddMinutes(15);
        }

        var offset = zone.IsAmbiguousTime(start) ? zone.GetAmbiguousTimeOffsets(start).Max() : zone.GetUtcOffset(start);
        return new DateTimeOffset(start, offset);
    }

    /// <summary>The Energy counter of each of <paramref name="meters"/> at <paramref name="midnight"/>; a meter of which the history knows nothing is absent.</summary>
    public async Task<IReadOnlyDictionary<string, double>> ReadingsAtAsync(
        IReadOnlyCollection<string> meters, DateTimeOffset midnight, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var readings = new Dictionary<string, double>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var meter in meters)
        {
            if (_recent.TryGetValue(meter, out var reading) && reading.Midnight == midnight && now - reading.ReadAt < ReuseFor)
            {
                readings[meter] = reading.Value;
            }
            else
            {
                unknown.Add(meter);
            }
        }

        if (unknown.Count > 0)
        {
            foreach (var (meter, value) in await ReadAsync(unknown, midnight, cancellationToken).ConfigureAwait(false))
            {
                readings[meter] = value;
                _recent[meter] = new Reading(midnight, value, now);
            }
        }

        return readings;
    }

    /// <summary>The query itself, without reuse.</summary>
    internal async Task<Dictionary<string, double>> ReadAsync(IReadOnlyCollection<string> meters, DateTimeOffset midnight, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(ReadingsAt);
        command.Parameters.AddWithValue("machines", meters.ToArray());
        command.Parameters.AddWithValue("signal", (short)Signal.Energy);
        command.Parameters.AddWithValue("since", (midnight - Lookback).UtcDateTime);
        command.Parameters.AddWithValue("midnight", midnight.UtcDateTime);
        // The first sample of the day is looked for within the day (bounding the partitions scanned), with room for a long
        // day of daylight saving and an edge whose clock runs ahead.
        command.Parameters.AddWithValue("until", (midnight + TimeSpan.FromDays(2)).UtcDateTime);
        var readings = new Dictionary<string, double>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!reader.IsDBNull(1))
            {
                readings[reader.GetString(0)] = reader.GetDouble(1);
            }
        }

        return readings;
    }

    private sealed record Reading(DateTimeOffset Midnight, double Value, DateTimeOffset ReadAt);
}

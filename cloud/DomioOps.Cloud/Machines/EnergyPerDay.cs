using DomioOps.Cloud.History;
using DomioOps.Models.Wire;

namespace DomioOps.Cloud.Machines;

/// <summary>The energy a meter counted on one local day; null when the history has no reading of that day.</summary>
public sealed record DailyEnergy(DateOnly Day, double? KilowattHours);

/// <summary>
/// Energy per day from a meter's Energy signal, a cumulative kWh counter, read from the per-minute rollups (a week is
/// 10 080 rows whatever the meter's sample rate). A day's energy is what the counter rose from the last reading before
/// the day to the day's last reading (the first day the meter has no reading before: from its first reading); where the
/// counter falls (reset, rollover, a new meter) it counts from zero again, so a reset never makes a day negative.
/// </summary>
internal sealed class EnergyPerDay(HistoryDatabase database, ShiftCalendar calendar)
{
    // Each minute's last reading against the minute before's (the one before the range too): a rise counts whole, a
    // fall counts as a restart from zero. width_bucket puts a minute in the day whose start it is at or after.
    private const string Query = """
        WITH readings AS (
            (SELECT minute, last FROM telemetry_rollup_minute
             WHERE machine = @machine AND signal = @signal AND minute < @from
             ORDER BY minute DESC
             LIMIT 1)
            UNION ALL
            SELECT minute, last FROM telemetry_rollup_minute
            WHERE machine = @machine AND signal = @signal AND minute >= @from AND minute < @to
        ), steps AS (
            SELECT minute, last, last - lag(last) OVER (ORDER BY minute) AS rise FROM readings
        )
        SELECT width_bucket(minute, @starts), sum(CASE WHEN rise >= 0 THEN rise ELSE last END) FILTER (WHERE rise IS NOT NULL)
        FROM steps
        WHERE minute >= @from
        GROUP BY 1
        ORDER BY 1
        """;

    /// <summary>The energy of each of <paramref name="days"/> (consecutive local days, oldest first) counted by <paramref name="meter"/>.</summary>
    public async Task<IReadOnlyList<DailyEnergy>> ReadAsync(string meter, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken)
    {
        if (days.Count == 0)
        {
            return [];
        }

        // The start of each day and the end of the last: the thresholds of width_bucket.
        var starts = days.Select(day => calendar.Day(day).From.UtcDateTime).Append(calendar.Day(days[^1]).To.UtcDateTime).ToArray();
        await using var command = database.DataSource.CreateCommand(Query);
        command.Parameters.AddWithValue("machine", meter);
        command.Parameters.AddWithValue("signal", (short)Signal.Energy);
        command.Parameters.AddWithValue("from", starts[0]);
        command.Parameters.AddWithValue("to", starts[^1]);
        command.Parameters.AddWithValue("starts", starts);
        var energy = new double?[days.Count];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var bucket = reader.GetInt32(0);
            if (bucket >= 1 && bucket <= days.Count && !reader.IsDBNull(1))
            {
                energy[bucket - 1] = reader.GetDouble(1);
            }
        }

        return [.. days.Select((day, i) => new DailyEnergy(day, energy[i]))];
    }
}

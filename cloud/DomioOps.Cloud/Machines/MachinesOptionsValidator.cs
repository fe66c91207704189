using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Machines;

/// <summary>What data annotations cannot say, each error naming its key and what a right value looks like.</summary>
internal sealed class MachinesOptionsValidator : IValidateOptions<MachinesOptions>
{
    public ValidateOptionsResult Validate(string? name, MachinesOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _))
        {
            failures.Add($"Machines:TimeZone '{options.TimeZone}' is not a time zone this host knows: name one of the IANA time zone database, e.g. Europe/Moscow, or leave it empty for the host's own.");
        }

        var seen = new Dictionary<TimeOnly, int>();
        for (var i = 0; i < options.ShiftStarts.Count; i++)
        {
            var text = options.ShiftStarts[i];
            if (!ShiftCalendar.TryParseStart(text, out var start))
            {
                failures.Add($"Machines:ShiftStarts:{i} must be a local time of day as HH:mm, such as 06:00 or 14:00; got '{text}'.");
            }
            else if (seen.TryGetValue(start, out var first))
            {
                failures.Add($"Machines:ShiftStarts:{i} repeats {text} (Machines:ShiftStarts:{first}): each shift starts at its own time.");
            }
            else
            {
                seen[start] = i;
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using System.Globalization;

using DomioOps.Models;
using DomioOps.Models.Wire;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.History;

internal static class HistoryApi
{
    public const int DefaultPoints = 500;

    /// <summary>
    /// <c>GET /api/machines/{id}/history?signal=PieceCounter&amp;from=…&amp;to=…&amp;points=500</c>: one signal over
    /// [from, to) (ISO 8601; default the last hour) in at most <c>points</c> points.
    /// </summary>
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/machines/{id}/history", ReadAsync).WithTags("Machines", "History").RequireAuthorization(Security.SecurityPolicies.ShopFloor);
        return app;
    }

    internal static async Task<IResult> ReadAsync(
        string id,
        string? signal,
        string? from,
        string? to,
        string? points,
        HistoryQuery history,
        IOptions<HistoryOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!EdgeTopics.IsValidId(id))
        {
            errors["id"] = [$"'{id}' is not a machine id (1-64 of A-Z a-z 0-9 - _ .)."];
        }

        Signal parsedSignal = default;
        if (string.IsNullOrEmpty(signal))
        {
            errors["signal"] = ["signal is required, e.g. signal=PieceCounter."];
        }
        else if (!Enum.TryParse(signal, ignoreCase: true, out parsedSignal) || !Enum.IsDefined(parsedSignal) || parsedSignal == Signal.Unspecified || char.IsAsciiDigit(signal[0]))
        {
            errors["signal"] = [$"'{signal}' is not a signal; one of {string.Join(", ", Enum.GetNames<Signal>().Where(n => n != nameof(Signal.Unspecified)))}."];
        }

        var now = time.GetUtcNow();
        var end = ParseTime(to, "to", now, errors);
        var start = ParseTime(from, "from", (end ?? now) - TimeSpan.FromHours(1), errors);
        if (start is { } s && end is { } e && !errors.ContainsKey("from") && !errors.ContainsKey("to"))
        {
            if (e <= s)
            {
                errors["to"] = [$"to ({e:O}) must be after from ({s:O})."];
            }
            else if (e - s > options.Value.MaxQueryRange)
            {
                errors["to"] = [$"The range from {s:O} to {e:O} is longer than the {options.Value.MaxQueryRange.TotalDays:0.##} days a query may span."];
            }
        }

        var count = DefaultPoints;
        if (points is not null && (!int.TryParse(points, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > options.Value.MaxPoints))
        {
            errors["points"] = [$"points must be a whole number from 1 to {options.Value.MaxPoints}; got '{points}'."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The history query is not valid.");
        }

        return TypedResults.Ok(await history.ReadAsync(id, parsedSignal, start!.Value, end!.Value, count, cancellationToken));
    }

    private static DateTimeOffset? ParseTime(string? value, string name, DateTimeOffset fallback, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return fallback;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        errors[name] = [$"{name} must be an ISO 8601 time such as 2026-11-25T12:00:00Z; got '{value}'."];
        return null;
    }
}

using System.Globalization;


using DomioOps.Cloud.Components;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;


namespace DomioOps.Cloud.Oee;

/// <summary>
/// <c>/api/oee</c>: OEE rows per machine, work centre or order and per shift, day or week; the downtime Pareto; scrap by
/// reason; a work centre's shift report; the rows as CSV or XLSX. Every person reads them (policy Production).
/// </summary>
internal static class OeeApi
{
    public static IEndpointRouteBuilder MapOeeApi(this IEndpointRouteBuilder app)
    {
        var oee = app.MapGroup("/api/oee").WithTags("OEE").RequireAuthorization(SecurityPolicies.Production);
        oee.MapGet("/", async Task<Results<Ok<IReadOnlyList<OeeRow>>, ProblemHttpResult>> (OeeQuery query, IOptions<OeeOptions> options, TimeProvider time,
            string? scope, string? period, DateTimeOffset? from, DateTimeOffset? to, string? key, CancellationToken ct) =>
            Parse(scope, period, from, to, options.Value, time) is { } request
                ? TypedResults.Ok(await query.RowsAsync(request.Scope, request.Period, request.From, request.To, key, ct))
                : Bad(scope, period, from, to, options.Value, time));
        oee.MapGet("/downtime", async Task<Results<Ok<IReadOnlyList<DowntimeLoss>>, ProblemHttpResult>> (OeeQuery query, IOptions<OeeOptions> options, TimeProvider time,
            DateTimeOffset? from, DateTimeOffset? to, string? workCentre, CancellationToken ct) =>
            Range(from, to, options.Value, time) is { } range
                ? TypedResults.Ok(await query.DowntimeAsync(range.From, range.To, workCentre, ct))
                : BadRange(options.Value));
        oee.MapGet("/scrap", async Task<Results<Ok<IReadOnlyList<ScrapLoss>>, ProblemHttpResult>> (OeeQuery query, IOptions<OeeOptions> options, TimeProvider time,
            DateTimeOffset? from, DateTimeOffset? to, string? workCentre, CancellationToken ct) =>
            Range(from, to, options.Value, time) is { } range
                ? TypedResults.Ok(await query.ScrapAsync(range.From, range.To, workCentre, ct))
                : BadRange(options.Value));
        oee.MapGet("/shift-report", async Task<Results<Ok<ShiftReport>, NotFound, ProblemHttpResult>> (OeeQuery query, TimeProvider time, string? workCentre, DateTimeOffset? at, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(workCentre))
            {
                return TypedResults.Problem("workCentre is required.", statusCode: StatusCodes.Status400BadRequest);
            }

            return await query.ShiftReportAsync(workCentre, at ?? time.GetUtcNow(), ct) is { } report ? TypedResults.Ok(report) : TypedResults.NotFound();
        });
        oee.MapGet("/export.csv", async Task<Results<PushStreamHttpResult, ProblemHttpResult>> (OeeQuery query, IOptions<OeeOptions> options, TimeProvider time,
            string? scope, string? period, DateTimeOffset? from, DateTimeOffset? to, string? key, CancellationToken ct) =>
        {
            if (Parse(scope, period, from, to, options.Value, time) is not { } request)
            {
                return Bad(scope, period, from, to, options.Value, time);
            }

            var rows = await query.RowsAsync(request.Scope, request.Period, request.From, request.To, key, ct);
            var culture = CultureInfo.CurrentUICulture;
            return TypedResults.Stream((output) => SpreadsheetExport.WriteCsvAsync(output, culture, OeeExport.Table(rows), CancellationToken.None), ProductionApi.CsvType, "oee.csv");
        });
        oee.MapGet("/export.xlsx", async Task<Results<PushStreamHttpResult, ProblemHttpResult>> (OeeQuery query, IOptions<OeeOptions> options, TimeProvider time,
            string? scope, string? period, DateTimeOffset? from, DateTimeOffset? to, string? key, CancellationToken ct) =>
        {
            if (Parse(scope, period, from, to, options.Value, time) is not { } request)
            {
                return Bad(scope, period, from, to, options.Value, time);
            }

            var rows = await query.RowsAsync(request.Scope, request.Period, request.From, request.To, key, ct);
            return TypedResults.Stream((output) => SpreadsheetExport.WriteXlsxAsync(output, OeeExport.Table(rows), "OEE", CancellationToken.None), ProductionApi.XlsxType, "oee.xlsx");
        });
        return app;
    }

    internal sealed record Request(OeeScope Scope, OeePeriod Period, DateTimeOffset From, DateTimeOffset To);

    /// <summary>scope machine|work-centre|order (default machine), period shift|day|week (default shift), from..to (default the last 7 days).</summary>
    internal static Request? Parse(string? scope, string? period, DateTimeOffset? from, DateTimeOffset? to, OeeOptions options, TimeProvider time)
    {
        OeeScope? parsedScope = scope?.ToLowerInvariant() switch
        {
            null or "" or "machine" => OeeScope.Machine,
            "work-centre" => OeeScope.WorkCentre,
            "order" => OeeScope.Order,
            _ => null,
        };
        OeePeriod? parsedPeriod = period?.ToLowerInvariant() switch
        {
            null or "" or "shift" => OeePeriod.Shift,
            "day" => OeePeriod.Day,
            "week" => OeePeriod.Week,
            _ => null,
        };
        return parsedScope is { } s && parsedPeriod is { } p && Range(from, to, options, time) is { } range ? new Request(s, p, range.From, range.To) : null;
    }

    private static (DateTimeOffset From, DateTimeOffset To)? Range(DateTimeOffset? from, DateTimeOffset? to, OeeOptions options, TimeProvider time)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-7);
        return start < end && end - start <= options.MaxRange ? (start, end) : null;
    }

    private static ProblemHttpResult Bad(string? scope, string? period, DateTimeOffset? from, DateTimeOffset? to, OeeOptions options, TimeProvider time)
    {
        if (Range(from, to, options, time) is null)
        {
            return BadRange(options);
        }

        return TypedResults.Problem($"scope is machine, work-centre or order (was '{scope}'); period is shift, day or week (was '{period}').", statusCode: StatusCodes.Status400BadRequest);
    }

    private static ProblemHttpResult BadRange(OeeOptions options) =>
        TypedResults.Problem($"from must be before to, at most {options.MaxRange.TotalDays.ToString(CultureInfo.InvariantCulture)} days apart.", statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>OEE rows as a spreadsheet: CSV (the caller's separator) and XLSX, percentages as numbers 0..100 with two decimals.</summary>
internal static class OeeExport
{
    private static readonly string[] Headers =
    [
        "Key", "Name", "Period", "From (UTC)", "To (UTC)", "Planned (min)", "Run (min)", "Delay (min)", "Down (min)",
        "Pieces", "Scrap", "Ideal (min)", "Speed loss (min)", "Availability %", "Performance %", "Quality %", "OEE %",
    ];

    private static object?[] Values(OeeRow row)
    {
        var figures = row.Figures;
        return
        [
            row.Key, row.Name, row.Label, row.From.UtcDateTime, row.To.UtcDateTime, Minutes(figures.PlannedTime), Minutes(figures.RunTime), Minutes(figures.DelayTime),
            Minutes(figures.DownTime), figures.Pieces, figures.Scrap, Minutes(figures.IdealTime), Minutes(figures.SpeedLoss), Percent(figures.Availability), Percent(figures.Performance),
            Percent(figures.Quality), Percent(figures.Oee),
        ];
    }

    private static double Minutes(TimeSpan time) => Math.Round(time.TotalMinutes, 2);

    private static double? Percent(double? ratio) => ratio is { } r ? Math.Round(r * 100, 2) : null;

    /// <summary>The rows as a spreadsheet table.</summary>
    public static SpreadsheetTable Table(IReadOnlyList<OeeRow> rows) => new(Headers, [.. rows.Select(Values)]);
}

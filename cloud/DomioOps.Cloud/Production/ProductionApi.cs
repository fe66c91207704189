using System.Globalization;

using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;

namespace DomioOps.Cloud.Production;

/// <summary>
/// <c>/api/production/orders</c>: the office's view of production — the orders (searched, filtered, sorted, paged), one
/// order with its parts and operations, and both as CSV or XLSX files in the caller's language.
/// </summary>
internal static class ProductionApi
{
    public const string OrdersPath = "/api/production/orders";

    public const string CsvType = "text/csv; charset=utf-8";

    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IEndpointRouteBuilder MapProductionApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/production").WithTags("Production").RequireAuthorization(SecurityPolicies.Production);
        orders.MapGet("/orders", async Task<Results<Ok<OrderPage>, ProblemHttpResult>> (ProductionOrders production, string? search, string? state, string? sort, bool? desc, int? skip, int? take, CancellationToken ct) =>
            Query(search, state, sort, desc, skip, take) is { } query
                ? TypedResults.Ok(await production.PageAsync(query, ct))
                : BadState(state));
        orders.MapGet("/orders/export", Results<PushStreamHttpResult, ProblemHttpResult> (ProductionOrders production, HttpContext http, string? format, string? search, string? state, string? sort, bool? desc) =>
        {
            if (Query(search, state, sort, desc, 0, OrderQuery.MaxTake) is not { } query)
            {
                return BadState(state);
            }

            var culture = CultureInfo.CurrentUICulture;
            return format?.ToLowerInvariant() switch
            {
                null or "csv" => TypedResults.Stream(output => production.WriteCsvAsync(query, output, culture, http.RequestAborted), CsvType, "orders.csv"),
                "xlsx" => TypedResults.Stream(output => production.WriteXlsxAsync(query, output, culture, http.RequestAborted), XlsxType, "orders.xlsx"),
                _ => BadFormat(),
            };
        });
        orders.MapGet("/orders/{id}", async Task<Results<Ok<OrderDetails>, NotFound>> (long id, ProductionOrders production, CancellationToken ct) =>
            await production.DetailAsync(id, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound());
        orders.MapGet("/orders/{id}/export", async Task<Results<PushStreamHttpResult, NotFound, ProblemHttpResult>> (long id, string? format, ProductionOrders production, HttpContext http, CancellationToken ct) =>
        {
            if (format?.ToLowerInvariant() is not (null or "csv" or "xlsx"))
            {
                return BadFormat();
            }

            if (await production.NumberAsync(id, ct) is not { } number)
            {
                return TypedResults.NotFound();
            }

            var culture = CultureInfo.CurrentUICulture;
            var name = "order-" + FileName(number);
            return format?.ToLowerInvariant() == "xlsx"
                ? TypedResults.Stream(output => production.WriteOperationsXlsxAsync(id, output, culture, http.RequestAborted), XlsxType, name + ".xlsx")
                : TypedResults.Stream(output => production.WriteOperationsCsvAsync(id, output, culture, http.RequestAborted), CsvType, name + ".csv");
        });
        // The office's other production endpoints, each in the file of what it does.
        app.MapImportApi();
        app.MapRoutingApi();
        app.MapWorkCentresApi();
        return app;
    }

    /// <summary>The query of a list or its export; null when the state is none of <see cref="OrderState"/>.</summary>
    internal static OrderQuery? Query(string? search, string? state, string? sort, bool? desc, int? skip, int? take)
    {
        OrderState? parsed = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (!Enum.TryParse<OrderState>(state, ignoreCase: true, out var value) || !Enum.IsDefined(value))
            {
                return null;
            }

            parsed = value;
        }

        return new OrderQuery(search, parsed, sort, desc ?? false, skip ?? 0, take ?? 25);
    }

    private static ProblemHttpResult BadState(string? state) =>
        TypedResults.Problem($"state '{state}' is none of {string.Join(", ", Enum.GetNames<OrderState>())}.", statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult BadFormat() =>
        TypedResults.Problem("format is csv or xlsx.", statusCode: StatusCodes.Status400BadRequest);

    /// <summary>An order number as a file name: letters, digits, '-' and '_' kept, anything else '_'.</summary>
    private static string FileName(string number) =>
        new([.. number.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}

using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Components;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Resources;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace DomioOps.Cloud.Office.Materials;

/// <summary>
/// <c>/api/office/materials</c>, <c>/api/office/suppliers</c>, <c>/api/office/purchase-orders</c>: the catalogue, the
/// stock per warehouse with its ledger and export, production orders' reservations, purchase suggestions, suppliers and
/// purchase orders. Read: policy <c>ProductionOffice</c>; change: <c>Office</c>. Each change audits itself.
/// </summary>
internal static class MaterialsApi
{
    public static IEndpointRouteBuilder MapOfficeMaterialsApi(this IEndpointRouteBuilder app)
    {
        var materials = app.MapGroup("/api/office/materials").WithTags("Office materials");
        var read = materials.MapGroup("").RequireAuthorization(SecurityPolicies.ProductionOffice);
        read.MapGet("/", async (MaterialStock stock, CancellationToken ct) => TypedResults.Ok(await stock.MaterialsAsync(ct)));
        read.MapGet("/warehouses", async (MaterialStock stock, CancellationToken ct) => TypedResults.Ok(await stock.WarehousesAsync(ct)));
        read.MapGet("/stock", async (long? warehouseId, MaterialStock stock, CancellationToken ct) => TypedResults.Ok(await stock.StockAsync(warehouseId, ct)));
        read.MapGet("/stock/export", async Task<Results<PushStreamHttpResult, ProblemHttpResult>> (string? format, long? warehouseId, MaterialStock stock,
            IStringLocalizer<Ui> text, HttpContext http) =>
        {
            if (format?.ToLowerInvariant() is not (null or "csv" or "xlsx") and var wrong)
            {
                return TypedResults.Problem($"format is csv or xlsx; got '{wrong}'.", statusCode: StatusCodes.Status400BadRequest, title: "Nothing was exported");
            }

            var table = StockExport.Table(await stock.StockAsync(warehouseId, http.RequestAborted), text);
            var culture = CultureInfo.CurrentUICulture;
            return format?.ToLowerInvariant() == "xlsx"
                ? TypedResults.Stream(output => SpreadsheetExport.WriteXlsxAsync(output, table, text["Materials.Stock.Title"], CancellationToken.None), ProductionApi.XlsxType, "stock.xlsx")
                : TypedResults.Stream(output => SpreadsheetExport.WriteCsvAsync(output, culture, table, CancellationToken.None), ProductionApi.CsvType, "stock.csv");
        });
        read.MapGet("/purchase-suggestions", async (long? warehouseId, MaterialStock stock, CancellationToken ct) => TypedResults.Ok(await stock.SuggestionsAsync(warehouseId, ct)));
        read.MapGet("/{id:long}/movements", async (long id, MaterialStock stock, CancellationToken ct) => TypedResults.Ok(await stock.MovementsAsync(id, ct)));
        read.MapGet("/reservations/{productionOrderId:long}", async Task<Results<Ok<Reservation>, NotFound>> (long productionOrderId, MaterialStock stock, CancellationToken ct) =>
            await stock.ReservationAsync(productionOrderId, ct) is { } reservation ? TypedResults.Ok(reservation) : TypedResults.NotFound());

        var write = materials.MapGroup("").RequireAuthorization(SecurityPolicies.Office).WithMetadata(AuditsItself.Instance);
        write.MapPost("/", async Task<Results<Created<Material>, ValidationProblem>> (MaterialDraft draft, MaterialStock stock, HttpContext http) =>
        {
            var change = await stock.CreateMaterialAsync(AuditActor.From(http), draft, http.RequestAborted);
            return change.Value is { } material
                ? TypedResults.Created($"/api/office/materials/{material.Id}", material)
                : TypedResults.ValidationProblem(change.Errors!, title: "The material was not created.");
        });
        write.MapPut("/{id:long}/minimum", async Task<Results<Ok<StockRow>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, MinimumDraft draft, MaterialStock stock, HttpContext http) =>
            Answer(await stock.SetMinimumAsync(AuditActor.From(http), id, draft, http.RequestAborted), "The minimum was not set."));
        write.MapPost("/movements", async Task<Results<Ok<Movement>, NotFound, ValidationProblem, ProblemHttpResult>> (MovementDraft draft, MaterialStock stock, HttpContext http) =>
            Answer(await stock.MoveAsync(AuditActor.From(http), OfficeApi.Who(http), draft, http.RequestAborted), "Nothing was moved."));
        write.MapPost("/reservations/{productionOrderId:long}", async Task<Results<Ok<Reservation>, NotFound>> (long productionOrderId, MaterialStock stock, HttpContext http) =>
            await stock.ReserveAsync(AuditActor.From(http), OfficeApi.Who(http), productionOrderId, release: false, http.RequestAborted) is { } reservation
                ? TypedResults.Ok(reservation) : TypedResults.NotFound());
        write.MapDelete("/reservations/{productionOrderId:long}", async Task<Results<Ok<Reservation>, NotFound>> (long productionOrderId, MaterialStock stock, HttpContext http) =>
            await stock.ReserveAsync(AuditActor.From(http), OfficeApi.Who(http), productionOrderId, release: true, http.RequestAborted) is { } reservation
                ? TypedResults.Ok(reservation) : TypedResults.NotFound());

        var suppliers = app.MapGroup("/api/office/suppliers").WithTags("Office materials");
        suppliers.MapGet("/", async (PurchaseOrders orders, CancellationToken ct) => TypedResults.Ok(await orders.SuppliersAsync(ct)))
            .RequireAuthorization(SecurityPolicies.ProductionOffice);
        suppliers.MapPost("/", async Task<Results<Created<Supplier>, ValidationProblem>> (SupplierDraft draft, PurchaseOrders orders, HttpContext http) =>
        {
            var change = await orders.CreateSupplierAsync(AuditActor.From(http), draft, http.RequestAborted);
            return change.Value is { } supplier
                ? TypedResults.Created($"/api/office/suppliers/{supplier.Id}", supplier)
                : TypedResults.ValidationProblem(change.Errors!, title: "The supplier was not created.");
        }).RequireAuthorization(SecurityPolicies.Office).WithMetadata(AuditsItself.Instance);

        var purchases = app.MapGroup("/api/office/purchase-orders").WithTags("Office materials");
        var readPurchases = purchases.MapGroup("").RequireAuthorization(SecurityPolicies.ProductionOffice);
        readPurchases.MapGet("/", async (PurchaseOrders orders, CancellationToken ct) => TypedResults.Ok(await orders.ListAsync(ct)));
        readPurchases.MapGet("/{id:long}", async Task<Results<Ok<PurchaseOrder>, NotFound>> (long id, PurchaseOrders orders, CancellationToken ct) =>
            await orders.GetAsync(id, ct) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound());
        var writePurchases = purchases.MapGroup("").RequireAuthorization(SecurityPolicies.Office).WithMetadata(AuditsItself.Instance);
        writePurchases.MapPost("/", async Task<Results<Created<PurchaseOrder>, ValidationProblem>> (PurchaseOrderDraft draft, PurchaseOrders orders, HttpContext http) =>
        {
            var change = await orders.CreateAsync(AuditActor.From(http), OfficeApi.Who(http), draft, http.RequestAborted);
            return change.Value is { } order
                ? TypedResults.Created($"/api/office/purchase-orders/{order.Id}", order)
                : TypedResults.ValidationProblem(change.Errors!, title: "The purchase order was not created.");
        });
        writePurchases.MapPost("/{id:long}/order", async Task<Results<Ok<PurchaseOrder>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, PurchaseOrders orders, HttpContext http) =>
            Answer(await orders.ChangeStatusAsync(AuditActor.From(http), id, PurchaseOrderStatus.Ordered, http.RequestAborted), "The purchase order was not ordered."));
        writePurchases.MapPost("/{id:long}/cancel", async Task<Results<Ok<PurchaseOrder>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, PurchaseOrders orders, HttpContext http) =>
            Answer(await orders.ChangeStatusAsync(AuditActor.From(http), id, PurchaseOrderStatus.Cancelled, http.RequestAborted), "The purchase order was not cancelled."));
        writePurchases.MapPost("/{id:long}/receipts", async Task<Results<Ok<PurchaseOrder>, NotFound, ValidationProblem, ProblemHttpResult>> (long id, ReceiptDraft draft,
            PurchaseOrders orders, HttpContext http) =>
            Answer(await orders.ReceiveAsync(AuditActor.From(http), OfficeApi.Who(http), id, draft, http.RequestAborted), "Nothing was received."));
        return app;
    }

    private static Results<Ok<T>, NotFound, ValidationProblem, ProblemHttpResult> Answer<T>(OfficeChange<T> change, string title)
        where T : class =>
        change switch
        {
            { Value: { } value } => TypedResults.Ok(value),
            { Errors: { } errors } => TypedResults.ValidationProblem(errors, title: title),
            { Conflict: { } conflict } => TypedResults.Problem(conflict, statusCode: StatusCodes.Status409Conflict, title: title),
            _ => TypedResults.NotFound(),
        };
}

/// <summary>The stock list as a spreadsheet table (CSV and XLSX), headers in the person's language.</summary>
internal static class StockExport
{
    public static SpreadsheetTable Table(IReadOnlyList<StockRow> rows, IStringLocalizer<Ui> text)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(text);
        return new(
            [text["Materials.Warehouse"], text["Materials.Kind"], text["Materials.Name"], text["Materials.Article"], text["Materials.Thickness"], text["Materials.Unit"],
             text["Materials.OnHand"], text["Materials.Reserved"], text["Materials.Available"], text["Materials.Minimum"], text["Materials.BelowMinimum"]],
            [.. rows.Select(r => new object?[]
            {
                r.Warehouse, text[$"Materials.Kind.{r.Kind}"].Value, r.Name, r.Article, r.Thickness, text[$"Materials.Unit.{r.Unit}"].Value, r.OnHand, r.Reserved,
                r.Available, r.Minimum, r.BelowMinimum ? text["Materials.Yes"].Value : "",
            })]);
    }
}

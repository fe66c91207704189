using System.Globalization;
using System.Linq.Expressions;
using System.Text;


using DomioOps.Cloud.Components;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Resources;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;


namespace DomioOps.Cloud.Production;

/// <summary>Where an order is: nothing started, under way, finished, or not finished by its due date.</summary>
internal enum OrderState
{
    Released,
    InProgress,
    Done,
    Late,
}

/// <summary>
/// Which orders, in what order: <paramref name="Search"/> matches the number or the customer (case-insensitive);
/// <paramref name="Sort"/> is a column of <see cref="OrderSummary"/> (by urgency and due date when none).
/// </summary>
internal sealed record OrderQuery(string? Search = null, OrderState? State = null, string? Sort = null, bool Descending = false, int Skip = 0, int Take = 25)
{
    public const int MaxTake = 500;
}

/// <summary>
/// An order as the office lists it. <see cref="Good"/> and <see cref="Planned"/> are the pieces of each part's last
/// operation (finished parts); <see cref="Scrap"/> is every operation's.
/// </summary>
internal sealed record OrderSummary(
    long Id,
    string Number,
    string Customer,
    DateOnly DueDate,
    int Priority,
    DateTimeOffset CreatedAt,
    OrderState State,
    int Parts,
    int OperationsDone,
    int Operations,
    int Good,
    int Planned,
    int Scrap,
    int Progress);

internal sealed record OrderPage(IReadOnlyList<OrderSummary> Rows, int Total);

/// <summary>A part of an order with its operations in routing order.</summary>
internal sealed record PartDetail(long Id, int Line, string Name, string Material, decimal Thickness, decimal Length, decimal Width, int Quantity, IReadOnlyList<OperationView> Operations);

/// <summary>An order, its parts and their operations as they are now, and the operations running on a machine now.</summary>
internal sealed record OrderDetails(OrderSummary Order, string? Source, IReadOnlyList<PartDetail> Parts, IReadOnlyList<OperationView> RunningNow);

/// <summary>
/// The office's view of production: the orders, paged, searched, filtered and sorted in PostgreSQL; one order with each
/// operation's counted and confirmed pieces; and both as CSV or XLSX files.
/// </summary>
internal sealed class ProductionOrders(IServiceScopeFactory scopes, IGrainFactory grains, TimeProvider time, IOptions<MachinesOptions> machines, IStringLocalizer<Ui> text)
{
    public static readonly IReadOnlyList<string> SortColumns =
        [nameof(OrderSummary.Number), nameof(OrderSummary.Customer), nameof(OrderSummary.DueDate), nameof(OrderSummary.Priority),
         nameof(OrderSummary.CreatedAt), nameof(OrderSummary.State), nameof(OrderSummary.Parts), nameof(OrderSummary.OperationsDone),
         nameof(OrderSummary.Operations), nameof(OrderSummary.Good), nameof(OrderSummary.Planned), nameof(OrderSummary.Scrap),
         nameof(OrderSummary.Progress)];

    public async Task<OrderPage> PageAsync(OrderQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var rows = Filtered(db, query);
        var total = await rows.CountAsync(ct);
        var page = await Sorted(rows, query).Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, OrderQuery.MaxTake))
            .Select(Summary).ToListAsync(ct);
        return new OrderPage(page, total);
    }

    public async Task<OrderDetails?> DetailAsync(long orderId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var order = await Rows(db).Where(r => r.Id == orderId).Select(Summary).SingleOrDefaultAsync(ct);
        if (order is null)
        {
            return null;
        }

        var source = await db.Orders.Where(o => o.Id == orderId).Select(o => o.Source).SingleAsync(ct);
        var parts = await db.Parts.Where(p => p.OrderId == orderId).OrderBy(p => p.Line).ThenBy(p => p.Id).AsNoTracking().ToListAsync(ct);
        var operations = await ShopFloorQuery.ViewsAsync(db.Operations.Where(o => o.OrderId == orderId), db, grains, time.GetUtcNow(), ct);
        var byPart = operations.ToLookup(o => o.PartId);
        return new OrderDetails(order, source,
            [.. parts.Select(p => new PartDetail(p.Id, p.Line, p.Name, p.Material, p.Thickness, p.Length, p.Width, p.Quantity, [.. byPart[p.Id].OrderBy(o => o.Step)]))],
            [.. operations.Where(o => o.State == OperationState.Running).OrderBy(o => o.MachineId, StringComparer.Ordinal)]);
    }

    /// <summary>Every order the query matches (its paging ignored), as CSV in <paramref name="culture"/>'s language and separators.</summary>
    public async Task WriteCsvAsync(OrderQuery query, Stream output, CultureInfo culture, CancellationToken ct)
    {
        var rows = await AllAsync(query, ct);
        await SpreadsheetExport.WriteCsvAsync(output, culture, OrderTable(rows, culture), ct);
    }

    public async Task WriteXlsxAsync(OrderQuery query, Stream output, CultureInfo culture, CancellationToken ct)
    {
        var rows = await AllAsync(query, ct);
        await SpreadsheetExport.WriteXlsxAsync(output, OrderTable(rows, culture), text["Orders.Title"], ct);
    }

    /// <summary>One order's operations as CSV; false when there is no such order.</summary>
    public async Task<bool> WriteOperationsCsvAsync(long orderId, Stream output, CultureInfo culture, CancellationToken ct)
    {
        var detail = await DetailAsync(orderId, ct);
        if (detail is null)
        {
            return false;
        }

        await SpreadsheetExport.WriteCsvAsync(output, culture, OperationTable(detail, culture), ct);
        return true;
    }

    public async Task<bool> WriteOperationsXlsxAsync(long orderId, Stream output, CultureInfo culture, CancellationToken ct)
    {
        var detail = await DetailAsync(orderId, ct);
        if (detail is null)
        {
            return false;
        }

        await SpreadsheetExport.WriteXlsxAsync(output, OperationTable(detail, culture), detail.Order.Number, ct);
        return true;
    }

    /// <summary>Whether an order exists (for an export's answer before its file starts).</summary>
    public async Task<string?> NumberAsync(long orderId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        return await db.Orders.Where(o => o.Id == orderId).Select(o => o.Number).SingleOrDefaultAsync(ct);
    }

    private async Task<List<OrderSummary>> AllAsync(OrderQuery query, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        return await Sorted(Filtered(db, query), query).Select(Summary).ToListAsync(ct);
    }

    /// <summary>The plant's date today: an order due yesterday is late from the plant's midnight.</summary>
    private DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), machines.Value.Zone()).DateTime);

    private IQueryable<OrderRow> Rows(ProductionDbContext db)
    {
        var today = Today();
        return db.Orders
            .Select(o => new
            {
                o.Id,
                o.Number,
                o.Customer,
                o.DueDate,
                o.Priority,
                o.CreatedAt,
                Parts = db.Parts.Count(p => p.OrderId == o.Id),
                Operations = db.Operations.Count(op => op.OrderId == o.Id),
                OperationsDone = db.Operations.Count(op => op.OrderId == o.Id && op.State == OperationState.Done),
                Started = db.Operations.Any(op => op.OrderId == o.Id && op.State != OperationState.Planned && op.State != OperationState.Ready),
                Scrap = db.Operations.Where(op => op.OrderId == o.Id).Sum(op => op.Scrap),
                Good = db.Operations.Where(op => op.OrderId == o.Id && op.Step == db.Operations.Where(last => last.PartId == op.PartId).Max(last => last.Step)).Sum(op => op.Good),
                Planned = db.Operations.Where(op => op.OrderId == o.Id && op.Step == db.Operations.Where(last => last.PartId == op.PartId).Max(last => last.Step)).Sum(op => op.Planned),
            })
            .Select(r => new OrderRow
            {
                Id = r.Id,
                Number = r.Number,
                Customer = r.Customer,
                DueDate = r.DueDate,
                Priority = r.Priority,
                CreatedAt = r.CreatedAt,
                Parts = r.Parts,
                Operations = r.Operations,
                OperationsDone = r.OperationsDone,
                Scrap = r.Scrap,
                Good = r.Good,
                Planned = r.Planned,
                Progress = r.Planned == 0 ? 0 : r.Good >= r.Planned ? 100 : r.Good * 100 / r.Planned,
                State = r.Operations > 0 && r.OperationsDone == r.Operations ? OrderState.Done
                    : r.DueDate < today ? OrderState.Late
                    : r.Started || r.OperationsDone > 0 ? OrderState.InProgress
                    : OrderState.Released,
            });
    }

    private IQueryable<OrderRow> Filtered(ProductionDbContext db, OrderQuery query)
    {
        var rows = Rows(db);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = "%" + Escape(query.Search.Trim()) + "%";
            rows = rows.Where(r => EF.Functions.ILike(r.Number, pattern, "\\") || EF.Functions.ILike(r.Customer, pattern, "\\"));
        }

        if (query.State is { } state)
        {
            rows = rows.Where(r => r.State == state);
        }

        return rows;
    }

    private static string Escape(string search) =>
        search.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static IOrderedQueryable<OrderRow> Sorted(IQueryable<OrderRow> rows, OrderQuery query)
    {
        if (query.Sort is null || SortColumns.FirstOrDefault(c => string.Equals(c, query.Sort, StringComparison.OrdinalIgnoreCase)) is not { } column)
        {
            return rows.OrderBy(r => r.State == OrderState.Done ? 1 : 0).ThenBy(r => r.Priority).ThenBy(r => r.DueDate).ThenBy(r => r.Id);
        }

        return column switch
        {
            nameof(OrderSummary.Number) => By(rows, r => r.Number, query.Descending),
            nameof(OrderSummary.Customer) => By(rows, r => r.Customer, query.Descending),
            nameof(OrderSummary.DueDate) => By(rows, r => r.DueDate, query.Descending),
            nameof(OrderSummary.Priority) => By(rows, r => r.Priority, query.Descending),
            nameof(OrderSummary.CreatedAt) => By(rows, r => r.CreatedAt, query.Descending),
            nameof(OrderSummary.State) => By(rows, r => r.State, query.Descending),
            nameof(OrderSummary.Parts) => By(rows, r => r.Parts, query.Descending),
            nameof(OrderSummary.OperationsDone) => By(rows, r => r.OperationsDone, query.Descending),
            nameof(OrderSummary.Operations) => By(rows, r => r.Operations, query.Descending),
            nameof(OrderSummary.Good) => By(rows, r => r.Good, query.Descending),
            nameof(OrderSummary.Planned) => By(rows, r => r.Planned, query.Descending),
            nameof(OrderSummary.Scrap) => By(rows, r => r.Scrap, query.Descending),
            _ => By(rows, r => r.Progress, query.Descending),
        };
    }

    private static IOrderedQueryable<OrderRow> By<TKey>(IQueryable<OrderRow> rows, Expression<Func<OrderRow, TKey>> key, bool descending) =>
        (descending ? rows.OrderByDescending(key) : rows.OrderBy(key)).ThenBy(r => r.Id);

    private static readonly Expression<Func<OrderRow, OrderSummary>> Summary = r => new OrderSummary(
        r.Id, r.Number, r.Customer, r.DueDate, r.Priority, r.CreatedAt, r.State, r.Parts, r.OperationsDone, r.Operations, r.Good, r.Planned, r.Scrap, r.Progress);

    public string StateText(OrderState state) => text[$"Orders.State.{state}"];

    public string OperationStateText(OperationState state) => text[$"Orders.OpState.{state}"];

    private SpreadsheetTable OrderTable(List<OrderSummary> rows, CultureInfo culture) => InCulture(culture, () => new SpreadsheetTable(
        [text["Orders.Number"], text["Orders.Customer"], text["Orders.DueDate"], text["Orders.Priority"], text["Orders.Created"],
         text["Orders.State"], text["Orders.Parts"], text["Orders.OperationsDone"], text["Orders.Operations"], text["Orders.Good"],
         text["Orders.Planned"], text["Orders.Scrap"], text["Orders.Progress"]],
        [.. rows.Select(r => new object?[]
        {
            r.Number, r.Customer, r.DueDate.ToDateTime(TimeOnly.MinValue), r.Priority,
            TimeZoneInfo.ConvertTime(r.CreatedAt, machines.Value.Zone()).DateTime, StateText(r.State), r.Parts, r.OperationsDone,
            r.Operations, r.Good, r.Planned, r.Scrap, r.Progress,
        })]));

    private SpreadsheetTable OperationTable(OrderDetails detail, CultureInfo culture) => InCulture(culture, () => new SpreadsheetTable(
        [text["Orders.Line"], text["Orders.Part"], text["Orders.Step"], text["Orders.WorkCentre"], text["Orders.State"],
         text["Orders.Machine"], text["Orders.Planned"], text["Orders.Good"], text["Orders.Scrap"], text["Orders.Counted"],
         text["Orders.Remaining"], text["Orders.RunMinutes"]],
        [.. detail.Parts.SelectMany(p => p.Operations.Select(o => new object?[]
        {
            p.Line, p.Name, o.Step, o.WorkCentreName, OperationStateText(o.State), o.MachineId ?? "", o.Planned, o.Good, o.Scrap,
            o.Counted, o.Remaining, Math.Round(o.RunSeconds / 60, 1),
        }))]));

    /// <summary>Runs <paramref name="build"/> with <paramref name="culture"/> as the UI culture, for the headers' language.</summary>
    private static T InCulture<T>(CultureInfo culture, Func<T> build)
    {
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = culture;
            return build();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }


    /// <summary>An order with its counts, as PostgreSQL computes them.</summary>
    private sealed class OrderRow
    {
        public long Id { get; init; }

        public string Number { get; init; } = "";

        public string Customer { get; init; } = "";

        public DateOnly DueDate { get; init; }

        public int Priority { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public int Parts { get; init; }

        public int Operations { get; init; }

        public int OperationsDone { get; init; }

        public int Scrap { get; init; }

        public int Good { get; init; }

        public int Planned { get; init; }

        public int Progress { get; init; }

        public OrderState State { get; init; }
    }
}

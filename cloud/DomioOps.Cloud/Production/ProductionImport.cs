using DomioOps.Cloud.Audit;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Production;

/// <summary>The order a cut list is imported into: its number, customer, due date and priority.</summary>
internal sealed record OrderHeader(string? Number, string? Customer, DateOnly? DueDate, int? Priority);

/// <summary>How far an import is: the phase, and rows read or parts saved of the total.</summary>
internal sealed record ImportProgress(ImportPhase Phase, int Done, int Total);

internal enum ImportPhase
{
    Reading,
    Saving,
    Done,
}

/// <summary>The created order, or why nothing was created: wrong order fields (by field) and every error in the file.</summary>
internal sealed record ImportResult(long? OrderId, IReadOnlyDictionary<string, string> FieldErrors, IReadOnlyList<CutListError> FileErrors)
{
    public bool Imported => OrderId is not null;

    public string? Number { get; init; }

    public int Parts { get; init; }

    public int Operations { get; init; }

    public string? Source { get; init; }
}

/// <summary>
/// Imports a cut list as a production order: a file with any error is refused whole (every error named by row and
/// column); a good one creates the order, its parts and their derived routings in one transaction, and is audited.
/// </summary>
internal sealed partial class ProductionImport(IServiceScopeFactory scopes, AuditTrail audit, TimeProvider time, ILogger<ProductionImport> logger)
{
    private const int SaveChunk = 500;

    public async Task<ImportResult> ImportAsync(AuditActor actor, OrderHeader header, Stream content, string fileName,
        IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(header);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var read = CutListReader.Read(content, fileName, progress is null ? null : new Progress<int>(rows => progress.Report(new(ImportPhase.Reading, rows, 0))));
        var result = await CreateOrderAsync(db, header, read.Parts, read.Errors, Path.GetFileName(fileName), progress, ct);
        if (result.Imported)
        {
            await CreatedAsync(actor, result, ct);
        }

        return result;
    }

    /// <summary>
    /// Creates the order with <paramref name="rows"/> as its parts and their derived routings, refused whole (nothing
    /// written) when the header or any row is wrong. Runs in <paramref name="db"/>'s transaction when it has one (the
    /// caller commits, as the office's quote acceptance does), otherwise in its own. The caller audits it
    /// (<see cref="CreatedAsync"/>) once committed.
    /// </summary>
    public async Task<ImportResult> CreateOrderAsync(ProductionDbContext db, OrderHeader header, IReadOnlyList<CutListPart> rows,
        IReadOnlyList<CutListError> readErrors, string source, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var fieldErrors = await CheckHeaderAsync(db, header, ct);
        var fileErrors = readErrors.ToList();
        var workCentres = await db.WorkCentres.AsNoTracking().ToListAsync(ct);
        var parts = new List<Part>(rows.Count);
        foreach (var row in rows)
        {
            var part = ToPart(row);
            var routing = Routing.Derive(part, workCentres);
            if (routing.MissingKind is { } missing)
            {
                fileErrors.Add(new CutListError(row.Row, "", CutListProblem.NoWorkCentre,
                    $"Row {row.Row}: the part needs a work centre of kind {missing} and there is none: create one (Production:WorkCentres or the work centres page) and import again."));
                continue;
            }

            part.Operations = [.. routing.Operations];
            parts.Add(part);
        }

        if (fieldErrors.Count > 0 || fileErrors.Count > 0 || parts.Count == 0)
        {
            LogRefused(source, fieldErrors.Count + fileErrors.Count);
            return new ImportResult(null, fieldErrors, fileErrors);
        }

        var now = time.GetUtcNow();
        var order = new ProductionOrder
        {
            Number = header.Number!.Trim(),
            Customer = header.Customer!.Trim(),
            DueDate = header.DueDate!.Value,
            Priority = header.Priority ?? 3,
            Source = source,
            CreatedAt = now,
        };
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using (own)
        {
            db.Orders.Add(order);
            await db.SaveChangesAsync(ct);
            for (var saved = 0; saved < parts.Count; saved += SaveChunk)
            {
                foreach (var part in parts.Skip(saved).Take(SaveChunk))
                {
                    part.OrderId = order.Id;
                    part.Operations.ForEach(o => o.OrderId = order.Id);
                    db.Parts.Add(part);
                }

                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                progress?.Report(new(ImportPhase.Saving, Math.Min(parts.Count, saved + SaveChunk), parts.Count));
            }

            if (own is not null)
            {
                await own.CommitAsync(ct);
            }
        }

        progress?.Report(new(ImportPhase.Done, parts.Count, parts.Count));
        LogImported(order.Number, parts.Count, source);
        return new ImportResult(order.Id, fieldErrors, []) { Number = order.Number, Parts = parts.Count, Operations = parts.Sum(p => p.Operations.Count), Source = source };
    }

    /// <summary>
    /// What follows an order <see cref="CreateOrderAsync"/> created, once it is committed: its audit row, and the office's
    /// materials reserve what its cut list needs (their own audit; parts of unknown material are listed there).
    /// </summary>
    public async Task CreatedAsync(AuditActor actor, ImportResult created, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(created);
        var orderId = created.OrderId!.Value;
        await audit.AppendAsync(actor, "order.imported", "production-order", orderId.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { created.Number, created.Parts, created.Operations, created.Source }, ct);
        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<Office.Materials.MaterialStock>() is { } materials)
        {
            await materials.ReserveAsync(actor, actor.Id ?? "import", orderId, release: false, ct);
        }
    }

    /// <summary>A cut-list row as a part of an order (its routing not yet derived).</summary>
    public static Part ToPart(CutListPart row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new Part
        {
            Line = row.Row,
            Name = row.Name,
            Material = row.Material,
            Thickness = row.Thickness,
            Length = row.Length,
            Width = row.Width,
            Quantity = row.Quantity,
            Grain = row.Grain,
            EdgeL1 = row.EdgeL1,
            EdgeL2 = row.EdgeL2,
            EdgeW1 = row.EdgeW1,
            EdgeW2 = row.EdgeW2,
            Program = row.Program,
        };
    }

    private static async Task<Dictionary<string, string>> CheckHeaderAsync(ProductionDbContext db, OrderHeader header, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = header.Number?.Trim() ?? "";
        if (number.Length is 0 or > ProductionOrder.MaxNumberLength)
        {
            errors["number"] = $"The order number is required, at most {ProductionOrder.MaxNumberLength} characters.";
        }
        else if (await db.Orders.AnyAsync(o => o.Number == number, ct))
        {
            errors["number"] = $"Order {number} exists already: give the new order its own number.";
        }

        if ((header.Customer?.Trim() ?? "").Length is 0 or > ProductionOrder.MaxCustomerLength)
        {
            errors["customer"] = $"The customer is required, at most {ProductionOrder.MaxCustomerLength} characters.";
        }

        if (header.DueDate is null)
        {
            errors["dueDate"] = "The due date is required.";
        }

        if (header.Priority is < ProductionOrder.HighestPriority or > ProductionOrder.LowestPriority)
        {
            errors["priority"] = $"The priority is {ProductionOrder.HighestPriority} (most urgent) to {ProductionOrder.LowestPriority}.";
        }

        return errors;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cut list {File} refused: {Errors} error(s), nothing created")]
    private partial void LogRefused(string file, int errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {Order} imported from {File}: {Parts} part(s)")]
    private partial void LogImported(string order, int parts, string file);
}

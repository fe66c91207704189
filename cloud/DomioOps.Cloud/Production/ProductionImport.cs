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
        var fieldErrors = await CheckHeaderAsync(db, header, ct);
        var read = CutListReader.Read(content, fileName, progress is null ? null : new Progress<int>(rows => progress.Report(new(ImportPhase.Reading, rows, 0))));
        var fileErrors = read.Errors.ToList();
        var workCentres = await db.WorkCentres.AsNoTracking().ToListAsync(ct);
        var parts = new List<Part>(read.Parts.Count);
        foreach (var row in read.Parts)
        {
            var part = new Part
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
            LogRefused(fileName, fieldErrors.Count + fileErrors.Count);
            return new ImportResult(null, fieldErrors, fileErrors);
        }

        var now = time.GetUtcNow();
        var order = new ProductionOrder
        {
            Number = header.Number!.Trim(),
            Customer = header.Customer!.Trim(),
            DueDate = header.DueDate!.Value,
            Priority = header.Priority ?? 3,
            Source = Path.GetFileName(fileName),
            CreatedAt = now,
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
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

            await transaction.CommitAsync(ct);
        }

        await audit.AppendAsync(actor, "order.imported", "production-order", order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { order.Number, Parts = parts.Count, Operations = parts.Sum(p => p.Operations.Count), order.Source }, ct);
        // The office's materials reserve what the new order's cut list needs (its own audit; parts of unknown material are listed there).
        if (scope.ServiceProvider.GetService<Office.Materials.MaterialStock>() is { } materials)
        {
            await materials.ReserveAsync(actor, actor.Id ?? "import", order.Id, release: false, ct);
        }

        progress?.Report(new(ImportPhase.Done, parts.Count, parts.Count));
        LogImported(order.Number, parts.Count, fileName);
        return new ImportResult(order.Id, fieldErrors, []);
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

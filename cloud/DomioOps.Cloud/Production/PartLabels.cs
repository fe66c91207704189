using System.Globalization;
using System.Text;

using Microsoft.EntityFrameworkCore;

using QRCoder;

namespace DomioOps.Cloud.Production;

/// <summary>An order's parts as their labels show them.</summary>
internal sealed record LabelSheet(long OrderId, string Number, string Customer, IReadOnlyList<PartLabel> Parts);

/// <summary>
/// One part's label: its size, material, grain, edges per side (null where a side has none), the work centre of its
/// next operation (its first not done; null when every one is) and the QR code's payload with the code as an SVG path.
/// </summary>
internal sealed record PartLabel(
    long PartId,
    string Name,
    string Material,
    decimal Length,
    decimal Width,
    decimal Thickness,
    int Quantity,
    GrainDirection Grain,
    string? EdgeL1,
    string? EdgeL2,
    string? EdgeW1,
    string? EdgeW2,
    long? NextOperationId,
    string? NextWorkCentre,
    string Payload,
    QrPath Qr);

/// <summary>A QR code as one SVG path of its dark modules, in a square of <see cref="Size"/> modules (quiet zone included).</summary>
internal sealed record QrPath(int Size, string Data);

/// <summary>
/// The labels of an order's parts: four queries whatever the number of parts (order, parts, their not-done operations,
/// work centres), and a QR code per part whose payload the terminal reads: <c>domio:part:{id};order:{number};op:{id}</c>.
/// </summary>
internal sealed class PartLabels(IServiceScopeFactory scopes)
{
    public static string Payload(long partId, string orderNumber, long? operationId) =>
        string.Create(CultureInfo.InvariantCulture, $"domio:part:{partId};order:{orderNumber};op:{operationId}");

    public async Task<LabelSheet?> ForOrderAsync(long orderId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var order = await db.Orders.AsNoTracking().Where(o => o.Id == orderId).Select(o => new { o.Id, o.Number, o.Customer }).FirstOrDefaultAsync(ct);
        if (order is null)
        {
            return null;
        }

        var parts = await db.Parts.AsNoTracking().Where(p => p.OrderId == orderId).OrderBy(p => p.Line).ThenBy(p => p.Id).ToListAsync(ct);
        var next = (await db.Operations.AsNoTracking()
                .Where(o => o.OrderId == orderId && o.State != OperationState.Done)
                .Select(o => new { o.PartId, o.Id, o.Step, o.WorkCentreId })
                .ToListAsync(ct))
            .GroupBy(o => o.PartId)
            .ToDictionary(g => g.Key, g => g.MinBy(o => o.Step)!);
        var centres = await db.WorkCentres.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var labels = new List<PartLabel>(parts.Count);
        foreach (var part in parts)
        {
            var operation = next.GetValueOrDefault(part.Id);
            var payload = Payload(part.Id, order.Number, operation?.Id);
            labels.Add(new PartLabel(part.Id, part.Name, part.Material, part.Length, part.Width, part.Thickness, part.Quantity, part.Grain,
                part.EdgeL1, part.EdgeL2, part.EdgeW1, part.EdgeW2, operation?.Id,
                operation is null ? null : centres.GetValueOrDefault(operation.WorkCentreId, operation.WorkCentreId),
                payload, Qr(payload)));
        }

        return new LabelSheet(order.Id, order.Number, order.Customer, labels);
    }

    /// <summary>The QR code of <paramref name="payload"/> (error correction M) as one path: a unit square per dark module.</summary>
    public static QrPath Qr(string payload)
    {
        using var data = QRCodeGenerator.GenerateQrCode(payload, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix;
        var path = new StringBuilder(matrix.Count * matrix.Count * 4);
        for (var y = 0; y < matrix.Count; y++)
        {
            var row = matrix[y];
            for (var x = 0; x < row.Length; x++)
            {
                if (!row[x])
                {
                    continue;
                }

                // A run of dark modules is one rectangle.
                var start = x;
                while (x + 1 < row.Length && row[x + 1])
                {
                    x++;
                }

                path.Append(CultureInfo.InvariantCulture, $"M{start} {y}h{x - start + 1}v1h{-(x - start + 1)}z");
            }
        }

        return new QrPath(matrix.Count, path.ToString());
    }
}

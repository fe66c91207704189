using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Tests.Security;
using DomioOps.Models.Wire;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>
/// The real host on real PostgreSQL with a small shop: a panel saw (saw-01), an edgebander (edgebander-01) and a CNC
/// router (cnc-01), each its own work centre. Machines count pieces when a test feeds them samples as an edge would.
/// </summary>
public class ProductionCloud : SecureCloud
{
    private ulong _sequence;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        .. Centre(0, "saw", "Panel saw", WorkCentreKind.PanelSaw, "saw-01"),
        .. Centre(1, "edging", "Edgebander", WorkCentreKind.Edgebander, "edgebander-01"),
        .. Centre(2, "cnc", "CNC router", WorkCentreKind.CncRouter, "cnc-01"),
        new("Production:StopReasonAfter", "00:00:05"),
    ];

    private static IEnumerable<KeyValuePair<string, string>> Centre(int index, string id, string name, WorkCentreKind kind, string machine) =>
    [
        new($"Production:WorkCentres:{index}:Id", id),
        new($"Production:WorkCentres:{index}:Name", name),
        new($"Production:WorkCentres:{index}:Kind", kind.ToString()),
        new($"Production:WorkCentres:{index}:Machines:0", machine),
        new($"Production:WorkCentres:{index}:CycleSeconds", "20"),
    ];

    internal IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The machine reports its absolute piece counter (and state) as edge <paramref name="edge"/> would, with the given sequences.</summary>
    internal Task ReportAsync(string machine, string edge, params (ulong Sequence, Signal Signal, double Value, DateTimeOffset At)[] samples) =>
        Grains.GetGrain<IMachineGrain>(machine).Apply("plant", edge, [.. samples.Select(s => new MachineSample(s.Sequence, s.Signal, s.At, s.Value, null))]);

    /// <summary>The machine's piece counter reads <paramref name="raw"/> now (each call a new sequence of edge "edge-t").</summary>
    internal Task CounterAsync(string machine, double raw) =>
        ReportAsync(machine, "edge-t", (Interlocked.Increment(ref _sequence), Signal.PieceCounter, raw, DateTimeOffset.UtcNow));

    /// <summary>An order with the given parts, each routed from the shop's work centres, as an import would create it.</summary>
    internal async Task<ProductionOrder> CreateOrderAsync(string number, params Part[] parts)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var centres = await db.WorkCentres.ToListAsync();
        var order = new ProductionOrder { Number = number, Customer = "Test kitchens", DueDate = new DateOnly(2026, 12, 31), CreatedAt = DateTimeOffset.UtcNow };
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        foreach (var (part, line) in parts.Select((p, i) => (p, i + 1)))
        {
            part.OrderId = order.Id;
            part.Line = line;
            part.Operations = [.. Routing.Derive(part, centres).Operations];
            part.Operations.ForEach(o => o.OrderId = order.Id);
            db.Parts.Add(part);
        }

        await db.SaveChangesAsync();
        return order;
    }

    internal async Task<T> QueryAsync<T>(Func<ProductionDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ProductionDbContext>());
    }

    internal static Part Panel(string name, int quantity, string? edge = null, string? program = null) => new()
    {
        Name = name,
        Material = "Egger W1000 ST9",
        Thickness = 18,
        Length = 720,
        Width = 560,
        Quantity = quantity,
        Grain = GrainDirection.Length,
        EdgeL1 = edge,
        Program = program,
    };
}

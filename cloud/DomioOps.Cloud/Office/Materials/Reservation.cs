using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Office.Materials;

/// <summary>What a production order holds reserved of one material, in its unit.</summary>
internal sealed record ReservedMaterial(long MaterialId, MaterialKind Kind, string Name, MaterialUnit Unit, long WarehouseId, decimal Quantity);

/// <summary>
/// A material of the cut list that the catalogue does not know (<see cref="Kind"/> sheet: by name and thickness; edge:
/// by name), and the cut list lines that name it: nothing is reserved for them until the catalogue has it.
/// </summary>
internal sealed record UnknownMaterial(MaterialKind Kind, string Name, decimal? Thickness, IReadOnlyList<int> Lines);

/// <summary>
/// A production order's reservation as it is now: <see cref="Materials"/> held (none when the order is done or the
/// reservation was released), and the materials of its cut list the catalogue does not know.
/// </summary>
internal sealed record Reservation(long ProductionOrderId, string OrderNumber, bool Released, IReadOnlyList<ReservedMaterial> Materials,
    IReadOnlyList<UnknownMaterial> Unknown);

/// <summary>
/// What a cut list needs of the catalogue's materials. A sheet material: Σ length × width × quantity of its parts, in m²,
/// times its waste factor. An edge band: Σ of the lengths of the edged sides (L1 and L2 are the part's length, W1 and W2
/// its width) × quantity, in m. Each rounded to 0.001 (away from zero), the ledger's precision.
/// </summary>
internal static class MaterialNeeds
{
    public static (Dictionary<long, decimal> Needs, List<UnknownMaterial> Unknown) Of(IReadOnlyList<Part> parts, IReadOnlyList<Material> catalogue)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(catalogue);
        var sheets = catalogue.Where(m => m.Kind == MaterialKind.Sheet && m.Thickness is not null)
            .ToDictionary(m => (Key(m.Name), m.Thickness!.Value));
        var edges = catalogue.Where(m => m.Kind == MaterialKind.Edge).GroupBy(m => Key(m.Name)).ToDictionary(g => g.Key, g => g.First());
        var area = new Dictionary<long, decimal>();
        var length = new Dictionary<long, decimal>();
        var unknown = new Dictionary<(MaterialKind, string, decimal?), (string Name, SortedSet<int> Lines)>();
        foreach (var part in parts)
        {
            if (sheets.TryGetValue((Key(part.Material), part.Thickness), out var sheet))
            {
                area[sheet.Id] = area.GetValueOrDefault(sheet.Id) + (part.Length * part.Width * part.Quantity / 1_000_000m);
            }
            else
            {
                Unknown(unknown, MaterialKind.Sheet, part.Material, part.Thickness, part.Line);
            }

            foreach (var (tape, side) in new[] { (part.EdgeL1, part.Length), (part.EdgeL2, part.Length), (part.EdgeW1, part.Width), (part.EdgeW2, part.Width) })
            {
                if (tape is null)
                {
                    continue;
                }

                if (edges.TryGetValue(Key(tape), out var edge))
                {
                    length[edge.Id] = length.GetValueOrDefault(edge.Id) + (side * part.Quantity / 1000m);
                }
                else
                {
                    Unknown(unknown, MaterialKind.Edge, tape, null, part.Line);
                }
            }
        }

        var needs = new Dictionary<long, decimal>();
        foreach (var (id, m2) in area)
        {
            needs[id] = Round(m2 * catalogue.First(m => m.Id == id).WasteFactor);
        }

        foreach (var (id, metres) in length)
        {
            needs[id] = Round(metres);
        }

        return (needs, [.. unknown.Select(u => new UnknownMaterial(u.Key.Item1, u.Value.Name, u.Key.Item3, [.. u.Value.Lines]))]);
    }

    public static decimal Round(decimal quantity) => Math.Round(quantity, 3, MidpointRounding.AwayFromZero);

    /// <summary>How a cut list's name meets the catalogue's: trimmed, case and inner spacing ignored.</summary>
    public static string Key(string name) => string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToUpperInvariant();

    private static void Unknown(Dictionary<(MaterialKind, string, decimal?), (string Name, SortedSet<int> Lines)> unknown, MaterialKind kind, string name, decimal? thickness, int line)
    {
        var key = (kind, Key(name), thickness);
        if (!unknown.TryGetValue(key, out var entry))
        {
            entry = (name.Trim(), new SortedSet<int>());
            unknown[key] = entry;
        }

        entry.Lines.Add(line);
    }
}

namespace DomioOps.Cloud.Production;

/// <summary>
/// What a customer's furniture needs made: its parts, each with its routing. Done when every operation of every part is.
/// </summary>
internal sealed class ProductionOrder
{
    public const int MaxNumberLength = 64;
    public const int MaxCustomerLength = 200;

    /// <summary>1 is the most urgent, 5 the least.</summary>
    public const int HighestPriority = 1;
    public const int LowestPriority = 5;

    public long Id { get; set; }

    public string Number { get; set; } = "";

    public string Customer { get; set; } = "";

    public DateOnly DueDate { get; set; }

    public int Priority { get; set; } = 3;

    /// <summary>The cut list it was imported from, if any.</summary>
    public string? Source { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public List<Part> Parts { get; set; } = [];
}

/// <summary>
/// A panel of an order: material, size, quantity, grain, edge banding per side (L1 L2 along the length, W1 W2 along
/// the width; null where the side has none) and its CNC program. Its <see cref="Operations"/> are its routing, in order.
/// </summary>
internal sealed class Part
{
    public long Id { get; set; }

    public long OrderId { get; set; }

    /// <summary>Its row in the cut list (or its position in the order).</summary>
    public int Line { get; set; }

    public string Name { get; set; } = "";

    public string Material { get; set; } = "";

    /// <summary>Millimetres, as are <see cref="Length"/> and <see cref="Width"/>.</summary>
    public decimal Thickness { get; set; }

    public decimal Length { get; set; }

    public decimal Width { get; set; }

    public int Quantity { get; set; }

    public GrainDirection Grain { get; set; }

    public string? EdgeL1 { get; set; }

    public string? EdgeL2 { get; set; }

    public string? EdgeW1 { get; set; }

    public string? EdgeW2 { get; set; }

    public string? Program { get; set; }

    public bool IsEdged => EdgeL1 is not null || EdgeL2 is not null || EdgeW1 is not null || EdgeW2 is not null;

    public List<Operation> Operations { get; set; } = [];
}

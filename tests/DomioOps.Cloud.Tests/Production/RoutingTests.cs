using DomioOps.Cloud.Production;

namespace DomioOps.Cloud.Tests.Production;

public sealed class RoutingTests
{
    private static readonly WorkCentre[] Shop =
    [
        new() { Id = "saw-b", Kind = WorkCentreKind.PanelSaw, SetupMinutes = 15, CycleSeconds = 40 },
        new() { Id = "saw-a", Kind = WorkCentreKind.PanelSaw, SetupMinutes = 10, CycleSeconds = 30 },
        new() { Id = "edging", Kind = WorkCentreKind.Edgebander, SetupMinutes = 20, CycleSeconds = 25 },
        new() { Id = "cnc", Kind = WorkCentreKind.CncRouter, SetupMinutes = 5, CycleSeconds = 90 },
        new() { Id = "drill", Kind = WorkCentreKind.Drilling, SetupMinutes = 5, CycleSeconds = 60 },
    ];

    [Fact]
    public void Derive_PlainPanel_IsCutOnlyAtTheFirstSaw()
    {
        var result = Routing.Derive(Part(quantity: 7), Shop);

        var only = Assert.Single(result.Operations);
        Assert.Equal((1, "saw-a", 10m, 30m, 7, OperationState.Ready), (only.Step, only.WorkCentreId, only.SetupMinutes, only.CycleSeconds, only.Planned, only.State));
        Assert.Null(result.MissingKind);
    }

    [Fact]
    public void Derive_EdgedPartWithProgram_SawThenEdgebanderThenCnc()
    {
        var result = Routing.Derive(Part(edgeW2: "ABS 0.4", program: "door.mpr"), Shop);

        Assert.Equal([(1, "saw-a", OperationState.Ready), (2, "edging", OperationState.Planned), (3, "cnc", OperationState.Planned)],
            result.Operations.Select(o => (o.Step, o.WorkCentreId, o.State)));
    }

    [Fact]
    public void Derive_ProgramWithoutCncRouter_GoesToDrilling()
    {
        var result = Routing.Derive(Part(program: "holes.mpr"), [.. Shop.Where(c => c.Kind != WorkCentreKind.CncRouter)]);

        Assert.Equal(["saw-a", "drill"], result.Operations.Select(o => o.WorkCentreId));
    }

    [Fact]
    public void Derive_NoEdgebanderForAnEdgedPart_NamesTheMissingKind()
    {
        var result = Routing.Derive(Part(edgeL1: "PVC 2"), [.. Shop.Where(c => c.Kind != WorkCentreKind.Edgebander)]);

        Assert.Empty(result.Operations);
        Assert.Equal(WorkCentreKind.Edgebander, result.MissingKind);
    }

    private static Part Part(int quantity = 1, string? edgeL1 = null, string? edgeW2 = null, string? program = null) => new()
    {
        Name = "Side",
        Material = "Kronospan K001",
        Thickness = 18,
        Length = 2000,
        Width = 600,
        Quantity = quantity,
        EdgeL1 = edgeL1,
        EdgeW2 = edgeW2,
        Program = program,
    };
}

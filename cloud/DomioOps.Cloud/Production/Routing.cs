namespace DomioOps.Cloud.Production;

/// <summary>
/// A part's routing derived from the part: every panel is cut on the panel saw; an edged part then visits the
/// edgebander; a part with a program visits the CNC router (or, where the shop has none, the drilling centre). Each step
/// starts with its work centre's standard set-up and cycle time; planners edit the result.
/// </summary>
internal static class Routing
{
    /// <summary>The steps of <paramref name="part"/>, at the first work centre of each kind in <paramref name="workCentres"/> (by id).</summary>
    public static RoutingResult Derive(Part part, IReadOnlyList<WorkCentre> workCentres)
    {
        ArgumentNullException.ThrowIfNull(part);
        var kinds = new List<WorkCentreKind> { WorkCentreKind.PanelSaw };
        if (part.IsEdged)
        {
            kinds.Add(WorkCentreKind.Edgebander);
        }

        if (part.Program is not null)
        {
            kinds.Add(workCentres.Any(c => c.Kind == WorkCentreKind.CncRouter) ? WorkCentreKind.CncRouter : WorkCentreKind.Drilling);
        }

        var operations = new List<Operation>(kinds.Count);
        foreach (var kind in kinds)
        {
            var centre = workCentres.Where(c => c.Kind == kind).OrderBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault();
            if (centre is null)
            {
                return new RoutingResult([], kind);
            }

            operations.Add(new Operation
            {
                Step = operations.Count + 1,
                WorkCentreId = centre.Id,
                SetupMinutes = centre.SetupMinutes,
                CycleSeconds = centre.CycleSeconds,
                Planned = part.Quantity,
                State = operations.Count == 0 ? OperationState.Ready : OperationState.Planned,
            });
        }

        return new RoutingResult(operations, null);
    }
}

/// <summary>The derived operations, or the kind of work centre the part needs and the shop lacks.</summary>
internal sealed record RoutingResult(IReadOnlyList<Operation> Operations, WorkCentreKind? MissingKind);

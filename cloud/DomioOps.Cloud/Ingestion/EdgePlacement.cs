using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace DomioOps.Cloud.Ingestion;

/// <summary>
/// Places an edge's grain on the silo that owns the edge (<see cref="EdgeOwners"/>): the silo whose consumer subscribes
/// to that edge's telemetry, so its batches are taken, ordered and committed without crossing to another silo.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class EdgePlacement : PlacementStrategy
{
    public static readonly EdgePlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class EdgePlacementAttribute() : PlacementAttribute(EdgePlacement.Instance);

/// <summary>The owner among the silos compatible with the grain; a placement hint (a migration's target) comes first.</summary>
internal sealed class EdgePlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        return Task.FromResult(IPlacementDirector.GetPlacementHint(target.RequestContextData, silos)
            ?? EdgeOwners.Owner(target.GrainIdentity.Key.ToString(), silos));
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Ingestion;

/// <summary>Registers the edges of <see cref="BrokerOptions.Edges"/> at start, before the broker accepts connections.</summary>
internal sealed class EdgeRegistrySeeding(IOptions<BrokerOptions> options, IGrainFactory grains) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IEdgeRegistryGrain>(IEdgeRegistryGrain.Key);
        foreach (var edge in options.Value.Edges)
        {
            if ((await registry.Find(edge.Site, edge.Id))?.PasswordHash != edge.PasswordHash)
            {
                await registry.Register(edge.Site, edge.Id, edge.PasswordHash);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

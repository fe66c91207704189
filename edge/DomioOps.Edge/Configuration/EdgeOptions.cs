using DomioOps.Edge.Acquisition;
using DomioOps.Edge.Publishing;
using DomioOps.Edge.StoreAndForward;

namespace DomioOps.Edge.Configuration;

/// <summary>The edge agent's configuration (section <c>Edge</c>).</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>The site (plant, hall) this edge belongs to.</summary>
    public string Site { get; set; } = "";

    /// <summary>This edge's id, unique within its site.</summary>
    public string Id { get; set; } = "";

    /// <summary>Where the durable queue lives.</summary>
    public string DataDirectory { get; set; } = "data";

    public QueueOptions Queue { get; set; } = new();

    public PublishingOptions Publishing { get; set; } = new();

    /// <summary>The cloud's configuration key and the endpoints a remote configuration may use; local only.</summary>
    public RemoteConfigurationOptions RemoteConfiguration { get; set; } = new();

    public DevicesOptions Devices { get; set; } = new();

    /// <summary>Keys of <see cref="Devices"/> that could not be read (unknown, or a value that does not convert): reported by the validation.</summary>
    internal IReadOnlyList<string> DeviceErrors { get; set; } = [];
}

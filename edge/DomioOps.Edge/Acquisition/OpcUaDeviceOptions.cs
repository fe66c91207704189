using DomioOps.Devices.OpcUa.Services;
using DomioOps.Edge.Signals;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// An OPC UA server read through one session with one subscription: its configured <see cref="Tags"/> and, with
/// <see cref="AutoMap"/>, every woodworking machine (OPC 40550-1 WwMachineType) it exposes.
/// </summary>
public sealed class OpcUaDeviceOptions
{
    /// <summary>The machine id of <see cref="Tags"/>; auto-mapped machines get theirs from the server (see <see cref="MachineIds"/>).</summary>
    public string Machine { get; set; } = "";

    /// <summary>e.g. opc.tcp://192.168.10.5:4840.</summary>
    public string EndpointUrl { get; set; } = "";

    /// <summary>None, Basic256Sha256 (with SignAndEncrypt); None by default.</summary>
    public string SecurityPolicy { get; set; } = "None";

    public string? UserName { get; set; }

    /// <summary>Give it through the environment, not in appsettings.json.</summary>
    public string? Password { get; set; }

    /// <summary>How often the server sends the changes it sampled.</summary>
    public TimeSpan PublishingInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Default sampling interval of the monitored items (a tag may set its own).</summary>
    public TimeSpan SamplingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Default server-side queue of each monitored item: changes sampled between two publishes are kept, up to this many.</summary>
    public uint QueueSize { get; set; } = 10;

    /// <summary>Find the server's woodworking machines and map their State, Flags and Values to signals without tags.</summary>
    public bool AutoMap { get; set; }

    /// <summary>Machine ids for auto-mapped machines, keyed by the id the server gives (Identification or browse name).</summary>
    public Dictionary<string, string> MachineIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Variables of <see cref="Machine"/>. With <see cref="AutoMap"/>, when <see cref="Machine"/> is the id of a machine
    /// found on the server, its tags add to that machine's woodworking signals (a vendor's spindle vibration, say) and
    /// replace the woodworking variable of any signal they read (a vendor's alarm code instead of the Alarm flag).
    /// </summary>
    public List<NodeTagOptions> Tags { get; set; } = [];
}

/// <summary>An OPC UA variable mapped to a canonical signal, monitored in the device's subscription.</summary>
public sealed class NodeTagOptions : TagOptions
{
    /// <summary>The variable, e.g. <c>ns=2;s=Spindle.Load</c>, or with the namespace URI: <c>nsu=http://vendor/;s=Spindle.Load</c>.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>The device's sampling interval when not set.</summary>
    public TimeSpan? SamplingInterval { get; set; }

    /// <summary>The device's queue size when not set.</summary>
    public uint? QueueSize { get; set; }

    /// <summary>
    /// The server-side data change filter's deadband (OPC 10000-4 §7.22.2): None, Absolute (in raw units, the tag's
    /// <see cref="TagOptions.Deadband"/> ÷ Scale) or Percent (of the variable's EURange, in <see cref="DeadbandValue"/>).
    /// </summary>
    public DeadbandType DeadbandType { get; set; } = DeadbandType.None;

    /// <summary>With <see cref="DeadbandType.Percent"/>: the percentage.</summary>
    public double DeadbandValue { get; set; }
}

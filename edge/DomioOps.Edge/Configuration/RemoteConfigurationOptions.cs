namespace DomioOps.Edge.Configuration;

/// <summary>
/// Whether and within which bounds the cloud may change this edge's devices (<c>Edge:RemoteConfiguration</c>). Set
/// only locally: a remote configuration sets nothing but <c>Edge:Devices</c>.
/// </summary>
public sealed class RemoteConfigurationOptions
{
    public const string Section = "RemoteConfiguration";

    /// <summary>
    /// The cloud's configuration key as PEM text (<c>-----BEGIN PUBLIC KEY-----</c>, ECDSA P-256), shown when the edge
    /// was registered. Only configurations it signed are applied; without a key (here or in <see cref="SigningKeyPath"/>)
    /// every remote configuration is refused.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>A PEM file holding the cloud's configuration key; the alternative to <see cref="SigningKey"/>.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>
    /// Endpoints a remote configuration may read besides those of the local devices: <c>host:port</c>, where host is a
    /// name (<c>*</c> matches any characters, e.g. <c>plc-*.hall1</c>), an address, or a CIDR block
    /// (<c>10.1.2.0/24</c>, <c>[fd00::/64]</c>), and port a number or <c>*</c>.
    /// </summary>
    public List<string> AllowedEndpoints { get; set; } = [];

    /// <summary>Serial ports a remote configuration may open besides those of the local devices, e.g. <c>/dev/ttyUSB*</c> (<c>*</c> stops at a <c>/</c>).</summary>
    public List<string> AllowedSerialPorts { get; set; } = [];

    internal bool HasSigningKey => !string.IsNullOrWhiteSpace(SigningKey) || !string.IsNullOrWhiteSpace(SigningKeyPath);
}

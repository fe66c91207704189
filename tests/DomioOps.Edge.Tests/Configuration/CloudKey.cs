using System.Security.Cryptography;

using DomioOps.Models;
using DomioOps.Models.Wire;

using Google.Protobuf;

namespace DomioOps.Edge.Tests.Configuration;

/// <summary>A cloud's configuration key pair: its public half as the admin is given it, its private half to sign with.</summary>
internal sealed class CloudKey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>"-----BEGIN PUBLIC KEY-----", as the cloud shows it when an edge is registered.</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    public string WritePublicKey(string folder, string name = "cloud-configuration-key.pem")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, PublicKeyPem);
        return path;
    }

    /// <summary>The configuration with this key's signature over its site, edge, version and devices.</summary>
    public EdgeConfiguration Sign(EdgeConfiguration configuration)
    {
        configuration.Signature = ByteString.CopyFrom(EdgeConfigurationSignature.Sign(_key, configuration.Site, configuration.Edge, configuration.Version, configuration.DevicesJson));
        return configuration;
    }

    public void Dispose() => _key.Dispose();
}

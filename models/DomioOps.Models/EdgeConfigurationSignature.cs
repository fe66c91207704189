using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using DomioOps.Models.Wire;

namespace DomioOps.Models;

/// <summary>
/// How the cloud signs an <see cref="EdgeConfiguration"/> and an edge checks it: ECDSA over P-256 with SHA-256, the
/// signature in IEEE P1363 form (r||s), over bytes that do not depend on the protobuf encoding. Site and edge ids
/// hold no line feed (<see cref="EdgeTopics.IsValidId"/>), and the JSON comes last, so the bytes are unambiguous.
/// </summary>
public static class EdgeConfigurationSignature
{
    private const string Domain = "domio/v1/edge-configuration";

    public static byte[] SignedBytes(string site, string edge, ulong version, string devicesJson) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Domain}\n{site}\n{edge}\n{version}\n{devicesJson}"));

    public static byte[] Sign(ECDsa key, string site, string edge, ulong version, string devicesJson) =>
        key.SignData(SignedBytes(site, edge, version, devicesJson), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>True when <paramref name="configuration"/> carries a valid signature by <paramref name="key"/>.</summary>
    public static bool Verify(ECDsa key, EdgeConfiguration configuration) =>
        configuration.Signature.Length > 0
        && key.VerifyData(
            SignedBytes(configuration.Site, configuration.Edge, configuration.Version, configuration.DevicesJson),
            configuration.Signature.Span,
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
}

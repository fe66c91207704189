using System.Security.Cryptography;

namespace DomioOps.Edge.Configuration;

/// <summary>
/// The cloud's configuration key pinned in <see cref="RemoteConfigurationOptions"/>: an ECDSA P-256 public key in PEM
/// (<c>-----BEGIN PUBLIC KEY-----</c>, SubjectPublicKeyInfo), the form the cloud shows when an edge is registered.
/// </summary>
internal static class ConfigurationSigningKey
{
    private const string PublicKeyLabel = "PUBLIC KEY";
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string Fix = "give the cloud's configuration key, shown when the edge was registered (\"-----BEGIN PUBLIC KEY-----\", ECDSA P-256)";

    /// <summary>
    /// The key (null when none is set), or false with the key of <see cref="RemoteConfigurationOptions"/> at fault
    /// (relative to <c>Edge</c>) and what is wrong with it and how to fix it.
    /// </summary>
    public static bool TryLoad(RemoteConfigurationOptions options, out ECDsa? key, out (string Key, string Problem) failure)
    {
        const string Inline = $"{RemoteConfigurationOptions.Section}:{nameof(RemoteConfigurationOptions.SigningKey)}";
        const string InFile = $"{RemoteConfigurationOptions.Section}:{nameof(RemoteConfigurationOptions.SigningKeyPath)}";
        key = null;
        failure = default;
        var inline = !string.IsNullOrWhiteSpace(options.SigningKey);
        var file = !string.IsNullOrWhiteSpace(options.SigningKeyPath);
        if (inline && file)
        {
            failure = (InFile, "set either SigningKey (the PEM text) or SigningKeyPath (a PEM file), not both");
            return false;
        }

        if (inline)
        {
            return TryParse(options.SigningKey!, "the text", out key, out var problem) || Fail(Inline, problem, out failure);
        }

        if (!file)
        {
            return true;
        }

        var path = options.SigningKeyPath!;
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail(InFile, $"'{path}' cannot be read ({e.Message}): {Fix}", out failure);
        }

        return TryParse(pem, $"'{path}'", out key, out var fileProblem) || Fail(InFile, fileProblem, out failure);
    }

    private static bool Fail(string key, string problem, out (string Key, string Problem) failure)
    {
        failure = (key, problem);
        return false;
    }

    private static bool TryParse(string pem, string what, out ECDsa? key, out string problem)
    {
        (key, problem) = (null, "");
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            problem = $"{what} holds no PEM block: {Fix}";
            return false;
        }

        var label = pem[fields.Label];
        if (label != PublicKeyLabel)
        {
            problem = label.Contains("PRIVATE", StringComparison.Ordinal)
                ? $"{what} holds a private key ({label}): {Fix}; the private key stays with the cloud"
                : $"{what} holds a {label}, not a public key: {Fix}";
            return false;
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(pem[fields.Base64Data]), out _);
            if (ecdsa.ExportParameters(includePrivateParameters: false).Curve.Oid.Value != P256)
            {
                problem = $"{what} holds an ECDSA key on another curve than P-256: {Fix}";
                ecdsa.Dispose();
                return false;
            }
        }
        catch (CryptographicException e)
        {
            problem = $"{what} is not an ECDSA public key ({e.Message}): {Fix}";
            ecdsa.Dispose();
            return false;
        }

        key = ecdsa;
        return true;
    }
}

using System.Net;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Cluster;

/// <summary>
/// What data annotations cannot say: the silo binds a private or loopback address unless told otherwise, and a silo
/// bound to anything but loopback speaks TLS (its certificate and the cluster CA readable and consistent) unless
/// <c>Silo:AllowInsecureClusterTraffic</c> says clear text is wanted; a silo with Kubernetes hosting on is given its pod's name.
/// </summary>
internal sealed class SiloOptionsValidator(TimeProvider time) : IValidateOptions<SiloOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var failures = new List<string>();
        var endpoints = SiloNetwork.Resolve(options, SiloNetwork.HostAddresses(), failures);
        if (options.Tls.IsConfigured)
        {
            try
            {
                ClusterTls.Load(options.Tls, time).Dispose();
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e.Message);
            }
        }
        else if (endpoints is not null && !IPAddress.IsLoopback(endpoints.Listen) && !options.AllowInsecureClusterTraffic)
        {
            failures.Add($"Silo:Tls:CertificatePath is required: the silo listens on {endpoints.Listen}, not loopback, and without TLS anyone who reaches "
                + "its ports can join the cluster or call grains. Give it a certificate of the cluster CA (Silo:Tls:CertificatePath, Silo:Tls:KeyPath) "
                + "and the CA (Silo:Tls:CaCertificatePath), or set Silo:AllowInsecureClusterTraffic=true on a network you trust.");
        }

        KubernetesPod.Validate(options, Environment.GetEnvironmentVariable, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.DependencyInjection;

using Orleans.Hosting.Kubernetes;

namespace DomioOps.Cloud.Cluster;

/// <summary>
/// The silo as a Kubernetes pod (<c>Silo:KubernetesHosting</c>): Orleans' Kubernetes hosting names the silo after its
/// pod, labels the pod with the service and cluster ids, watches the cluster's pods, declares a silo dead as soon as
/// its pod is deleted and deletes the pod of a silo that membership declared dead (so a silo cut off from its peers is
/// replaced, not left running). Membership stays in PostgreSQL; the address and ports stay the ones of
/// <see cref="SiloOptions"/> (deploy/kubernetes gives <c>Silo:AdvertisedAddress</c> the pod's IP).
/// </summary>
internal static class KubernetesPod
{
    public const string PodNameVariable = KubernetesHostingOptions.PodNameEnvironmentVariable;

    public const string PodNamespaceVariable = KubernetesHostingOptions.PodNamespaceEnvironmentVariable;

    /// <summary>Adds Orleans' Kubernetes hosting to the silo's services when <see cref="SiloOptions.KubernetesHosting"/> is on.</summary>
    public static void Apply(IServiceCollection silo, SiloOptions options)
    {
        if (options.KubernetesHosting)
        {
            silo.UseKubernetesHosting(hosting => hosting.Configure(kubernetes => kubernetes.DeleteDefunctSiloPods = true));
        }
    }

    /// <summary>Adds to <paramref name="failures"/> what the pod must give a silo with Kubernetes hosting on and does not.</summary>
    public static void Validate(SiloOptions options, Func<string, string?> environment, List<string> failures)
    {
        if (!options.KubernetesHosting)
        {
            return;
        }

        foreach (var (variable, field) in new[] { (PodNameVariable, "metadata.name"), (PodNamespaceVariable, "metadata.namespace") })
        {
            if (string.IsNullOrWhiteSpace(environment(variable)))
            {
                failures.Add($"Silo:KubernetesHosting is on but {variable} is not set: give it from the downward API (env {variable}, valueFrom.fieldRef.fieldPath "
                    + $"{field}) as deploy/kubernetes/cloud.yaml does, or set Silo:KubernetesHosting=false outside Kubernetes.");
            }
        }
    }
}

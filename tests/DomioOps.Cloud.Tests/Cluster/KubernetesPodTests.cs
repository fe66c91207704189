using DomioOps.Cloud.Cluster;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using Orleans.Hosting.Kubernetes;

namespace DomioOps.Cloud.Tests.Cluster;

public sealed class KubernetesPodTests
{
    [Fact]
    public void Apply_KubernetesHostingOff_AddsNothing()
    {
        var services = new ServiceCollection();

        KubernetesPod.Apply(services, new SiloOptions());

        Assert.Empty(services);
    }

    [Fact]
    public void Apply_KubernetesHostingOn_AddsKubernetesHostingThatDeletesDefunctPods()
    {
        var services = new ServiceCollection();

        KubernetesPod.Apply(services, new SiloOptions { KubernetesHosting = true });

        Assert.Contains(services, s => s.ServiceType == typeof(IValidateOptions<KubernetesHostingOptions>));
        var options = new KubernetesHostingOptions();
        foreach (var configure in services.Select(s => s.ImplementationInstance).OfType<IConfigureOptions<KubernetesHostingOptions>>())
        {
            configure.Configure(options);
        }

        Assert.True(options.DeleteDefunctSiloPods);
    }

    [Fact]
    public void Validate_KubernetesHostingOnWithoutPodVariables_NamesBothAndTheFieldPaths()
    {
        var failures = new List<string>();

        KubernetesPod.Validate(new SiloOptions { KubernetesHosting = true }, _ => null, failures);

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("Silo:KubernetesHosting is on but POD_NAME is not set", failures[0], StringComparison.Ordinal);
        Assert.Contains("fieldPath metadata.name", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Silo:KubernetesHosting is on but POD_NAMESPACE is not set", failures[1], StringComparison.Ordinal);
        Assert.Contains("fieldPath metadata.namespace", failures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KubernetesHostingOnWithPodVariables_Succeeds()
    {
        var pod = new Dictionary<string, string> { ["POD_NAME"] = "domio-cloud-7c9f-x2k4q", ["POD_NAMESPACE"] = "domio" };
        var failures = new List<string>();

        KubernetesPod.Validate(new SiloOptions { KubernetesHosting = true }, name => pod.GetValueOrDefault(name), failures);

        Assert.Empty(failures);
    }

    [Fact]
    public void Validate_KubernetesHostingOff_IgnoresPodVariables()
    {
        var failures = new List<string>();

        KubernetesPod.Validate(new SiloOptions(), _ => null, failures);

        Assert.Empty(failures);
    }
}

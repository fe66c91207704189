using System.Reflection;

using Microsoft.Extensions.Hosting;

namespace DomioOps.Cloud.Tests.Cluster;

/// <summary>
/// Stops and disposes the silo hosts the tests start, so that nothing of a silo keeps running after its test.
/// </summary>
/// <remarks>
/// Orleans 10.4's grain directory follows membership in a loop (<c>LocalGrainDirectory.ProcessMembershipUpdates</c>) that
/// ends only when the directory is stopped. When a silo's host is disposed without its directory having stopped (a
/// start that failed half-way, a stop that ran out of time, a host disposed without a stop), disposing the membership
/// service completes the updates the loop waits on, and the loop spins on a core for the rest of the test process: a
/// few such silos made the later tests of a run several times slower. So every test host goes through
/// <see cref="StopAsync"/>, which ends that loop before the host is disposed.
/// </remarks>
internal static class SiloHosts
{
    private static readonly Type? Directory = Type.GetType("Orleans.Runtime.GrainDirectory.LocalGrainDirectory, Orleans.Runtime", throwOnError: true);

    private static readonly FieldInfo Loop = Directory!.GetField("membershipUpdatesTask", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Orleans' LocalGrainDirectory has no field membershipUpdatesTask any more: see whether its membership loop still needs ending (SiloHosts).");

    private static readonly MethodInfo StopDirectory = Directory!.GetMethod("StopAsync", BindingFlags.Instance | BindingFlags.Public, Type.EmptyTypes)
        ?? throw new InvalidOperationException("Orleans' LocalGrainDirectory has no StopAsync() any more (SiloHosts).");

    /// <summary>Stops <paramref name="host"/> (within <paramref name="timeout"/>, 60 s if not given), ends its grain directory's loop, disposes it.</summary>
    public static async Task StopAsync(IHost host, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await host.StopAsync(limit.Token);
        }
        finally
        {
            await EndDirectoryLoopAsync(host.Services);
            if (host is IAsyncDisposable asynchronous)
            {
                await asynchronous.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }

    /// <summary>
    /// Disposes a host whose start failed (a silo that could not join, a host refused by its options): it is not stopped,
    /// since it never ran, but its grain directory's loop may have started and is ended first.
    /// </summary>
    public static async Task AbandonAsync(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        await EndDirectoryLoopAsync(host.Services);
        if (host is IAsyncDisposable asynchronous)
        {
            await asynchronous.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    /// <summary>Ends the grain directory's membership loop of a silo's services if it is still running; true when it had to.</summary>
    public static async Task<bool> EndDirectoryLoopAsync(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.GetService(Directory!) is not { } directory || Loop.GetValue(directory) is not Task { IsCompleted: false })
        {
            return false;
        }

        await ((Task)StopDirectory.Invoke(directory, null)!).WaitAsync(TimeSpan.FromSeconds(30));
        return true;
    }
}

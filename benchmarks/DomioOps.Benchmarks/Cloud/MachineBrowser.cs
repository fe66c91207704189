using System.Net;
using System.Net.Http.Json;

using Microsoft.AspNetCore.SignalR.Client;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>
/// A browser as the latency harnesses see it: the administrator signed in, connected to <c>/hubs/machines</c>, told of
/// every <c>MachineChanged</c> with the time it arrived.
/// </summary>
internal sealed class MachineBrowser : IAsyncDisposable
{
    private readonly HubConnection _hub;

    private MachineBrowser(HubConnection hub) => _hub = hub;

    /// <summary>Signs in and connects; <paramref name="changed"/> gets each change and when it arrived (on SignalR's thread).</summary>
    public static async Task<MachineBrowser> ConnectAsync(IngestionCloud cloud, Action<MachineChange, DateTimeOffset> changed, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using (var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = cloud.Process.BaseAddress })
        {
            using var signIn = await http.PostAsJsonAsync("api/account/sign-in", new { userName = "admin", password = cloud.AdminPassword }, ct);
            signIn.EnsureSuccessStatusCode();
        }

        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(cloud.Process.BaseAddress, "hubs/machines"), options => options.Cookies = cookies)
            .Build();
        hub.On<MachineChange>("MachineChanged", machine => changed(machine, DateTimeOffset.UtcNow));
        try
        {
            await hub.StartAsync(ct);
        }
        catch
        {
            await hub.DisposeAsync();
            throw;
        }

        return new MachineBrowser(hub);
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();
}

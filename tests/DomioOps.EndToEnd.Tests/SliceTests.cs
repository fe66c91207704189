using System.Net.Http.Json;

namespace DomioOps.EndToEnd.Tests;

/// <summary>Simulated saw → edge → MQTT → Orleans → API, as real processes with a real PostgreSQL.</summary>
public sealed class SliceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PieceProduced_ShowsThroughApi_CountedExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var slice = await Slice.StartAsync(ct);

        var producing = await slice.WaitForMachineAsync(m => m.PieceCount >= 3, Bound, ct);
        Assert.Equal(Slice.Site, producing.Site);

        var held = await slice.HoldSawAsync(true, ct);
        var settled = await slice.WaitForMachineAsync(m => m.PieceCount >= held.Pieces, Bound, ct);
        Assert.Equal(held.Pieces, settled.PieceCount);
        await AssertEveryReadingCommittedOnceAsync(slice, ct);
    }

    [Fact]
    public async Task RemoteConfiguration_AppliedAndReported_InvalidOneRefusedAndLastGoodKept()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var slice = await Slice.StartAsync(ct);
        await slice.WaitForMachineAsync(m => m.PieceCount >= 1, Bound, ct);
        var uri = new Uri($"api/edges/{Slice.Site}/{Slice.EdgeId}/configuration", UriKind.Relative);

        using var local = await slice.CloudHttp.PutAsJsonAsync(uri, new { Publishing = new { BrokerHost = "elsewhere" } }, ct);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, local.StatusCode);

        using var good = await slice.CloudHttp.PutAsJsonAsync(uri, Devices(slice.ModbusPort), ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, good.StatusCode);
        var applied = await WaitForConfigurationAsync(slice, c => c.AppliedVersion == 1, ct);
        Assert.Equal(1ul, applied.Desired!.Version);

        using var bad = await slice.CloudHttp.PutAsJsonAsync(uri, Devices(port: 0), ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, bad.StatusCode);
        var refused = await WaitForConfigurationAsync(slice, c => c.RejectedVersion == 2, ct);
        Assert.Equal(1ul, refused.AppliedVersion);
        Assert.Contains(refused.Errors, e => e.Contains("Edge:Devices:ModbusTcp:0:Port", StringComparison.Ordinal));

        // The last good configuration still reads the saw: every piece arrives.
        var held = await slice.HoldSawAsync(true, ct);
        var settled = await slice.WaitForMachineAsync(m => m.PieceCount >= held.Pieces, Bound, ct);
        Assert.Equal(held.Pieces, settled.PieceCount);

        static object Devices(int port) => new
        {
            Devices = new
            {
                ModbusTcp = new[]
                {
                    new
                    {
                        Machine = Slice.Machine,
                        Port = port,
                        PollInterval = "00:00:00.050",
                        Tags = new object[] { new { Signal = "MachineState", Register = 0 }, new { Signal = "PieceCounter", Register = 1, Type = "UInt32" } },
                    },
                },
            },
        };
    }

    private static async Task<EdgeConfigurationView> WaitForConfigurationAsync(Slice slice, Func<EdgeConfigurationView, bool> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Bound;
        EdgeConfigurationView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await slice.CloudHttp.GetFromJsonAsync<EdgeConfigurationView>($"api/edges/{Slice.Site}/{Slice.EdgeId}/configuration", ct);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException($"after {Bound.TotalSeconds} s the cloud shows {last}\n{slice.Logs()}");
    }

    internal sealed record EdgeConfigurationView(DesiredView? Desired, ulong AppliedVersion, ulong RejectedVersion, IReadOnlyList<string> Errors);

    internal sealed record DesiredView(ulong Version, System.Text.Json.JsonElement Devices);

    [Fact]
    public async Task CloudRestarted_KeepsMachineStateAndGoesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var slice = await Slice.StartAsync(ct);
        var before = await slice.WaitForMachineAsync(m => m.PieceCount >= 2, Bound, ct);

        await slice.Cloud!.StopAsync();
        await slice.StartCloudAsync(ct);

        // Straight after the restart the state comes back from PostgreSQL: nothing went backwards.
        var after = await slice.GetMachineAsync(ct);
        Assert.NotNull(after);
        Assert.True(after.PieceCount >= before.PieceCount, $"restarted cloud shows {after.PieceCount} pieces, had {before.PieceCount}\n{slice.Logs()}");

        var held = await slice.HoldSawAsync(true, ct);
        var settled = await slice.WaitForMachineAsync(m => m.PieceCount >= held.Pieces, Bound, ct);
        Assert.Equal(held.Pieces, settled.PieceCount);
        await AssertEveryReadingCommittedOnceAsync(slice, ct);
    }

    [Fact]
    public async Task EdgeKilledWhileCloudDown_LosesNoQueuedSample()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var slice = await Slice.StartAsync(ct);
        await slice.WaitForMachineAsync(m => m.PieceCount >= 1, Bound, ct);

        // The cloud goes away: the edge keeps polling and queues on disk.
        await slice.Cloud!.StopAsync();
        var pieces = (await slice.GetSawAsync(ct)).Pieces;
        while ((await slice.GetSawAsync(ct)).Pieces < pieces + 3)
        {
            await Task.Delay(100, ct);
        }

        // Then the edge crashes with that backlog, comes back, and the cloud returns.
        await slice.Edge!.StopAsync(kill: true);
        var held = await slice.HoldSawAsync(true, ct);
        await slice.StartEdgeAsync(ct);
        await slice.StartCloudAsync(ct);

        var settled = await slice.WaitForMachineAsync(m => m.PieceCount >= held.Pieces, Bound, ct);
        Assert.Equal(held.Pieces, settled.PieceCount);
        await AssertEveryReadingCommittedOnceAsync(slice, ct);
    }

    /// <summary>
    /// Every sequence the edge issued was committed once: none missing (no gap), and the number accepted
    /// equals the highest sequence, so no sample was counted twice.
    /// </summary>
    private static async Task AssertEveryReadingCommittedOnceAsync(Slice slice, CancellationToken ct)
    {
        var edge = await slice.GetEdgeAsync(ct);
        Assert.True(edge.HighestSequence > 0, slice.Logs());
        Assert.Equal(0ul, edge.MissingSamples);
        Assert.Equal((long)edge.HighestSequence, edge.SamplesAccepted);
    }
}

using System.Net;

using DomioOps.Cloud.Storage;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Npgsql;

using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace DomioOps.Cloud.Tests.Storage;

/// <summary>
/// The membership contract, query by query, through Orleans' own <see cref="AdoNetClusteringTable"/>:
/// the paths a short cluster test never reaches (stale versions, duplicate rows, heartbeats,
/// defunct-silo clean-up, the gateway list) are driven directly.
/// </summary>
public sealed class MembershipTableTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    // Whole seconds: PostgreSQL keeps microseconds, .NET ticks are finer.
    private static readonly DateTime Start = new(2026, 11, 25, 6, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task InsertRowAsync_StaleVersionOrDuplicateSilo_IsRefusedWithoutMovingTheVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await NewTableAsync(database.ConnectionString, "insert", ct);

        var empty = await table.ReadAllAsync(ct);
        Assert.Empty(empty.Members);
        Assert.Equal(0, empty.Version.Version);

        var saw = Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(saw, empty.Version.Next(), ct));
        var edge = Entry(22222, SiloStatus.Joining);
        Assert.False(await table.InsertRowAsync(edge, empty.Version.Next(), ct));

        var one = await table.ReadAllAsync(ct);
        Assert.Equal(1, one.Version.Version);
        Assert.False(await table.InsertRowAsync(saw, one.Version.Next(), ct));
        Assert.Equal(1, (await table.ReadAllAsync(ct)).Version.Version);

        var row = await table.ReadRowAsync(saw.SiloAddress, ct);
        (var read, var etag) = Assert.Single(row.Members);
        Assert.Equal("1", etag);
        Assert.Equal(saw.SiloAddress, read.SiloAddress);
        Assert.Equal(saw.SiloName, read.SiloName);
        Assert.Equal(saw.HostName, read.HostName);
        Assert.Equal(SiloStatus.Joining, read.Status);
        Assert.Equal(saw.ProxyPort, read.ProxyPort);
        Assert.Equal(Start, read.StartTime);
        Assert.Equal(Start, read.IAmAliveTime);
        Assert.Null(read.SuspectTimes);

        Assert.Empty((await table.ReadRowAsync(edge.SiloAddress, ct)).Members);
    }

    [Fact]
    public async Task UpdateRowAsync_StaleVersion_IsRefusedAndCurrentVersionWins()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await NewTableAsync(database.ConnectionString, "update", ct);
        var saw = Entry(11111, SiloStatus.Joining);
        var edge = Entry(22222, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(saw, (await table.ReadAllAsync(ct)).Version.Next(), ct));
        var before = await table.ReadAllAsync(ct);
        Assert.True(await table.InsertRowAsync(edge, before.Version.Next(), ct));

        saw.Status = SiloStatus.Active;
        Assert.False(await table.UpdateRowAsync(saw, before.Version.VersionEtag, before.Version.Next(), ct));

        var current = await table.ReadAllAsync(ct);
        saw.SuspectTimes = [Tuple.Create(edge.SiloAddress, Start.AddMinutes(1))];
        Assert.True(await table.UpdateRowAsync(saw, current.Version.VersionEtag, current.Version.Next(), ct));

        var after = await table.ReadAllAsync(ct);
        Assert.Equal(current.Version.Version + 1, after.Version.Version);
        var read = after.Members.Single(m => m.Item1.SiloAddress.Equals(saw.SiloAddress)).Item1;
        Assert.Equal(SiloStatus.Active, read.Status);
        (var suspecter, var since) = Assert.Single(read.SuspectTimes!);
        Assert.Equal(edge.SiloAddress, suspecter);
        Assert.Equal(Start.AddMinutes(1), since);

        // A silo that has no row cannot be updated, and the version stays put.
        var stranger = Entry(33333, SiloStatus.Active);
        Assert.False(await table.UpdateRowAsync(stranger, after.Version.VersionEtag, after.Version.Next(), ct));
        Assert.Equal(after.Version.Version, (await table.ReadAllAsync(ct)).Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAliveAsync_Heartbeat_MovesOnlyForwardAndKeepsTheVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await NewTableAsync(database.ConnectionString, "heartbeat", ct);
        var saw = Entry(11111, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(saw, (await table.ReadAllAsync(ct)).Version.Next(), ct));

        saw.IAmAliveTime = Start.AddSeconds(30);
        await table.UpdateIAmAliveAsync(saw, ct);
        saw.IAmAliveTime = Start.AddSeconds(10);
        await table.UpdateIAmAliveAsync(saw, ct);

        var read = await table.ReadRowAsync(saw.SiloAddress, ct);
        Assert.Equal(Start.AddSeconds(30), Assert.Single(read.Members).Item1.IAmAliveTime);
        Assert.Equal(1, read.Version.Version);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntriesAsync_DeadAndOld_RemovesOnlyThose()
    {
        var ct = TestContext.Current.CancellationToken;
        await AssertCleanupAsync(database.ConnectionString, "cleanup", ct);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntriesAsync_WithoutPerRowQuery_BulkStatementRemovesOnlyDeadAndOld()
    {
        var ct = TestContext.Current.CancellationToken;
        // Orleans falls back to CleanupDefunctSiloEntriesKey when CleanupDefunctSiloEntryKey is absent.
        var connectionString = await database.MigrateAsync("orleans_bulk_cleanup", ct);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("DELETE FROM OrleansQuery WHERE QueryKey = 'CleanupDefunctSiloEntryKey'", connection);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(ct));
        }

        await AssertCleanupAsync(connectionString, "bulk-cleanup", ct);
    }

    [Fact]
    public async Task GetGateways_MixedStatuses_ListsActiveSilosWithAProxyPort()
    {
        var ct = TestContext.Current.CancellationToken;
        const string clusterId = "gateways";
        var table = await NewTableAsync(database.ConnectionString, clusterId, ct);
        var active = Entry(11111, SiloStatus.Active);
        var joining = Entry(22222, SiloStatus.Joining);
        var noGateway = Entry(33333, SiloStatus.Active);
        noGateway.ProxyPort = 0;
        foreach (var entry in new[] { active, joining, noGateway })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(ct)).Version.Next(), ct));
        }

        using var services = new ServiceCollection().BuildServiceProvider();
        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            services,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = PostgresSiloBuilderExtensions.Invariant, ConnectionString = database.ConnectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = TestSilo.ServiceId }));
        await gateways.InitializeGatewayListProvider();

        var gateway = Assert.Single(await gateways.GetGateways());
        Assert.Equal(SiloAddress.New(IPAddress.Loopback, active.ProxyPort, active.SiloAddress.Generation).ToGatewayUri(), gateway);
    }

    [Fact]
    public async Task DeleteMembershipTableEntriesAsync_Cluster_RemovesItsRowsAndVersionOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        var doomed = await NewTableAsync(database.ConnectionString, "doomed", ct);
        var survivor = await NewTableAsync(database.ConnectionString, "survivor", ct);
        Assert.True(await doomed.InsertRowAsync(Entry(11111, SiloStatus.Active), (await doomed.ReadAllAsync(ct)).Version.Next(), ct));
        Assert.True(await survivor.InsertRowAsync(Entry(11111, SiloStatus.Active), (await survivor.ReadAllAsync(ct)).Version.Next(), ct));

        await doomed.DeleteMembershipTableEntriesAsync("doomed", ct);

        Assert.Single((await survivor.ReadAllAsync(ct)).Members);
        await doomed.InitializeMembershipTableAsync(true, ct);
        var fresh = await doomed.ReadAllAsync(ct);
        Assert.Empty(fresh.Members);
        Assert.Equal(0, fresh.Version.Version);
    }

    private static async Task AssertCleanupAsync(string connectionString, string clusterId, CancellationToken ct)
    {
        var table = await NewTableAsync(connectionString, clusterId, ct);
        var cutoff = Start.AddHours(1);
        var deadAndOld = Entry(11111, SiloStatus.Dead);
        var deadButRecent = Entry(22222, SiloStatus.Dead);
        deadButRecent.IAmAliveTime = cutoff.AddMinutes(1);
        var activeAndOld = Entry(33333, SiloStatus.Active);
        foreach (var entry in new[] { deadAndOld, deadButRecent, activeAndOld })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(ct)).Version.Next(), ct));
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(cutoff), ct);

        var after = await table.ReadAllAsync(ct);
        Assert.Equal(
            new[] { deadButRecent.SiloAddress, activeAndOld.SiloAddress }.Order(),
            after.Members.Select(m => m.Item1.SiloAddress).Order());
    }

    private static async Task<AdoNetClusteringTable> NewTableAsync(string connectionString, string clusterId, CancellationToken ct)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = TestSilo.ServiceId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresSiloBuilderExtensions.Invariant, ConnectionString = connectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(true, ct);
        return table;
    }

    private static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 7),
        SiloName = $"silo-{port}",
        HostName = "hall-2",
        Status = status,
        ProxyPort = port + 1,
        StartTime = Start,
        IAmAliveTime = Start,
    };
}

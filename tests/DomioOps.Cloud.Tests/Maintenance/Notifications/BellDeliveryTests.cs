using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Tests.Storage;

namespace DomioOps.Cloud.Tests.Maintenance.Notifications;

/// <summary>The in-app bell: a role becomes one delivery per person holding it; each person lists and marks their own.</summary>
public sealed class BellDeliveryTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task RunOnce_BellForARole_EachMemberGetsItAndMarksItRead()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new NotificationOptions { Rules = [NotificationStack.RuleFor("maintenance")] };
        options.Receivers["maintenance"] = new NotificationReceiver
        {
            Channels = [new NotificationTarget { Channel = NotificationChannel.Bell, Role = "Maintenance" }, new NotificationTarget { Channel = NotificationChannel.Bell, Address = "nobody" }],
        };
        await using var stack = await NotificationStack.CreateAsync(database, options, ct);
        await stack.AddPersonAsync("u-anna", "anna", "Maintenance", ct);
        await stack.AddPersonAsync("u-boris", "boris", "Maintenance", ct);
        await stack.AddPersonAsync("u-carl", "carl", "Planner", ct);
        await stack.PublishAsync(NotificationStack.Notice(31, severity: AlertSeverity.Critical), ct);

        // anna and boris (the role), and a failed row for the user name that does not exist: seen, not dropped.
        var written = await stack.Outbox.ListAsync(null, 10, ct);
        Assert.Equal([("u-anna", "Pending", (string?)null), ("u-boris", "Pending", (string?)null), ("user:nobody", "Failed", "No user is named nobody.")],
            written.Select(d => (d.Target, d.Status, d.LastError)).OrderBy(d => d.Target, StringComparer.Ordinal));
        Assert.Equal(2, await stack.Dispatcher.RunOnceAsync(ct));

        var anna = Assert.Single(await stack.Outbox.BellAsync("u-anna", 10, ct));
        Assert.Equal(("Critical", "[Critical] saw-1: Spindle bearing wear", "/maintenance/alerts/31", (DateTimeOffset?)null), (anna.Severity, anna.Subject, anna.Link, anna.ReadAt));
        Assert.Single(await stack.Outbox.BellAsync("u-boris", 10, ct));
        Assert.Empty(await stack.Outbox.BellAsync("u-carl", 10, ct));

        Assert.Equal(0, await stack.Outbox.MarkReadAsync("u-boris", anna.Id, ct)); // not boris's
        Assert.Equal(1, await stack.Outbox.MarkReadAsync("u-anna", anna.Id, ct));
        Assert.Equal(NotificationStack.Start, Assert.Single(await stack.Outbox.BellAsync("u-anna", 10, ct)).ReadAt);
        Assert.Equal(1, await stack.Outbox.MarkReadAsync("u-boris", null, ct));
    }

    [Fact]
    public async Task StepAsync_GroupWait_OutboxRowWrittenWhenTheTimelineDecides()
    {
        var ct = TestContext.Current.CancellationToken;
        var rule = NotificationStack.RuleFor("anna");
        rule.GroupWait = TimeSpan.FromSeconds(30);
        var options = new NotificationOptions { Rules = [rule] };
        options.Receivers["anna"] = new NotificationReceiver { Channels = [new NotificationTarget { Channel = NotificationChannel.Bell, Address = "anna" }] };
        await using var stack = await NotificationStack.CreateAsync(database, options, ct);
        await stack.AddPersonAsync("u-anna", "anna", "Maintenance", ct);

        await stack.Pipeline.PublishAsync(NotificationStack.Notice(32), ct);
        Assert.Equal(NotificationStack.Start.AddSeconds(30), await stack.Pipeline.StepAsync(ct)); // group_wait: nothing yet
        Assert.Empty(await stack.Outbox.ListAsync(null, 10, ct));
        stack.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(NotificationStack.Start.AddSeconds(330), await stack.Pipeline.StepAsync(ct)); // then every group_interval

        var written = await stack.OnlyDeliveryAsync(ct);
        Assert.Equal(("u-anna", "Pending", NotificationStack.Start.AddSeconds(30)), (written.Target, written.Status, written.CreatedAt));
    }

    [Fact]
    public async Task HostedLoops_AlertPublished_PipelineWritesAndDispatcherDeliversWithoutBeingStepped()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new NotificationOptions { Rules = [NotificationStack.RuleFor("anna")] };
        options.Receivers["anna"] = new NotificationReceiver { Channels = [new NotificationTarget { Channel = NotificationChannel.Bell, Address = "anna" }] };
        await using var stack = await NotificationStack.CreateAsync(database, options, ct);
        await stack.AddPersonAsync("u-anna", "anna", "Maintenance", ct);
        await stack.Dispatcher.StartAsync(ct);
        await stack.Pipeline.StartAsync(ct);
        try
        {
            // Publishing wakes the pipeline (group_wait 0: due now), whose write wakes the dispatcher: no clock moves.
            await stack.Pipeline.PublishAsync(NotificationStack.Notice(33), ct);

            var deliveries = await Eventually.ReturnsAsync(() => stack.Outbox.ListAsync(null, 10, ct), d => d.Any(x => x.Status == "Sent"), TimeSpan.FromSeconds(30), ct);
            Assert.Equal(("Sent", 1), (Assert.Single(deliveries).Status, deliveries[0].Attempts));
            Assert.Equal("/maintenance/alerts/33", Assert.Single(await stack.Outbox.BellAsync("u-anna", 10, ct)).Link);
        }
        finally
        {
            await stack.Pipeline.StopAsync(CancellationToken.None);
            await stack.Dispatcher.StopAsync(CancellationToken.None);
        }
    }
}

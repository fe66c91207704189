namespace DomioOps.Cloud.Tests.Storage;

/// <summary>Pieces counted by one machine, kept in the named "Default" grain storage.</summary>
[GenerateSerializer]
public sealed class PieceCount
{
    [Id(0)]
    public int Pieces { get; set; }
}

public interface IPieceCounterGrain : IGrainWithStringKey
{
    Task<int> Add(int pieces);

    Task<int> Pieces();

    /// <summary>The activation's identity, to tell a fresh activation from the old one.</summary>
    Task<string> ActivationId();

    Task Deactivate();
}

public sealed class PieceCounterGrain([PersistentState("count", "Default")] IPersistentState<PieceCount> count)
    : Grain, IPieceCounterGrain
{
    private readonly string _activationId = Guid.NewGuid().ToString("N");

    public async Task<int> Add(int pieces)
    {
        count.State.Pieces += pieces;
        await count.WriteStateAsync();
        return count.State.Pieces;
    }

    public Task<int> Pieces() => Task.FromResult(count.State.Pieces);

    public Task<string> ActivationId() => Task.FromResult(_activationId);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public interface IMaintenanceTimerGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);

    Task<int> Ticks();

    Task Cancel();
}

/// <summary>Counts reminder ticks in the default grain storage (no storage name given).</summary>
public sealed class MaintenanceTimerGrain([PersistentState("ticks")] IPersistentState<PieceCount> ticks)
    : Grain, IMaintenanceTimerGrain, IRemindable
{
    private const string ReminderName = "maintenance";

    public Task Start(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, period, period);

    public Task<int> Ticks() => Task.FromResult(ticks.State.Pieces);

    public async Task Cancel()
    {
        var reminder = await this.GetReminder(ReminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ticks.State.Pieces++;
        await ticks.WriteStateAsync();
    }
}

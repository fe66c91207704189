namespace DomioOps.Cloud.Office.Sales.Pages;

/// <summary>The person's (or everyone's) calls, meetings and tasks: open, overdue, done or all; one marked done; a new one.</summary>
public sealed partial class ActivityList
{
    private IReadOnlyList<Activity> activities = [];
    private string owner = "me";
    private string state = "open";
    private DateTimeOffset now;
    private string newKind = "call";
    private string? newSubject;
    private DateTime? newDue;
    private DateTime? newRemind;

    [Microsoft.AspNetCore.Components.Inject]
    private Activities Activities { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        now = Time.GetUtcNow();
        var filter = state switch
        {
            "overdue" => ActivityFilter.Overdue,
            "done" => ActivityFilter.Done,
            "all" => ActivityFilter.All,
            _ => ActivityFilter.Open,
        };
        activities = await Activities.ListAsync(owner == "all" ? null : await UserIdAsync() ?? "", filter, CancellationToken.None);
    }

    private async Task FilterAsync(string? whose, string? which)
    {
        (owner, state) = (whose ?? "me", which ?? "open");
        await LoadAsync();
    }

    /// <summary>A time typed in the plant's zone.</summary>
    private DateTimeOffset? Plant(DateTime? local) =>
        local is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Unspecified), Time.LocalTimeZone.GetUtcOffset(at)) : null;

    private async Task CreateAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "new";
        var change = await Activities.CreateAsync(actor, await UserNameAsync(), await UserIdAsync(),
            new ActivityDraft(newKind, newSubject, Plant(newDue), RemindAt: Plant(newRemind)), CancellationToken.None);
        if (Answer(change, Localizer["Sales.Activities.Created", change.Value?.Subject ?? ""]))
        {
            (newSubject, newDue, newRemind) = (null, null, null);
            await LoadAsync();
        }
    }

    private async Task DoneAsync(Activity a)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await Activities.UpdateAsync(actor, a.Id, new ActivityDraft(a.Kind.ToString(), a.Subject, a.DueAt, a.OwnerId, a.CustomerId, a.DealId, true,
            a.RemindAt, a.Version), CancellationToken.None);
        Answer(change, Localizer["Sales.Activities.Marked", a.Subject]);
        await LoadAsync();
    }
}

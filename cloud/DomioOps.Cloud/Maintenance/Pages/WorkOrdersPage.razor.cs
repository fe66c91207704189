using System.Globalization;

using DomioOps.Cloud.Maintenance.Work;
using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Components;

namespace DomioOps.Cloud.Maintenance.Pages;

public sealed partial class WorkOrdersPage
{
    private readonly Dictionary<long, int?> minutes = [];
    private readonly Dictionary<long, string?> parts = [];
    private IReadOnlyList<WorkOrder> orders = [];
    private IReadOnlyList<string> machines = [];
    private string? machine;
    private string? title;
    private DateTime? from;
    private DateTime? to;
    private string? checklist;
    private long? alertId;

    /// <summary>The alert the work order answers (from an alert's "plan work" link).</summary>
    [SupplyParameterFromQuery(Name = "alert")]
    private long? FromAlert { get; set; }

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        machines = [.. (await Centres.ListAsync(CancellationToken.None)).SelectMany(c => c.Machines ?? []).Order(StringComparer.Ordinal)];
        var now = TimeZoneInfo.ConvertTime(Time.GetUtcNow(), Time.LocalTimeZone).DateTime;
        from = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Unspecified).AddHours(1);
        to = from.Value.AddHours(2);
        if (FromAlert is { } id && await Alerts.GetAsync(id, CancellationToken.None) is { } alert)
        {
            alertId = id;
            machine = alert.MachineId;
            title = string.Format(CultureInfo.CurrentCulture, T["Maintenance.WorkOrders.FromAlertTitle"], alert.MachineId, alert.Reasons.Count > 0 ? alert.Reasons[0].Text : "");
        }

        await LoadAsync();
    }

    private protected override async Task LoadAsync() => orders = await Orders.ListAsync(false, null, CancellationToken.None);

    private DateTimeOffset? Plant(DateTime? local) =>
        local is { } value ? new DateTimeOffset(value, Time.LocalTimeZone.GetUtcOffset(value)) : null;

    private async Task CreateAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var items = (checklist ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (order, refused) = await Orders.CreateAsync(actor, await UserNameAsync(),
            new WorkOrderDraft(string.IsNullOrEmpty(machine) ? null : machine, alertId, title, Plant(from), Plant(to), items), CancellationToken.None);
        if (order is null)
        {
            Problem = refused;
            return;
        }

        Message = T["Maintenance.WorkOrders.Planned", order.Id, order.MachineId];
        (title, checklist, alertId) = (null, null, null);
        await LoadAsync();
    }

    private async Task TickAsync(WorkOrder order, int index, bool done)
    {
        var items = order.Checklist.Select((item, i) => i == index ? item with { Done = done } : item).ToList();
        await ChangeAsync(order, new WorkOrderProgress(items, null, null));
    }

    private async Task RecordAsync(WorkOrder order)
    {
        if (!TryParts(parts.GetValueOrDefault(order.Id), out var used))
        {
            Problem = T["Maintenance.WorkOrders.PartsInvalid"];
            return;
        }

        await ChangeAsync(order, new WorkOrderProgress(null, used, minutes.GetValueOrDefault(order.Id)));
    }

    private async Task ChangeAsync(WorkOrder order, WorkOrderProgress progress)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var (changed, refused) = await Orders.RecordAsync(actor, order.Id, progress, CancellationToken.None);
        Answer(changed is not null, T["Maintenance.WorkOrders.Recorded", order.Id], refused ?? T["Maintenance.WorkOrders.Gone"]);
        await LoadAsync();
    }

    private async Task CloseAsync(WorkOrder order, bool repair)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var (closed, refused) = await Orders.CloseAsync(actor, await UserNameAsync(), order.Id, new WorkOrderClosing(repair, null, null), CancellationToken.None);
        Answer(closed is not null, T["Maintenance.WorkOrders.ClosedMessage", order.Id], refused ?? T["Maintenance.WorkOrders.Gone"]);
        await LoadAsync();
    }

    private async Task CancelAsync(WorkOrder order)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var (cancelled, refused) = await Orders.CancelAsync(actor, await UserNameAsync(), order.Id, CancellationToken.None);
        Answer(cancelled is not null, T["Maintenance.WorkOrders.CancelledMessage", order.Id], refused ?? T["Maintenance.WorkOrders.Gone"]);
        await LoadAsync();
    }

    /// <summary>"bearing 6205 x 2, grease x 0.5": parts and quantities, comma separated; a part without a quantity is one.</summary>
    internal static bool TryParts(string? text, out List<PartUsed>? used)
    {
        used = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        used = [];
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var cut = entry.LastIndexOfAny(['x', 'X', '×']);
            if (cut > 0 && decimal.TryParse(entry[(cut + 1)..].Trim().Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var quantity))
            {
                used.Add(new PartUsed(entry[..cut].Trim(), quantity));
            }
            else
            {
                used.Add(new PartUsed(entry, 1));
            }
        }

        return used.All(p => p.Part.Length is > 0 and <= 100 && p.Quantity > 0);
    }
}

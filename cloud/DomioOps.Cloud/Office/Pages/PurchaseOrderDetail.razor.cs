using DomioOps.Cloud.Office.Materials;

using Microsoft.AspNetCore.Components;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>A purchase order: its lines with what came in, order it, cancel it, receive some or all of it.</summary>
public sealed partial class PurchaseOrderDetail
{
    private PurchaseOrder? order;
    private string?[] receipt = [];

    [Parameter]
    public long Id { get; set; }

    private bool Receivable => order?.Status is PurchaseOrderStatus.Ordered or PurchaseOrderStatus.PartiallyReceived;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        order = await Purchases.GetAsync(Id, CancellationToken.None);
        receipt = new string?[order?.Lines.Count ?? 0];
    }

    /// <summary>Over-receipt says how much more the line takes; any other wrong quantity says what a quantity is.</summary>
    private string? ReceiptError(int index, PurchaseOrderLine line)
    {
        if (FieldError("receipt", $"lines[{index}].quantity") is not { } error)
        {
            return null;
        }

        return Parse(receipt[index]) is > 0 ? Localizer["Materials.Error.overReceipt", Amount(line.Remaining)] : error;
    }

    private async Task ReceiveAsync()
    {
        if (order is null || await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "receipt";
        // Every line is sent (an empty box as 0), so an error's index is the line's; a text that is not a number as -1 (refused).
        var lines = order.Lines.Select((l, i) => new ReceiptLineDraft(l.Line, string.IsNullOrWhiteSpace(receipt[i]) ? 0 : Parse(receipt[i]) ?? -1)).ToList();
        var change = await Purchases.ReceiveAsync(actor, await UserNameAsync(), order.Id, new ReceiptDraft(lines), CancellationToken.None);
        if (Answer(change, Localizer["Materials.Purchase.ReceivedDone"]))
        {
            await LoadAsync();
        }
        else if (change.Errors?.ContainsKey("lines") == true)
        {
            Problem = Localizer["Materials.Error.nothingReceived"];
        }
    }

    private async Task StatusAsync(PurchaseOrderStatus to)
    {
        if (order is null || await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await Purchases.ChangeStatusAsync(actor, order.Id, to, CancellationToken.None);
        if (Answer(change, Localizer[to == PurchaseOrderStatus.Ordered ? "Materials.Purchase.OrderedDone" : "Materials.Purchase.CancelledDone"]))
        {
            await LoadAsync();
        }
    }
}

using DomioOps.Cloud.Office.Quotes;

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>
/// A quote: its lines (edited while a draft; editing a sent one makes the next revision), its revisions (each readable),
/// a cut list priced into it, the PDF in Russian and English, and send, accept (into production) or reject.
/// </summary>
public sealed partial class QuoteDetail
{
    private Quote? quote;
    private QuoteRevision shown = default!;
    private List<LineRow> rows = [];
    private decimal? discountPercent;
    private decimal? vatPercent;
    private DateOnly? dueDate;
    private string documentKind = Templates.TemplateKinds.Quote;
    private string documentLanguage = "ru";
    private Templates.GeneratedDocument? generated;

    private static IReadOnlyList<string> DocumentKinds => Templates.TemplateKinds.Kinds;

    [Parameter]
    public long Id { get; set; }

    [SupplyParameterFromQuery(Name = "revision")]
    public int? Revision { get; set; }

    [Inject]
    private Quotes.Quotes QuoteStore { get; set; } = default!;

    [Inject]
    private QuoteDocuments Documents { get; set; } = default!;

    /// <summary>The current revision of a draft or sent quote is edited; an earlier one, or an accepted or rejected quote, is read.</summary>
    private bool Editable => CanAct && quote is { Status: "draft" or "sent" } && shown.Revision == quote.Current.Revision;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync(await QuoteStore.GetAsync(Id, CancellationToken.None));
    }

    private async Task LoadAsync(Quote? found)
    {
        quote = found;
        if (quote is null)
        {
            return;
        }

        shown = Revision is { } n && n != quote.Current.Revision && await QuoteStore.RevisionAsync(Id, n, CancellationToken.None) is { } earlier ? earlier : quote.Current;
        rows = [.. shown.Lines.Select(LineRow.From)];
        (discountPercent, vatPercent) = (shown.DiscountPercent, shown.VatPercent);
    }

    private async Task SaveAsync()
    {
        if (quote is null || await ActingAsync() is not { } actor)
        {
            return;
        }

        var draft = new QuoteDraft(null, null, [.. rows.Select(r => r.ToDraft())], discountPercent, vatPercent, quote.Version);
        var change = await QuoteStore.UpdateAsync(actor, Id, draft, CancellationToken.None);
        if (Answer(change, Localizer["Office.Quote.Saved", change.Value?.Current.Revision ?? 0]))
        {
            await LoadAsync(change.Value);
        }
    }

    private async Task CutListAsync(InputFileChangeEventArgs e)
    {
        if (quote is null || await ActingAsync() is not { } actor)
        {
            return;
        }

        if (e.File.Size > QuotesApi.MaxCutListBytes)
        {
            Problem = Localizer["Office.Projects.TooLarge"];
            return;
        }

        await using var stream = e.File.OpenReadStream(QuotesApi.MaxCutListBytes);
        using var content = new MemoryStream();
        await stream.CopyToAsync(content);
        content.Position = 0;
        var change = await QuoteStore.FromCutListAsync(actor, Id, quote.Version, content, e.File.Name, CancellationToken.None);
        if (change.Value is { } priced)
        {
            Message = Localizer["Office.Quote.Priced", priced.Quote.CutListParts, priced.Unpriced.Count == 0 ? "—" : string.Join(", ", priced.Unpriced)];
            await LoadAsync(priced.Quote);
        }
        else if (change.Errors is { } errors)
        {
            Errors = errors;
            Problem = Localizer["Office.Quote.CutListRefused", string.Join(" ", errors.Values.SelectMany(v => v))];
        }
        else
        {
            Problem = change.Conflict is not null ? Localizer["Office.Conflict"] : Localizer["Office.Gone"];
        }
    }

    private Task SendAsync() => MoveAsync((actor, ct) => QuoteStore.SendAsync(actor, Id, ct), "Office.Quote.Sent");

    private Task RejectAsync() => MoveAsync((actor, ct) => QuoteStore.RejectAsync(actor, Id, ct), "Office.Quote.Rejected");

    private async Task AcceptAsync()
    {
        var who = await UserNameAsync();
        await MoveAsync((actor, ct) => QuoteStore.AcceptAsync(actor, who, Id, new QuoteAcceptance(dueDate), ct), "Office.Quote.Accepted");
    }

    /// <summary>The chosen document from the admin's template, stored with the project's documents.</summary>
    private async Task GenerateAsync()
    {
        generated = null;
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await Documents.GenerateAsync(actor, await UserNameAsync(), Id, new QuoteDocumentRequest(documentKind, documentLanguage), CancellationToken.None);
        if (change.Value is { } document)
        {
            (generated, Message) = (document, Localizer["Office.Quote.Generated", document.Document.Name]);
        }
        else
        {
            Problem = change.Conflict is not null ? Localizer["Office.Quote.AcceptFirst"] : Localizer["Office.Gone"];
        }
    }

    private async Task MoveAsync(Func<Audit.AuditActor, CancellationToken, Task<OfficeChange<Quote>>> move, string success)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        var change = await move(actor, CancellationToken.None);
        if (Answer(change, Localizer[success]))
        {
            Revision = null;
            await LoadAsync(change.Value);
        }
        else if (change.Conflict is { } conflict)
        {
            Problem = conflict;
        }
    }

    /// <summary>A line as the editor holds it.</summary>
    private sealed class LineRow
    {
        public string Kind { get; set; } = "cabinet";

        public string? Description { get; set; }

        public string? Item { get; set; }

        public decimal? Thickness { get; set; }

        public decimal? Quantity { get; set; } = 1;

        public decimal? UnitPrice { get; set; }

        public decimal? DiscountPercent { get; set; }

        public decimal? Amount { get; private set; }

        public static LineRow From(QuoteLine l) => new()
        {
            Kind = l.Kind,
            Description = l.Description,
            Item = l.Item,
            Thickness = l.Thickness,
            Quantity = l.Quantity,
            UnitPrice = l.UnitPrice,
            DiscountPercent = l.DiscountPercent,
            Amount = l.Amount,
        };

        public QuoteLineDraft ToDraft() => new(Kind, Description, Item, Thickness, Quantity, UnitPrice, DiscountPercent);
    }
}

using DomioOps.Cloud.Office.Customers;

using Microsoft.AspNetCore.Components;

namespace DomioOps.Cloud.Office.Pages;

/// <summary>A customer's own page: the details (edited against the version read), the contacts added, edited and removed.</summary>
public sealed partial class CustomerDetail
{
    private Customer? customer;
    private CustomerFormModel draft = new();
    private ContactFormModel contactNew = new();
    private ContactFormModel contactEdit = new();
    private long? editing;
    private Sales.Pages.CustomerTimelineView? timeline;
    private IDisposable? subscription;

    [Parameter]
    public long Id { get; set; }

    [Inject]
    private Sales.SalesChanges Changes { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
        draft = customer is null ? new() : CustomerFormModel.From(customer);
        if (RendererInfo.IsInteractive && customer is not null)
        {
            // A deal or an activity of this customer changed, here or on another silo: its timeline shows it.
            subscription = Changes.Subscribe(Sales.SalesChange.CustomerTopic(Id), change => _ = InvokeAsync(async () =>
            {
                if (change.Lookers is null && timeline is not null)
                {
                    await timeline.ReloadAsync();
                    StateHasChanged();
                }
            }));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            subscription?.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task LoadAsync()
    {
        customer = await Customers.GetAsync(Id, CancellationToken.None);
        if (timeline is not null)
        {
            await timeline.ReloadAsync();
        }
    }

    private async Task SaveAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "edit";
        var change = await Customers.UpdateAsync(actor, Id, draft.ToDraft(), CancellationToken.None);
        if (Answer(change, Localizer["Office.Customer.Saved"]))
        {
            customer = change.Value! with { Contacts = customer?.Contacts };
            draft = CustomerFormModel.From(customer);
            if (timeline is not null)
            {
                await timeline.ReloadAsync();
            }
        }
    }

    private void Edit(Contact contact)
    {
        editing = contact.Id;
        contactEdit = ContactFormModel.From(contact);
    }

    private async Task AddContactAsync()
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = "contact-new";
        var change = await Customers.AddContactAsync(actor, Id, contactNew.ToDraft(), CancellationToken.None);
        if (Answer(change, Localizer["Office.Contacts.Added", change.Value?.Name ?? ""]))
        {
            contactNew = new();
            await LoadAsync();
        }
    }

    private async Task SaveContactAsync(Contact contact)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        ErrorTarget = $"contact-{contact.Id}";
        var change = await Customers.UpdateContactAsync(actor, Id, contact.Id, contactEdit.ToDraft(), CancellationToken.None);
        if (Answer(change, Localizer["Office.Contacts.Saved", change.Value?.Name ?? ""]))
        {
            editing = null;
            await LoadAsync();
        }
    }

    private async Task RemoveContactAsync(Contact contact)
    {
        if (await ActingAsync() is not { } actor)
        {
            return;
        }

        if (await Customers.DeleteContactAsync(actor, Id, contact.Id, CancellationToken.None))
        {
            Message = Localizer["Office.Contacts.Removed", contact.Name];
        }
        else
        {
            Problem = Localizer["Office.Gone"];
        }

        await LoadAsync();
    }
}

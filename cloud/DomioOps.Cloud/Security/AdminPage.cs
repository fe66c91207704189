using System.Globalization;

using DomioOps.Cloud.Audit;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Localization;

namespace DomioOps.Cloud.Security;

/// <summary>
/// A live (Interactive Server) administration page. Who acts: the signed-in person, checked against the Admin policy
/// again before each change, since the circuit outlives the request that opened it. From where: the address of that
/// request, carried over from the page's prerendering, since the circuit has no request of its own.
/// </summary>
public abstract class AdminPage : ComponentBase, IDisposable
{
    private const string AddressKey = "admin-page.address";

    private PersistingComponentStateSubscription _persisting;

    [CascadingParameter]
    private Task<AuthenticationState> State { get; set; } = default!;

    [CascadingParameter]
    private HttpContext? Http { get; set; }

    [Inject]
    private PersistentComponentState PageState { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Inject]
    private protected TimeProvider Time { get; set; } = default!;

    /// <summary>Whether the page is live (its circuit connected): until then its buttons do nothing.</summary>
    private protected bool Live { get; private set; }

    /// <summary>Set on the page's root as <c>data-live</c>, for styles and tests.</summary>
    private protected string LiveState => Live ? "true" : "false";

    private string? Address { get; set; }

    protected override void OnInitialized()
    {
        Address = PageState.TryTakeFromJson<string>(AddressKey, out var kept) ? kept : Http?.Connection.RemoteIpAddress?.ToString();
        _persisting = PageState.RegisterOnPersisting(() =>
        {
            PageState.PersistAsJson(AddressKey, Address);
            return Task.CompletedTask;
        }, RenderMode.InteractiveServer);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            Live = true;
            StateHasChanged();
        }
    }

    /// <summary>The policy a person must still meet to make a change on the page (administrators, unless the page says otherwise).</summary>
    private protected virtual string ActingPolicy => SecurityPolicies.Admin;

    /// <summary>The actor of a change made now; null when the person no longer meets <see cref="ActingPolicy"/> (locked, demoted, signed out).</summary>
    private protected async Task<AuditActor?> ActorAsync()
    {
        var user = (await State).User;
        return (await Authorization.AuthorizeAsync(user, ActingPolicy)).Succeeded ? AuditActor.From(user, Address) : null;
    }

    /// <summary>The signed-in person's name, as records show who acted.</summary>
    private protected async Task<string> UserNameAsync() => (await State).User.Identity?.Name ?? "unknown";

    /// <summary>Whether the signed-in person meets <paramref name="policy"/> (to show the actions they may take).</summary>
    private protected async Task<bool> AllowedAsync(string policy) => (await Authorization.AuthorizeAsync((await State).User, policy)).Succeeded;

    /// <summary>The signed-in person's user id.</summary>
    private protected async Task<string?> UserIdAsync() =>
        (await State).User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;

    /// <summary>A time in the plant's time zone (the server's), in the person's culture.</summary>
    private protected string When(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Time.LocalTimeZone).ToString("G", CultureInfo.CurrentCulture);

    /// <summary>The plant's time zone as an offset from UTC now, e.g. <c>UTC+03:00</c>.</summary>
    private protected string Zone
    {
        get
        {
            var offset = Time.LocalTimeZone.GetUtcOffset(Time.GetUtcNow());
            return "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A data grid's pager in the person's language (the component's own words are English).</summary>
    private protected static Dictionary<string, object> PagerTexts(IStringLocalizer T)
    {
        ArgumentNullException.ThrowIfNull(T);
        return new()
        {
            ["EmptyText"] = T["People.Grid.Empty"].Value,
            ["PagingSummaryFormat"] = T["People.Grid.Summary"].Value,
            ["FirstPageTitle"] = T["People.Grid.First"].Value,
            ["FirstPageAriaLabel"] = T["People.Grid.First"].Value,
            ["PrevPageTitle"] = T["People.Grid.Previous"].Value,
            ["PrevPageAriaLabel"] = T["People.Grid.Previous"].Value,
            ["NextPageTitle"] = T["People.Grid.Next"].Value,
            ["NextPageAriaLabel"] = T["People.Grid.Next"].Value,
            ["LastPageTitle"] = T["People.Grid.Last"].Value,
            ["LastPageAriaLabel"] = T["People.Grid.Last"].Value,
            ["PageTitleFormat"] = T["People.Grid.Page"].Value,
            ["PageAriaLabelFormat"] = T["People.Grid.Page"].Value,
        };
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _persisting.Dispose();
        }
    }
}

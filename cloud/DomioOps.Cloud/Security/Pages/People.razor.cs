using Microsoft.AspNetCore.Components;

using Radzen;
using Radzen.Blazor;

namespace DomioOps.Cloud.Security.Pages;

/// <summary>
/// The people page: accounts found, sorted and paged by <see cref="PeopleAdministration"/>; creating one; and for the
/// person selected, roles, lock-out, API keys and the terminal badge and PIN, each change audited as the admin's.
/// </summary>
public partial class People
{
    private const int PageSize = 20;

    private RadzenDataGrid<UserView> grid = default!;
    private IReadOnlyList<UserView> users = [];
    private int total;
    private bool loading;
    private string? search;

    private bool creating;
    private NewPersonForm newPerson = new();
    private string? newUserNameError, newEmailError, newPasswordError;

    private PersonDetail? selected;
    private HashSet<string> roles = [];
    private NewKey? newKey;
    private string? keyName, keyNameError, confirmRevoke;
    private string? badge, badgeError, pin, pinError;

    private string? message, error;

    private int RequiredPasswordLength => SecurityOptions.CurrentValue.RequiredPasswordLength;

    private async Task LoadAsync(LoadDataArgs args)
    {
        loading = true;
        var sort = args.Sorts?.FirstOrDefault(s => s.SortOrder is not null);
        var by = sort?.Property switch
        {
            nameof(UserView.Email) => PeopleSort.Email,
            nameof(UserView.TwoFactorEnabled) => PeopleSort.TwoFactor,
            nameof(UserView.LockedOutUntil) => PeopleSort.LockedOut,
            _ => PeopleSort.UserName,
        };
        var page = await Administration.FindAsync(new PeopleQuery(search, by, sort?.SortOrder == SortOrder.Descending, args.Skip ?? 0, args.Top ?? PageSize), CancellationToken.None);
        (users, total, loading) = (page.Users, page.Total, false);
    }

    private Task SearchAsync() => grid.FirstPage(true);

    private void ToggleCreate()
    {
        creating = !creating;
        (message, error) = (null, null);
    }

    private async Task CreateAsync()
    {
        (message, error) = (null, null);
        newUserNameError = string.IsNullOrWhiteSpace(newPerson.UserName) ? T["People.UserNameRequired"].Value : null;
        newPasswordError = string.IsNullOrEmpty(newPerson.Password) ? T["People.PasswordRequired"].Value : null;
        newEmailError = null;
        if (newUserNameError is not null || newPasswordError is not null)
        {
            return;
        }

        if (await ActorAsync() is not { } actor)
        {
            error = T["People.SessionEnded"].Value;
            return;
        }

        var result = await Administration.CreateAsync(actor,
            new NewPerson(newPerson.UserName!.Trim(), string.IsNullOrWhiteSpace(newPerson.Email) ? null : newPerson.Email.Trim(), newPerson.Password, [.. DomioRoles.People.Where(newPerson.Roles.Contains)]),
            CancellationToken.None);
        if (result.Failure is { } failure)
        {
            var text = Describe(failure);
            switch (failure.Field)
            {
                case "userName": newUserNameError = text; break;
                case "email": newEmailError = text; break;
                case "password": newPasswordError = text; break;
                default: error = text; break;
            }

            return;
        }

        var created = result.Value!;
        (newPerson, creating) = (new(), false);
        message = T["People.Created", created.UserName ?? created.Id].Value;
        // The list shows the new person, wherever their name would fall among the others.
        search = created.UserName;
        await grid.FirstPage(true);
        await ShowAsync(created.Id);
    }

    private async Task SelectAsync(string userId)
    {
        (message, error) = (null, null);
        await ShowAsync(userId);
    }

    private async Task ShowAsync(string userId)
    {
        (newKey, keyName, keyNameError, confirmRevoke, badge, badgeError, pin, pinError) = (null, null, null, null, null, null, null, null);
        selected = await Administration.DetailAsync(userId, CancellationToken.None);
        if (selected is null)
        {
            error = T["People.NotFound"].Value;
            return;
        }

        roles = [.. selected.User.Roles];
    }

    /// <summary>After a change: the person again (the panel keeps a new key on show) and their row in the list.</summary>
    private async Task RefreshAsync()
    {
        selected = await Administration.DetailAsync(selected!.User.Id, CancellationToken.None);
        if (selected is null)
        {
            error = T["People.NotFound"].Value;
        }
        else
        {
            roles = [.. selected.User.Roles];
        }

        await grid.Reload();
    }

    private async Task SaveRolesAsync()
    {
        await ChangeAsync(actor => Administration.SetRolesAsync(actor, selected!.User.Id, [.. DomioRoles.People.Where(roles.Contains)], CancellationToken.None),
            T["People.RolesSaved"].Value);
    }

    private Task LockAsync() =>
        ChangeAsync(actor => Administration.LockAsync(actor, selected!.User.Id, CancellationToken.None), T["People.Locked"].Value);

    private Task UnlockAsync() =>
        ChangeAsync(actor => Administration.UnlockAsync(actor, selected!.User.Id, CancellationToken.None), T["People.Unlocked"].Value);

    private async Task CreateKeyAsync()
    {
        newKey = null;
        keyNameError = string.IsNullOrWhiteSpace(keyName) ? T["People.KeyNameRequired"].Value : null;
        if (keyNameError is not null)
        {
            return;
        }

        NewKey? created = null;
        await ChangeAsync(async actor =>
        {
            var result = await Administration.CreateApiKeyAsync(actor, selected!.User.Id, keyName!.Trim(), CancellationToken.None);
            created = result.Value;
            return result;
        }, T["People.KeyCreated"].Value, failure => keyNameError = Describe(failure));
        if (created is not null)
        {
            (newKey, keyName) = (created, null);
        }
    }

    private Task RevokeKeyAsync(string keyId) =>
        ChangeAsync(actor => Administration.RevokeApiKeyAsync(actor, keyId, CancellationToken.None), T["People.KeyRevoked"].Value);

    private async Task SetBadgeAsync()
    {
        badgeError = string.IsNullOrWhiteSpace(badge) ? T["People.BadgeRequired"].Value : null;
        if (badgeError is null)
        {
            await ChangeAsync(actor => Administration.SetOperatorCredentialAsync(actor, selected!.User.Id, new OperatorCredentialChange(badge!.Trim(), null), CancellationToken.None),
                T["People.BadgeSaved"].Value, failure => badgeError = Describe(failure));
            badge = badgeError is null ? null : badge;
        }
    }

    private Task ClearBadgeAsync() =>
        ChangeAsync(actor => Administration.SetOperatorCredentialAsync(actor, selected!.User.Id, new OperatorCredentialChange("", null), CancellationToken.None),
            T["People.BadgeCleared"].Value);

    private async Task SetPinAsync()
    {
        pinError = string.IsNullOrEmpty(pin) ? T["People.PinRequired"].Value : null;
        if (pinError is null)
        {
            await ChangeAsync(actor => Administration.SetOperatorCredentialAsync(actor, selected!.User.Id, new OperatorCredentialChange(null, pin), CancellationToken.None),
                T["People.PinSaved"].Value, failure => pinError = Describe(failure));
        }

        // A PIN is never shown back, right or wrong.
        pin = null;
    }

    private Task ClearPinAsync() =>
        ChangeAsync(actor => Administration.SetOperatorCredentialAsync(actor, selected!.User.Id, new OperatorCredentialChange(null, null, ClearPin: true), CancellationToken.None),
            T["People.PinCleared"].Value);

    /// <summary>
    /// A change to the selected person by the administrator signed in now: its message when done, else the refusal's
    /// words, next to the field when <paramref name="fieldError"/> takes them.
    /// </summary>
    private async Task ChangeAsync<TValue>(Func<Audit.AuditActor, Task<AdminResult<TValue>>> change, string done, Action<AdminFailure>? fieldError = null)
    {
        (message, error, confirmRevoke) = (null, null, null);
        if (selected is null)
        {
            return;
        }

        if (await ActorAsync() is not { } actor)
        {
            error = T["People.SessionEnded"].Value;
            return;
        }

        var result = await change(actor);
        if (result.Failure is { } failure)
        {
            if (fieldError is not null && failure.Problem != AdminProblem.NotFound)
            {
                fieldError(failure);
            }
            else
            {
                error = Describe(failure);
            }

            return;
        }

        message = done;
        await RefreshAsync();
    }

    private string Describe(AdminFailure failure) => failure.Problem switch
    {
        AdminProblem.NotFound => T["People.NotFound"].Value,
        AdminProblem.Missing => T["People.Required"].Value,
        AdminProblem.TooLong or AdminProblem.TooMany => T["People.TooLong"].Value,
        AdminProblem.PinFormat => T["People.PinHint", PeopleAdministration.MinPinDigits, PeopleAdministration.MaxPinDigits].Value,
        AdminProblem.BadgeTaken => T["People.BadgeTaken"].Value,
        AdminProblem.Refused => (failure.IdentityErrors.Count > 0 ? failure.IdentityErrors[0] : null) switch
        {
            "DuplicateUserName" => T["People.UserNameTaken"].Value,
            "InvalidUserName" => T["People.UserNameInvalid"].Value,
            "InvalidEmail" or "DuplicateEmail" => T["People.EmailInvalid"].Value,
            { } code when code.StartsWith("Password", StringComparison.Ordinal) => T["People.PasswordHint", RequiredPasswordLength].Value,
            _ => T["People.Refused"].Value,
        },
        _ => T["People.Refused"].Value,
    };

    private string StateText(UserView user) => user.LockedOutUntil switch
    {
        null => T["People.Active"].Value,
        { } until when until == DateTimeOffset.MaxValue => T["People.LockedState"].Value,
        { } until => T["People.LockedUntil", When(until)].Value,
    };

    private string RoleName(string role) => role switch
    {
        DomioRoles.Operator => T["People.Role.Operator"].Value,
        DomioRoles.Maintenance => T["People.Role.Maintenance"].Value,
        DomioRoles.Planner => T["People.Role.Planner"].Value,
        DomioRoles.Office => T["People.Role.Office"].Value,
        DomioRoles.Admin => T["People.Role.Admin"].Value,
        _ => role,
    };

    private void RowRender(RowRenderEventArgs<UserView> row)
    {
        if (row.Data is { } user && user.Id == selected?.User.Id)
        {
            row.Attributes["class"] = "selected-row";
        }
    }

    private static void Toggle(HashSet<string> set, string role, ChangeEventArgs change)
    {
        if (change.Value is true)
        {
            set.Add(role);
        }
        else
        {
            set.Remove(role);
        }
    }

    private static string? Invalid(string? fieldError) => fieldError is null ? null : "true";

    private sealed class NewPersonForm
    {
        public string? UserName { get; set; }

        public string? Email { get; set; }

        public string? Password { get; set; }

        public HashSet<string> Roles { get; } = [];
    }
}

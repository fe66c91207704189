using System.Text.RegularExpressions;

using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// The sign-in, account and home pages in Debian's Chromium (Playwright) against the real host on real PostgreSQL, as a
/// person walks them: two-factor set up at the first sign-in, sign-in with an authenticator code and with a recovery code,
/// the language that follows the person, a password change; axe on every page.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed partial class SignInPageTests(SecureCloud cloud) : IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task SignIn_RoleRequiringTwoFactor_SetsItUpThenSignsInWithACodeAndWithARecoveryCode()
    {
        var userName = $"maint-{Guid.NewGuid():N}"[..18];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Maintenance);
        var page = await _browser.NewPageAsync(cloud.BaseAddress);

        // Not signed in: the home page sends the person to sign in, and back after.
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(SignInWithReturn());
        await Browser.AssertAccessibleAsync(page);
        await page.Locator("#user-name").FillAsync(userName);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();

        // A Maintenance engineer must set up the second factor before anything else: the account page, with the key.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account$"));
        await Assertions.Expect(page.Locator("#required")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
        var key = (await page.Locator("#shared-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        var enrolledAt = DateTimeOffset.UtcNow;
        await page.Locator("#enable-code").FillAsync(Totp.Code(key, enrolledAt));
        await page.Locator("#enable-form button[type=submit]").ClickAsync();
        var codes = page.Locator("#codes li");
        await Assertions.Expect(codes).ToHaveCountAsync(10);
        var recoveryCode = await codes.First.InnerTextAsync();
        await Assertions.Expect(page.Locator("#setup")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#renew-form")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Welcome, {userName}");
        await Browser.AssertAccessibleAsync(page);

        // Sign out, and in again with the authenticator: the code of the next step (the one just used cannot be used twice).
        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, userName, password);
        await Assertions.Expect(page.Locator("#code")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
        // Not the step just used, else the step now: on a slow machine a minute may have passed, and a code of a step
        // older than the one before now is refused.
        var next = enrolledAt.AddSeconds(30);
        await page.Locator("#code").FillAsync(Totp.Code(key, next > DateTimeOffset.UtcNow ? next : DateTimeOffset.UtcNow));
        await page.Locator("#verify").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Welcome, {userName}");

        // A wrong code is refused with a message, and the code form stays.
        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, userName, password);
        await page.Locator("#code").FillAsync("000000");
        await page.Locator("#verify").ClickAsync();
        await Assertions.Expect(page.Locator("#sign-in-error")).ToHaveTextAsync(new Regex("Wrong user name, password or code"));

        // A recovery code instead of the phone.
        await page.Locator("summary").ClickAsync();
        await page.Locator("#recovery-code").FillAsync(recoveryCode);
        await page.Locator("#verify").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Welcome, {userName}");
        await Assertions.Expect(page.Locator("#sign-out")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task LanguageSwitch_Chosen_FollowsThePersonAfterSignOutAndOnAnotherBrowser()
    {
        var userName = $"plan-{Guid.NewGuid():N}"[..17];
        var password = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        var page = await _browser.NewPageAsync(cloud.BaseAddress, locale: "en-US");
        await SignInWithPasswordAsync(page, userName, password);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Welcome, {userName}");

        await page.Locator("#language").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Здравствуйте, {userName}");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await Browser.AssertAccessibleAsync(page);

        // Signed out, the browser speaks its own language again; signed in, the person's.
        await SignOutAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
        await SignInWithPasswordAsync(page, userName, password);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Здравствуйте, {userName}");

        var elsewhere = await _browser.NewPageAsync(cloud.BaseAddress, locale: "en-US");
        await SignInWithPasswordAsync(elsewhere, userName, password);
        await Assertions.Expect(elsewhere.Locator("h1")).ToHaveTextAsync($"Здравствуйте, {userName}");

        // And back to English, which is remembered as well.
        await elsewhere.Locator("#language").ClickAsync();
        await Assertions.Expect(elsewhere.Locator("h1")).ToHaveTextAsync($"Welcome, {userName}");
    }

    [Fact]
    public async Task Account_ChangePassword_WrongCurrentPasswordIsShownAtItsField_TheRightOneChangesIt()
    {
        var userName = $"office-{Guid.NewGuid():N}"[..19];
        var password = InitialAdmin.Generate();
        var newPassword = InitialAdmin.Generate();
        await cloud.CreateUserAsync(userName, password, DomioRoles.Planner);
        var page = await _browser.NewPageAsync(cloud.BaseAddress);
        await SignInWithPasswordAsync(page, userName, password);
        await page.GotoAsync("/account");

        await page.Locator("#current-password").FillAsync("Not-The-Password-1");
        await page.Locator("#new-password").FillAsync(newPassword);
        await page.Locator("#confirm-password").FillAsync(newPassword);
        await page.Locator("#password-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#current-password-error")).ToHaveTextAsync("The current password is wrong.");
        await Browser.AssertAccessibleAsync(page);

        await page.Locator("#current-password").FillAsync(password);
        await page.Locator("#new-password").FillAsync(newPassword);
        await page.Locator("#confirm-password").FillAsync(newPassword);
        await page.Locator("#password-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#account-message")).ToHaveTextAsync("Your password is changed.");

        await SignOutAsync(page);
        await SignInWithPasswordAsync(page, userName, newPassword);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Welcome, {userName}");
    }

    [Fact]
    public async Task SignInPage_AtPhoneWidth_FitsWithoutScrollingSideways()
    {
        var page = await _browser.NewPageAsync(cloud.BaseAddress, width: 360, height: 740);
        await page.GotoAsync("/sign-in");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"));
        await page.Locator("#sign-in").ClickAsync();
        await Assertions.Expect(page.Locator("#user-name-error")).ToHaveTextAsync("Enter your user name.");
        await Browser.AssertAccessibleAsync(page);
    }

    private static async Task SignInWithPasswordAsync(IPage page, string userName, string password)
    {
        await page.GotoAsync("/sign-in");
        await page.Locator("#user-name").FillAsync(userName);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
        // The password form is gone once the sign-in answered (the code step, or the page it lands on); a test that goes
        // on before would race the answer's cookie.
        await Assertions.Expect(page.Locator("#user-name")).ToHaveCountAsync(0);
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.Locator("#sign-out").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/sign-in$"));
    }

    [GeneratedRegex("/sign-in\\?ReturnUrl=%2F$")]
    private static partial Regex SignInWithReturn();
}

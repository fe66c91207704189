using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using DomioOps.Cloud.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

using Npgsql;

using static Microsoft.Playwright.Assertions;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// The People, Terminals and Audit trail pages in Debian's Chromium against the real host on real PostgreSQL, walked as
/// an administrator walks them, after signing in through the page with a second factor; axe on each page.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed partial class AdminPagesTests(SecureCloud cloud) : IAsyncLifetime
{
    private Browser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await Browser.LaunchAsync();

    public async ValueTask DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task AdminPages_AdminManagesAPersonAndATerminal_AuditTrailFiltersAndVerifies()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await _browser.NewPageAsync(cloud.BaseAddress);
        await SignInAsAdminAsync(page, ct);

        // People: the form says what is missing next to each field, and keeps what was typed.
        await OpenAsync(page, "/admin/people", "People");
        await Browser.AssertAccessibleAsync(page);
        await page.Locator("#new-person").ClickAsync();
        await page.Locator("#new-email").FillAsync("kept@example.com");
        await page.Locator("#create-person-submit").ClickAsync();
        await Expect(page.Locator("#new-user-name-error")).ToHaveTextAsync("Enter a user name.");
        await Expect(page.Locator("#new-password-error")).ToHaveTextAsync("Enter an initial password.");
        await Expect(page.Locator("#new-email")).ToHaveValueAsync("kept@example.com");

        var userName = $"ui-{Guid.NewGuid():N}"[..15];
        await page.Locator("#new-user-name").FillAsync(userName);
        await page.Locator("#new-password").FillAsync("Ui-Person-2026-Start");
        await page.Locator("#create-person-submit").ClickAsync();
        await Expect(page.Locator("#people-message")).ToHaveTextAsync($"{userName} was created.");
        await Expect(page.Locator("#person-heading")).ToHaveTextAsync(userName);
        await Expect(page.Locator("#people-search")).ToHaveValueAsync(userName);

        // A role, then a lock and an unlock.
        await page.Locator("#role-Planner").CheckAsync();
        await page.Locator("#save-roles").ClickAsync();
        await Expect(page.Locator("#people-message")).ToContainTextAsync("Roles saved");
        var row = page.Locator("tr", new() { Has = page.Locator($"[data-user=\"{userName}\"]") });
        await Expect(row).ToContainTextAsync("Planner");
        await page.Locator("#lock").ClickAsync();
        await Expect(page.Locator("#person-state")).ToHaveTextAsync("Locked until unlocked");
        await Expect(row).ToContainTextAsync("Locked until unlocked");
        await page.Locator("#unlock").ClickAsync();
        await Expect(page.Locator("#person-state")).ToHaveTextAsync("Active");

        // An API key, shown once, that works as the person.
        await page.Locator("#api-key-name").FillAsync("Planning import");
        await page.Locator("#create-api-key").ClickAsync();
        var shown = page.Locator("#new-api-key");
        await Expect(shown).ToHaveTextAsync(ApiKeyPattern());
        var key = await shown.InnerTextAsync();
        await Expect(page.Locator("#api-keys")).ToContainTextAsync("Planning import");
        await AssertAccessibleWideAndNarrowAsync(page);
        using (var integration = cloud.Client())
        {
            integration.DefaultRequestHeaders.Authorization = new("Bearer", key);
            using var machines = await integration.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, machines.StatusCode);
        }

        // Found again by a search: the key is listed, its secret is not shown again.
        await OpenAsync(page, "/admin/people", "People");
        await page.Locator("#people-search").FillAsync(userName.ToUpperInvariant());
        await page.Locator("#people-search").PressAsync("Enter");
        await Expect(page.Locator("[data-user]")).ToHaveCountAsync(1);
        await page.Locator($"button[data-user=\"{userName}\"]").ClickAsync();
        await Expect(page.Locator("#api-keys")).ToContainTextAsync("Planning import");
        await Expect(page.Locator("#new-api-key")).ToHaveCountAsync(0);
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

        // Terminals: bind one, its key shown once.
        await OpenAsync(page, "/admin/terminals", "Terminals");
        await Browser.AssertAccessibleAsync(page);
        var terminalName = $"Saw {Guid.NewGuid():N}"[..12];
        await page.Locator("#terminal-name").FillAsync(terminalName);
        await page.Locator("#terminal-work-centre").FillAsync("saw-ui");
        await page.Locator("#create-terminal").ClickAsync();
        await Expect(page.Locator("#new-terminal-key")).ToHaveTextAsync(TerminalKeyPattern());
        var terminal = page.Locator("tr", new() { HasText = terminalName });
        await Expect(terminal).ToContainTextAsync("saw-ui");
        await Expect(terminal).ToContainTextAsync("Active");

        // The audit trail: the lock, found by action and person; the chain verifies.
        await OpenAsync(page, "/admin/audit", "Audit trail");
        await page.Locator("#audit-action").FillAsync("user.locked");
        await page.Locator("#audit-person").FillAsync(userName);
        await page.Locator("#audit-apply").ClickAsync();
        var actions = page.Locator("code.audit-action");
        await Expect(actions).ToHaveCountAsync(1);
        await Expect(actions).ToHaveTextAsync("user.locked");
        await Expect(page.Locator("tr", new() { Has = actions })).ToContainTextAsync(userName);
        await Expect(page.Locator("#audit-csv")).ToHaveAttributeAsync("href", $"/api/audit/export?person={userName}&action=user.locked");
        var lockedSeq = long.Parse((await page.Locator("[data-seq]").GetAttributeAsync("data-seq"))!, CultureInfo.InvariantCulture);
        await page.Locator("#audit-action").FillAsync("terminal.created");
        await page.Locator("#audit-person").FillAsync("");
        await page.Locator("#audit-apply").ClickAsync();
        await Expect(page.Locator("tr", new() { HasText = terminalName })).ToContainTextAsync("terminal.created");
        await page.Locator("#verify-chain").ClickAsync();
        await Expect(page.Locator("#verify-result")).ToHaveAttributeAsync("data-intact", "true");
        await Expect(page.Locator(".audit-broken")).ToHaveCountAsync(0);
        await AssertAccessibleWideAndNarrowAsync(page);

        // Opening and closing the live pages' circuits is no change: the trail does not record it.
        await page.Locator("#audit-action").FillAsync("POST /_blazor");
        await page.Locator("#audit-apply").ClickAsync();
        await Expect(page.Locator("code.audit-action")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Nothing to show.")).ToBeVisibleAsync();

        // The lock's row changed under the application (as a database superuser can): the check says which row and why,
        // and the list marks it. Put back as it was, the chain is whole again (the other tests of the host verify it).
        var original = await TamperAsync(lockedSeq, """{"tampered":true}""", ct);
        try
        {
            await page.Locator("#verify-chain").ClickAsync();
            await Expect(page.Locator("#verify-result")).ToHaveAttributeAsync("data-intact", "false");
            await Expect(page.Locator("#verify-result li")).ToHaveTextAsync($"Row {lockedSeq} was modified: its content does not match its hash.");
            await page.Locator("#show-broken").ClickAsync();
            var broken = page.Locator("tr.audit-broken");
            await Expect(broken).ToHaveCountAsync(1);
            await Expect(broken.Locator("[data-seq]")).ToHaveAttributeAsync("data-seq", lockedSeq.ToString(CultureInfo.InvariantCulture));
            await Expect(broken).ToContainTextAsync("not to trust");
            await Expect(broken).ToContainTextAsync("tampered");
            await Browser.AssertAccessibleAsync(page);
        }
        finally
        {
            await TamperAsync(lockedSeq, original, ct);
        }

        await page.Locator("#verify-chain").ClickAsync();
        await Expect(page.Locator("#verify-result")).ToHaveAttributeAsync("data-intact", "true");
        await Expect(page.Locator("tr.audit-broken")).ToHaveCountAsync(0);

        // The fixture's administrator session, which the other tests share, is untouched by this sign-in.
        using var admin = await cloud.AdminAsync(ct);
        using var me = await admin.GetAsync(new Uri("api/account/me", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    /// <summary>Sets row <paramref name="seq"/>'s <c>after</c> as a superuser, under the append-only guard; returns what it was.</summary>
    private async Task<string?> TamperAsync(long seq, string? after, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(cloud.ConnectionString);
        await connection.OpenAsync(ct);
        // One transaction: the guard is off for this update alone, and back on whatever happens.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var off = new NpgsqlCommand("ALTER TABLE domio_audit DISABLE TRIGGER USER", connection, transaction))
        {
            await off.ExecuteNonQueryAsync(ct);
        }

        string? was;
        await using (var update = new NpgsqlCommand(
            "UPDATE domio_audit SET after = @after FROM (SELECT after AS was FROM domio_audit WHERE seq = @seq) old WHERE seq = @seq RETURNING old.was",
            connection, transaction))
        {
            update.Parameters.AddWithValue("seq", seq);
            update.Parameters.AddWithValue("after", NpgsqlTypes.NpgsqlDbType.Text, (object?)after ?? DBNull.Value);
            await using var reader = await update.ExecuteReaderAsync(ct);
            Assert.True(await reader.ReadAsync(ct));
            was = reader.IsDBNull(0) ? null : reader.GetString(0);
        }

        await using (var on = new NpgsqlCommand("ALTER TABLE domio_audit ENABLE TRIGGER USER", connection, transaction))
        {
            await on.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return was;
    }

    /// <summary>axe on the page as a desktop and as a phone (360 px wide) show it.</summary>
    private static async Task AssertAccessibleWideAndNarrowAsync(IPage page)
    {
        await Browser.AssertAccessibleAsync(page);
        var wide = page.ViewportSize!;
        await page.SetViewportSizeAsync(360, 800);
        await Browser.AssertAccessibleAsync(page);
        await page.SetViewportSizeAsync(wide.Width, wide.Height);
    }

    /// <summary>Opens a live admin page and waits for its circuit: before that its buttons do nothing.</summary>
    private static async Task OpenAsync(IPage page, string path, string heading)
    {
        await page.GotoAsync(path);
        await Expect(page.Locator("h1")).ToHaveTextAsync(heading);
        await Expect(page.Locator(".admin-page[data-live=\"true\"]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
    }

    /// <summary>
    /// The administrator signs in through the page, with a code of a fresh time step: a code works once, and the fixture
    /// spent one when it set up the second factor (the server accepts one step either side of now).
    /// </summary>
    private async Task SignInAsAdminAsync(IPage page, CancellationToken ct)
    {
        await page.GotoAsync("/sign-in");
        await page.Locator("#user-name").FillAsync("admin");
        await page.Locator("#password").FillAsync(cloud.AdminPassword);
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator("#code")).ToBeVisibleAsync();
        var step = await FreshStepAsync(ct);
        await page.Locator("#code").FillAsync(Totp.Code(cloud.AdminTotpKey, DateTimeOffset.FromUnixTimeSeconds(step * TotpTokenProvider.StepSeconds)));
        await page.Locator("#verify").ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("/sign-in"));
    }

    /// <summary>The current step when no code of it was used yet, else the next; waits (with a deadline) while even that one was.</summary>
    private async Task<long> FreshStepAsync(CancellationToken ct)
    {
        long last;
        await using (var connection = new NpgsqlConnection(cloud.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                """SELECT s."LastStep" FROM domio_totp_steps s JOIN "AspNetUsers" u ON u."Id" = s."UserId" WHERE u."UserName" = 'admin'""", connection);
            last = await command.ExecuteScalarAsync(ct) is long used ? used : 0;
        }

        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (true)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / TotpTokenProvider.StepSeconds;
            var step = Math.Max(now, last + 1);
            if (step <= now + 1)
            {
                return step;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"no fresh time step: the last one used is {last}, now is {now}");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    [GeneratedRegex(@"^domio_[0-9a-f]{24}\.[A-Za-z0-9_-]{43}$")]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex(@"^domioterm_[0-9a-f]{24}\.[A-Za-z0-9_-]{43}$")]
    private static partial Regex TerminalKeyPattern();
}

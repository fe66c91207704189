using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary>
/// The two counters of failed operator identifications at terminals, in PostgreSQL so that every silo sees the same
/// counts, each changed by one atomic statement: the PIN lockout of a person at a terminal (<see cref="TerminalPinLockout"/>)
/// and the terminal's failure budget (<see cref="TerminalOptions"/>) that unknown badges and user names spend too.
/// </summary>
internal sealed class TerminalLockouts(SecurityDbContext db, TimeProvider time, IOptionsMonitor<SecurityOptions> options)
{
    /// <summary>Until when the terminal refuses operator sign-ins; null when it does not.</summary>
    public async Task<DateTimeOffset?> TerminalLockedUntilAsync(string terminalId, CancellationToken ct)
    {
        var until = await db.Terminals.AsNoTracking().Where(t => t.Id == terminalId).Select(t => t.OperatorLockedUntil).SingleOrDefaultAsync(ct);
        return until > time.GetUtcNow() ? until : null;
    }

    /// <summary>Spends one failure of the terminal's budget; the one that empties it locks the terminal.</summary>
    public async Task TerminalFailedAsync(string terminalId, CancellationToken ct)
    {
        var limits = options.CurrentValue.Terminals;
        var now = time.GetUtcNow();
        var windowStart = now - limits.FailureWindow;
        // A window starts with the first failure after the previous one ended (both CASEs see the row before the update).
        var failures = await db.Database.SqlQuery<int>($"""
            UPDATE domio_terminals SET
                "OperatorFailures" = CASE WHEN "OperatorFailuresSince" IS NULL OR "OperatorFailuresSince" <= {windowStart} THEN 1 ELSE "OperatorFailures" + 1 END,
                "OperatorFailuresSince" = CASE WHEN "OperatorFailuresSince" IS NULL OR "OperatorFailuresSince" <= {windowStart} THEN {now} ELSE "OperatorFailuresSince" END
            WHERE "Id" = {terminalId}
            RETURNING "OperatorFailures" AS "Value"
            """).ToListAsync(ct);
        if (failures is [var count] && count >= limits.FailureBudget)
        {
            var until = now + limits.LockoutDuration;
            await db.Database.ExecuteSqlAsync($"""
                UPDATE domio_terminals SET "OperatorLockedUntil" = {until}, "OperatorFailures" = 0, "OperatorFailuresSince" = NULL WHERE "Id" = {terminalId}
                """, ct);
        }
    }

    public async Task<bool> PinLockedAsync(string terminalId, string userId, CancellationToken ct)
    {
        var until = await db.TerminalPinLockouts.AsNoTracking()
            .Where(l => l.TerminalId == terminalId && l.UserId == userId).Select(l => l.LockedUntil).SingleOrDefaultAsync(ct);
        return until > time.GetUtcNow();
    }

    /// <summary>Counts a wrong PIN of the person at the terminal; the <see cref="SecurityOptions.MaxFailedAttempts"/>th locks that PIN there.</summary>
    public async Task PinFailedAsync(string terminalId, string userId, CancellationToken ct)
    {
        var security = options.CurrentValue;
        var failures = await db.Database.SqlQuery<int>($"""
            INSERT INTO domio_terminal_pin_lockouts ("TerminalId", "UserId", "Failures") VALUES ({terminalId}, {userId}, 1)
            ON CONFLICT ("TerminalId", "UserId") DO UPDATE SET "Failures" = domio_terminal_pin_lockouts."Failures" + 1
            RETURNING "Failures" AS "Value"
            """).ToListAsync(ct);
        if (failures is [var count] && count >= security.MaxFailedAttempts)
        {
            var until = time.GetUtcNow() + security.LockoutDuration;
            await db.Database.ExecuteSqlAsync($"""
                UPDATE domio_terminal_pin_lockouts SET "LockedUntil" = {until}, "Failures" = 0 WHERE "TerminalId" = {terminalId} AND "UserId" = {userId}
                """, ct);
        }
    }

    public Task PinSucceededAsync(string terminalId, string userId, CancellationToken ct) =>
        db.TerminalPinLockouts.Where(l => l.TerminalId == terminalId && l.UserId == userId).ExecuteDeleteAsync(ct);
}

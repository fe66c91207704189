using System.Globalization;

using DomioOps.Cloud.Audit;
using DomioOps.Models;

using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Production;

/// <summary>
/// The office's work centres: list, create, change and delete them, each change validated (every problem naming its
/// field) and audited with the work centre before and after. A machine is in one work centre at most; a work centre
/// operations refer to is not deleted. A terminal bound to a work centre gets its machines at its next sign-in.
/// </summary>
internal sealed class WorkCentres(IServiceScopeFactory scopes, AuditTrail audit)
{
    public const int MaxNameLength = 200;
    public const int MaxMachines = 50;
    public const int MaxShifts = 10;
    public const int MaxBreaks = 10;
    public const int MaxHolidays = 400;
    public const decimal MaxSetupMinutes = 10_000;
    public const decimal MaxCycleSeconds = 100_000;

    private const int MinutesPerDay = 24 * 60;
    private const int MinutesPerWeek = 7 * MinutesPerDay;

    public async Task<IReadOnlyList<WorkCentreDraft>> ListAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var centres = await db.WorkCentres.AsNoTracking().Include(c => c.Machines).OrderBy(c => c.Id).ToListAsync(ct);
        return [.. centres.Select(WorkCentreDraft.From)];
    }

    public async Task<WorkCentreDraft?> GetAsync(string id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var centre = await db.WorkCentres.AsNoTracking().Include(c => c.Machines).SingleOrDefaultAsync(c => c.Id == id, ct);
        return centre is null ? null : WorkCentreDraft.From(centre);
    }

    public async Task<WorkCentreResult> CreateAsync(AuditActor actor, WorkCentreDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var problems = new List<WorkCentreProblem>();
        if (!EdgeTopics.IsValidId(draft.Id ?? ""))
        {
            problems.Add(new("id", WorkCentreProblemCode.Id, $"The id '{draft.Id}' must be 1-64 of A-Z a-z 0-9 - _ . (e.g. saw-2)."));
        }
        else if (await db.WorkCentres.AnyAsync(c => c.Id == draft.Id, ct))
        {
            problems.Add(new("id", WorkCentreProblemCode.IdTaken, $"There is a work centre '{draft.Id}' already: give this one its own id.", draft.Id!));
        }

        var (centre, more) = await ValidateAsync(db, draft.Id ?? "", draft, ct);
        problems.AddRange(more);
        if (problems.Count > 0)
        {
            return new(null, problems);
        }

        db.WorkCentres.Add(centre!);
        if (await SaveAsync(db, draft, ct) is { } conflict)
        {
            // Created by someone else at the same moment, or one of its machines placed elsewhere meanwhile.
            return await db.WorkCentres.AsNoTracking().AnyAsync(c => c.Id == centre!.Id, ct)
                ? new(null, [new("id", WorkCentreProblemCode.IdTaken, $"There is a work centre '{draft.Id}' already: give this one its own id.", draft.Id!)])
                : new(null, [conflict]);
        }

        var after = WorkCentreDraft.From(centre!);
        await audit.AppendAsync(actor, "workcentre.created", "workcentre", centre!.Id, null, after, ct);
        return new(after, []);
    }

    public async Task<WorkCentreResult> UpdateAsync(AuditActor actor, string id, WorkCentreDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var existing = await db.WorkCentres.Include(c => c.Machines).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (existing is null)
        {
            return new(null, []);
        }

        var problems = new List<WorkCentreProblem>();
        if (draft.Id is { Length: > 0 } && draft.Id != id)
        {
            problems.Add(new("id", WorkCentreProblemCode.IdFixed, $"A work centre's id does not change: send '{id}' or leave it out.", id));
        }

        var (centre, more) = await ValidateAsync(db, id, draft, ct);
        problems.AddRange(more);
        if (problems.Count > 0)
        {
            return new(null, problems);
        }

        var before = WorkCentreDraft.From(existing);
        existing.Name = centre!.Name;
        existing.Kind = centre.Kind;
        existing.SetupMinutes = centre.SetupMinutes;
        existing.CycleSeconds = centre.CycleSeconds;
        existing.Calendar = centre.Calendar;
        var wanted = centre.Machines.Select(m => m.MachineId).ToHashSet(StringComparer.Ordinal);
        existing.Machines.RemoveAll(m => !wanted.Contains(m.MachineId));
        existing.Machines.AddRange(centre.Machines.Where(m => !existing.Machines.Any(e => e.MachineId == m.MachineId)));
        if (await SaveAsync(db, draft, ct) is { } conflict)
        {
            return new(null, [conflict]);
        }

        var after = WorkCentreDraft.From(existing);
        await audit.AppendAsync(actor, "workcentre.changed", "workcentre", id, before, after, ct);
        return new(after, []);
    }

    /// <summary>Deletes the work centre unless operations refer to it; null when there was no such work centre.</summary>
    public async Task<WorkCentreResult> DeleteAsync(AuditActor actor, string id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductionDbContext>();
        var existing = await db.WorkCentres.Include(c => c.Machines).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (existing is null)
        {
            return new(null, []);
        }

        var operations = await db.Operations.CountAsync(o => o.WorkCentreId == id, ct);
        if (operations > 0)
        {
            return new(null, [InUse(id, operations)]);
        }

        var before = WorkCentreDraft.From(existing);
        db.WorkCentres.Remove(existing);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // An import routed a part here meanwhile: the operation's foreign key keeps the work centre.
            return new(null, [InUse(id, 1)]);
        }

        await audit.AppendAsync(actor, "workcentre.deleted", "workcentre", id, before, null, ct);
        return new(before, []);
    }

    private static WorkCentreProblem InUse(string id, int operations) =>
        new("id", WorkCentreProblemCode.InUse, $"Work centre '{id}' is in the routing of {operations} operation(s): change those routings first, or keep it.",
            id, operations.ToString(CultureInfo.InvariantCulture));

    /// <summary>Saves; a machine placed in another work centre at the same moment (its primary key) is that field's problem.</summary>
    private static async Task<WorkCentreProblem?> SaveAsync(ProductionDbContext db, WorkCentreDraft draft, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException)
        {
            return new("machines", WorkCentreProblemCode.MachinesChanged, "A machine of this work centre was just placed in another one: reload and try again.");
        }
    }

    private static async Task<(WorkCentre? Centre, List<WorkCentreProblem> Problems)> ValidateAsync(ProductionDbContext db, string id, WorkCentreDraft draft, CancellationToken ct)
    {
        var problems = new List<WorkCentreProblem>();
        var name = draft.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
        {
            problems.Add(new("name", WorkCentreProblemCode.Name, $"The name is required (at most {MaxNameLength} characters), e.g. \"Panel saw 2\"."));
        }

        WorkCentreKind kind = default;
        if (draft.Kind is null || int.TryParse(draft.Kind, out _) || !Enum.TryParse(draft.Kind, ignoreCase: false, out kind) || !Enum.IsDefined(kind))
        {
            problems.Add(new("kind", WorkCentreProblemCode.Kind, $"The kind '{draft.Kind}' is not a kind of work centre: use one of {string.Join(", ", Enum.GetNames<WorkCentreKind>())}.", draft.Kind ?? ""));
        }

        if (draft.SetupMinutes is not { } setup || setup is < 0 or > MaxSetupMinutes)
        {
            problems.Add(new("setupMinutes", WorkCentreProblemCode.SetupMinutes, $"The set-up time is 0 to {MaxSetupMinutes} minutes."));
        }

        if (draft.CycleSeconds is not { } cycle || cycle is < 0 or > MaxCycleSeconds)
        {
            problems.Add(new("cycleSeconds", WorkCentreProblemCode.CycleSeconds, $"The cycle time is 0 to {MaxCycleSeconds} seconds per piece."));
        }

        var machines = await ValidateMachinesAsync(db, id, draft.Machines ?? [], problems, ct);
        var shifts = ValidateShifts(draft.Shifts ?? [], problems);
        var holidays = ValidateHolidays(draft.Holidays ?? [], problems);
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new WorkCentre
        {
            Id = id,
            Name = name,
            Kind = kind,
            SetupMinutes = draft.SetupMinutes!.Value,
            CycleSeconds = draft.CycleSeconds!.Value,
            Calendar = new WorkCalendar { Shifts = shifts, Holidays = holidays },
            Machines = [.. machines.Select(m => new WorkCentreMachine { MachineId = m, WorkCentreId = id })],
        }, problems);
    }

    private static async Task<List<string>> ValidateMachinesAsync(ProductionDbContext db, string id, IReadOnlyList<string> machines, List<WorkCentreProblem> problems, CancellationToken ct)
    {
        if (machines.Count > MaxMachines)
        {
            problems.Add(new("machines", WorkCentreProblemCode.TooManyMachines, $"A work centre has at most {MaxMachines} machines."));
            return [];
        }

        var valid = new List<string>();
        for (var i = 0; i < machines.Count; i++)
        {
            var machine = machines[i]?.Trim() ?? "";
            if (!EdgeTopics.IsValidId(machine))
            {
                problems.Add(new($"machines[{i}]", WorkCentreProblemCode.MachineId, $"'{machine}' is not a machine id (1-64 of A-Z a-z 0-9 - _ .).", machine));
            }
            else if (valid.Contains(machine, StringComparer.Ordinal))
            {
                problems.Add(new($"machines[{i}]", WorkCentreProblemCode.MachineTwice, $"'{machine}' is listed twice.", machine));
            }
            else
            {
                valid.Add(machine);
            }
        }

        var elsewhere = await db.WorkCentreMachines.AsNoTracking()
            .Where(m => valid.Contains(m.MachineId) && m.WorkCentreId != id)
            .Join(db.WorkCentres, m => m.WorkCentreId, c => c.Id, (m, c) => new { m.MachineId, c.Id, c.Name })
            .ToListAsync(ct);
        foreach (var placed in elsewhere)
        {
            var i = machines.Select(m => m?.Trim()).ToList().IndexOf(placed.MachineId);
            problems.Add(new($"machines[{i}]", WorkCentreProblemCode.MachineElsewhere,
                $"'{placed.MachineId}' is in work centre '{placed.Id}' ({placed.Name}): take it out of that one first; a machine is in one work centre.",
                placed.MachineId, placed.Id, placed.Name));
        }

        return valid;
    }

    private static List<Shift> ValidateShifts(IReadOnlyList<ShiftDraft> drafts, List<WorkCentreProblem> problems)
    {
        if (drafts.Count > MaxShifts)
        {
            problems.Add(new("shifts", WorkCentreProblemCode.TooManyShifts, $"A work centre has at most {MaxShifts} shifts."));
            return [];
        }

        var shifts = new List<(int Index, Shift Shift)>();
        for (var i = 0; i < drafts.Count; i++)
        {
            var draft = drafts[i] ?? new ShiftDraft(null, null, null, null, null);
            var field = $"shifts[{i}]";
            var before = problems.Count;
            var name = draft.Name?.Trim() ?? "";
            if (name.Length is 0 or > 50)
            {
                problems.Add(new($"{field}.name", WorkCentreProblemCode.ShiftName, $"Shift {i + 1}: the name is required (at most 50 characters), e.g. \"1\" or \"Morning\".", (i + 1).ToString(CultureInfo.InvariantCulture)));
            }

            var start = Time(draft.Start, $"{field}.start", i, problems);
            var end = Time(draft.End, $"{field}.end", i, problems);
            if (start is not null && start == end)
            {
                problems.Add(new($"{field}.end", WorkCentreProblemCode.ShiftEmpty, $"Shift {i + 1}: the end must differ from the start (an end before the start runs past midnight).", (i + 1).ToString(CultureInfo.InvariantCulture)));
            }

            var days = new List<DayOfWeek>();
            foreach (var day in draft.Days ?? [])
            {
                if (int.TryParse(day, out _) || !Enum.TryParse<DayOfWeek>(day, ignoreCase: false, out var parsed) || !Enum.IsDefined(parsed))
                {
                    problems.Add(new($"{field}.days", WorkCentreProblemCode.Day, $"Shift {i + 1}: '{day}' is not a day: use Monday … Sunday.", (i + 1).ToString(CultureInfo.InvariantCulture), day ?? ""));
                }
                else if (!days.Contains(parsed))
                {
                    days.Add(parsed);
                }
            }

            if (days.Count == 0 && (draft.Days ?? []).Count == 0)
            {
                problems.Add(new($"{field}.days", WorkCentreProblemCode.NoDays, $"Shift {i + 1}: choose the days it is worked on.", (i + 1).ToString(CultureInfo.InvariantCulture)));
            }

            var breaks = new List<ShiftBreak>();
            var pauses = draft.Breaks ?? [];
            if (pauses.Count > MaxBreaks)
            {
                problems.Add(new($"{field}.breaks", WorkCentreProblemCode.TooManyBreaks, $"Shift {i + 1}: at most {MaxBreaks} breaks.", (i + 1).ToString(CultureInfo.InvariantCulture)));
                pauses = [];
            }

            for (var b = 0; b < pauses.Count; b++)
            {
                var breakField = $"{field}.breaks[{b}]";
                var breakStart = Time(pauses[b]?.Start, $"{breakField}.start", i, problems);
                var breakEnd = Time(pauses[b]?.End, $"{breakField}.end", i, problems);
                if (start is not { } s || end is not { } e || breakStart is not { } bs || breakEnd is not { } be || s == e)
                {
                    continue;
                }

                var length = Offset(s, e);
                if (Offset(s, bs) >= Offset(s, be) || Offset(s, be) > length || bs == be)
                {
                    problems.Add(new(breakField, WorkCentreProblemCode.BreakOutside,
                        $"Shift {i + 1}: the break {bs:HH\\:mm}-{be:HH\\:mm} must lie inside the shift {s:HH\\:mm}-{e:HH\\:mm}.",
                        (i + 1).ToString(CultureInfo.InvariantCulture), Hm(bs), Hm(be), Hm(s), Hm(e)));
                }
                else
                {
                    breaks.Add(new(bs, be));
                }
            }

            if (problems.Count == before)
            {
                shifts.Add((i, new Shift(name, start!.Value, end!.Value, [.. days.Order()], [.. breaks.OrderBy(x => Offset(start.Value, x.Start))])));
            }
        }

        // Two shifts overlap when they share a minute of the week (a shift past midnight runs into the next day; Saturday's into Sunday's, Sunday's into Monday's).
        for (var a = 0; a < shifts.Count; a++)
        {
            for (var b = a + 1; b < shifts.Count; b++)
            {
                if (Overlap(shifts[a].Shift, shifts[b].Shift) is { } day)
                {
                    var (first, second) = (shifts[a], shifts[b]);
                    problems.Add(new($"shifts[{second.Index}]", WorkCentreProblemCode.ShiftOverlap,
                        $"Shift {second.Index + 1} ({second.Shift.Name}) overlaps shift {first.Index + 1} ({first.Shift.Name}) on {day}: shifts of the same day must not overlap.",
                        (second.Index + 1).ToString(CultureInfo.InvariantCulture), second.Shift.Name, (first.Index + 1).ToString(CultureInfo.InvariantCulture), first.Shift.Name, day.ToString()));
                }
            }
        }

        return [.. shifts.Select(s => s.Shift)];
    }

    private static DayOfWeek? Overlap(Shift a, Shift b)
    {
        foreach (var dayA in a.Days)
        {
            var (startA, endA) = Interval(a, dayA);
            foreach (var dayB in b.Days)
            {
                var (startB, endB) = Interval(b, dayB);
                foreach (var shift in (int[])[-MinutesPerWeek, 0, MinutesPerWeek])
                {
                    if (startA < endB + shift && startB + shift < endA)
                    {
                        return dayB;
                    }
                }
            }
        }

        return null;
    }

    private static (int Start, int End) Interval(Shift shift, DayOfWeek day)
    {
        var start = ((int)day * MinutesPerDay) + (shift.Start.Hour * 60) + shift.Start.Minute;
        return (start, start + Offset(shift.Start, shift.End));
    }

    /// <summary>Minutes from <paramref name="from"/> forward to <paramref name="to"/> (past midnight when earlier).</summary>
    private static int Offset(TimeOnly from, TimeOnly to) =>
        ((((to.Hour * 60) + to.Minute) - ((from.Hour * 60) + from.Minute)) + MinutesPerDay) % MinutesPerDay;

    private static string Hm(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static TimeOnly? Time(string? value, string field, int shift, List<WorkCentreProblem> problems)
    {
        if (TimeOnly.TryParseExact(value?.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return new TimeOnly(time.Hour, time.Minute);
        }

        problems.Add(new(field, WorkCentreProblemCode.Time, $"Shift {shift + 1}: '{value}' is not a time written HH:mm (e.g. 06:00).", (shift + 1).ToString(CultureInfo.InvariantCulture), value ?? ""));
        return null;
    }

    private static List<DateOnly> ValidateHolidays(IReadOnlyList<string> drafts, List<WorkCentreProblem> problems)
    {
        if (drafts.Count > MaxHolidays)
        {
            problems.Add(new("holidays", WorkCentreProblemCode.TooManyHolidays, $"At most {MaxHolidays} holidays."));
            return [];
        }

        var holidays = new List<DateOnly>();
        for (var i = 0; i < drafts.Count; i++)
        {
            if (!DateOnly.TryParseExact(drafts[i]?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                problems.Add(new($"holidays[{i}]", WorkCentreProblemCode.Holiday, $"'{drafts[i]}' is not a date written yyyy-MM-dd.", drafts[i] ?? ""));
            }
            else if (holidays.Contains(day))
            {
                problems.Add(new($"holidays[{i}]", WorkCentreProblemCode.HolidayTwice, $"{drafts[i]} is listed twice: each holiday once.", drafts[i]!));
            }
            else
            {
                holidays.Add(day);
            }
        }

        return [.. holidays.Order()];
    }
}

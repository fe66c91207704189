namespace DomioOps.Devices.Serial;

/// <summary>
/// One value taken from a line: the value of the pair named <paramref name="Key"/>, or the <paramref name="Group"/>
/// (its name or number; the first group when null) of the regular expression <paramref name="Pattern"/> when it matches
/// the line. Text values are looked up in <paramref name="Values"/> (e.g. RUN → 3), anything else must be a number.
/// </summary>
public sealed record LineField(string? Key, string? Pattern, string? Group, IReadOnlyDictionary<string, double> Values);

namespace DomioOps.Cloud.Office;

/// <summary>
/// The answer to a change of office data: the saved <see cref="Value"/>; or the fields that are wrong
/// (<see cref="Errors"/>, nothing written); or a <see cref="Conflict"/> (someone else saved first, nothing written); or,
/// all three null, no such thing.
/// </summary>
internal sealed record OfficeChange<T>(T? Value, IReadOnlyDictionary<string, string[]>? Errors = null, string? Conflict = null)
    where T : class
{
    public static OfficeChange<T> Missing { get; } = new((T?)null);

    public static OfficeChange<T> Invalid(Dictionary<string, string[]> errors) => new(null, errors);
}

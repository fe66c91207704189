using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Machines;

/// <summary>What data annotations cannot say: the time zone is one this host knows.</summary>
internal sealed class MachinesOptionsValidator : IValidateOptions<MachinesOptions>
{
    public ValidateOptionsResult Validate(string? name, MachinesOptions options) =>
        string.IsNullOrWhiteSpace(options.TimeZone) || TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Machines:TimeZone '{options.TimeZone}' is not a time zone this host knows: name one of the IANA time zone database, e.g. Europe/Moscow, or leave it empty for the host's own.");
}

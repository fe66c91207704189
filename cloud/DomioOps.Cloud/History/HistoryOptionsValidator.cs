using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.History;

/// <summary>What data annotations cannot say: the connection string resolved, and a sink that is on names where to write.</summary>
internal sealed class HistoryOptionsValidator : IValidateOptions<HistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, HistoryOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("History:ConnectionString (or Silo:ConnectionString) is required: the Npgsql connection string of the history database.");
        }

        var sink = options.LineProtocol;
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(sink, new(sink), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"History:LineProtocol: {r.ErrorMessage}"));
        }

        if (sink.Enabled && (sink.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add("History:LineProtocol:Url must be an absolute http(s) write URL when the sink is enabled, e.g. http://127.0.0.1:8086/write?db=domio (InfluxDB 1.x) or http://127.0.0.1:8428/write (VictoriaMetrics).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

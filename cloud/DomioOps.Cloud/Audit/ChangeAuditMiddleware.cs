using System.Globalization;

namespace DomioOps.Cloud.Audit;

/// <summary>
/// The audit net under every endpoint: a successful change (any method but GET, HEAD, OPTIONS, TRACE) by a signed-in
/// caller is recorded as the route it went through and the ids in it, unless the endpoint records its own change in
/// detail (<see cref="AuditsItself"/>, with before and after). So an endpoint added later is audited without a line of code.
/// </summary>
internal sealed class ChangeAuditMiddleware(RequestDelegate next, AuditTrail audit)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method)
            || context.Response.StatusCode is < 200 or >= 300
            || context.User.Identity?.IsAuthenticated != true
            || context.GetEndpoint() is not RouteEndpoint endpoint
            || endpoint.Metadata.GetMetadata<AuditsItself>() is not null)
        {
            return;
        }

        var route = "/" + endpoint.RoutePattern.RawText?.TrimStart('/');
        var ids = string.Join(";", context.Request.RouteValues
            .Where(v => endpoint.RoutePattern.Parameters.Any(p => p.Name == v.Key))
            .Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value}")));
        // The response has gone: the record must not depend on the caller still listening.
        await audit.AppendAsync(AuditActor.From(context), $"{context.Request.Method} {route}", "endpoint", ids.Length == 0 ? null : ids,
            null, new { status = context.Response.StatusCode }, CancellationToken.None);
    }
}

/// <summary>Endpoint metadata: this endpoint appends its own detailed audit rows, so <see cref="ChangeAuditMiddleware"/> leaves it alone.</summary>
internal sealed class AuditsItself
{
    public static AuditsItself Instance { get; } = new();
}

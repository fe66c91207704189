using System.Security.Claims;
using System.Threading.RateLimiting;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Security;

/// <summary>
/// The per-user budget of API and hub calls, after authentication (it needs the user). The per-address budget runs before
/// authentication in ASP.NET Core's rate limiter (<see cref="SecurityExtensions.UseSecurity"/>).
/// </summary>
internal sealed class UserRateLimit : IMiddleware, IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public UserRateLimit(IOptions<SecurityOptions> options)
    {
        var perMinute = options.Value.RateLimits.ApiPerMinutePerUser;
        _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            SecurityExtensions.IsApi(context) && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user
                ? RateLimitPartition.GetTokenBucketLimiter("user:" + user, _ => SecurityExtensions.Bucket(perMinute))
                : RateLimitPartition.GetNoLimiter(""));
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        using var lease = await _limiter.AcquireAsync(context, 1, context.RequestAborted);
        if (!lease.IsAcquired)
        {
            SecurityExtensions.RetryAfter(context, lease);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return;
        }

        await next(context);
    }

    public void Dispose() => _limiter.Dispose();
}

using DomioOps.Cloud.Security;

namespace DomioOps.Cloud.Audit;

internal static class AuditExtensions
{
    /// <summary>The hash-chained audit trail in the cluster's PostgreSQL (<c>domio_audit</c>).</summary>
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.AddSingleton<AuditVerifier>();
        return builder;
    }

    /// <summary><c>GET /api/audit</c> (rows in order) and <c>POST /api/audit/verify</c>: administrators only.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(SecurityPolicies.Admin).WithMetadata(AuditsItself.Instance);
        audit.MapGet("/", (AuditTrail trail, long? after, int? limit, CancellationToken ct) =>
            trail.ReadAsync(after ?? 0, Math.Clamp(limit ?? 100, 1, 1000), null, ct));
        audit.MapPost("/verify", async (AuditVerifier verifier, CancellationToken ct) =>
        {
            var result = await verifier.VerifyAsync(null, ct);
            return TypedResults.Ok(new { result.Rows, result.Intact, result.Problems });
        });
        return app;
    }

    /// <summary>
    /// <c>DomioOps.Cloud audit verify</c>: verifies the chain against the configured database (same configuration as
    /// the host: appsettings.json, <c>Silo__ConnectionString</c>, arguments), prints progress, exits 0 when intact, 2 when not.
    /// Returns null when <paramref name="args"/> are not this command.
    /// </summary>
    public static async Task<int?> RunAuditCommandAsync(string[] args)
    {
        if (args is not ["audit", "verify", ..])
        {
            return null;
        }

        var builder = Host.CreateApplicationBuilder(args[2..]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOptions<Cluster.SiloOptions>().BindConfiguration(Cluster.SiloOptions.Section).ValidateDataAnnotations();
        builder.Services.AddSingleton<AuditVerifier>();
        using var host = builder.Build();
        var verifier = host.Services.GetRequiredService<AuditVerifier>();
        var result = await verifier.VerifyAsync(rows => Console.WriteLine($"audit verify: {rows} rows checked"), CancellationToken.None);
        foreach (string problem in result.Problems)
        {
            Console.WriteLine($"audit verify: TAMPERED: {problem}");
        }

        Console.WriteLine(result.Intact ? $"audit verify: intact, {result.Rows} rows" : $"audit verify: {result.Problems.Count} problems in {result.Rows} rows");
        return result.Intact ? 0 : 2;
    }
}

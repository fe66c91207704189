using DomioOps.Cloud.Security;

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Audit;

internal static class AuditExtensions
{
    /// <summary>
    /// The HMAC-chained audit trail in the cluster's PostgreSQL (<c>domio_audit</c>), its key file and its signed
    /// checkpoints (section <c>Audit</c>).
    /// </summary>
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        AddAuditAnchors(builder.Services, allowCreateKey: true);
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.AddSingleton<AuditSearch>();
        builder.Services.AddSingleton<AuditCheckpointWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditCheckpointWriter>());
        return builder;
    }

    /// <summary>Options, key, checkpoint folder and verifier: what both the host and <c>audit verify</c> need.</summary>
    private static void AddAuditAnchors(IServiceCollection services, bool allowCreateKey)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddSingleton(provider =>
        {
            var audit = provider.GetRequiredService<IOptions<AuditOptions>>().Value;
            return AuditKey.Load(audit.KeyPath, allowCreateKey && audit.CreateKey);
        });
        services.AddSingleton<AuditCheckpoints>();
        services.AddSingleton<AuditVerifier>();
        services.TryAddSingleton(TimeProvider.System);
    }

    /// <summary>
    /// <c>GET /api/audit</c> (rows in order), <c>GET /api/audit/export</c> (the rows a filter admits, as CSV) and
    /// <c>POST /api/audit/verify</c>: administrators only.
    /// </summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(SecurityPolicies.Admin).WithMetadata(AuditsItself.Instance);
        audit.MapGet("/", (AuditTrail trail, long? after, int? limit, CancellationToken ct) =>
            trail.ReadAsync(after ?? 0, Math.Clamp(limit ?? 100, 1, 1000), null, ct));
        audit.MapGet("/export", ExportAsync);
        audit.MapPost("/verify", async (AuditVerifier verifier, CancellationToken ct) =>
        {
            var result = await verifier.VerifyAsync(null, ct);
            return TypedResults.Ok(new { result.Rows, result.Intact, result.FirstBrokenSeq, result.Problems });
        });
        return app;
    }

    /// <summary>
    /// The rows by or about <paramref name="person"/> (user name or id), whose action starts with <paramref name="action"/>,
    /// from <paramref name="from"/> to <paramref name="to"/> (exclusive), as the Audit page filters them, in a CSV file.
    /// The export is itself audited: the trail names people and addresses.
    /// </summary>
    private static async Task<IResult> ExportAsync(
        AuditSearch search, AuditTrail trail, HttpContext http, string? person, string? action, DateTimeOffset? from, DateTimeOffset? to)
    {
        var filter = new AuditFilter(person, action, from, to);
        await trail.AppendAsync(AuditActor.From(http), "audit.exported", "audit", null, null,
            new { person = !string.IsNullOrWhiteSpace(person), action, from, to }, http.RequestAborted);
        return TypedResults.Stream(output => search.WriteCsvAsync(filter, output, http.RequestAborted), "text/csv; charset=utf-8", ExportFileName);
    }

    public const string ExportPath = "/api/audit/export";

    public const string ExportFileName = "audit-trail.csv";

    /// <summary>
    /// <c>DomioOps.Cloud audit verify</c>: verifies the chain in the configured database with the key and against the
    /// checkpoints (same configuration as the host: appsettings.json, <c>Silo__ConnectionString</c>, <c>Audit__KeyPath</c>,
    /// <c>Audit__CheckpointDirectory</c>, arguments), prints progress, exits 0 when intact, 2 when not, 1 when misconfigured. It never creates a key.
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
        AddAuditAnchors(builder.Services, allowCreateKey: false);
        using var host = builder.Build();
        AuditVerifier verifier;
        try
        {
            _ = host.Services.GetRequiredService<IOptions<AuditOptions>>().Value;
            verifier = host.Services.GetRequiredService<AuditVerifier>();
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            Console.Error.WriteLine($"audit verify: {e.Message}");
            return 1;
        }

        var result = await verifier.VerifyAsync(rows => Console.WriteLine($"audit verify: {rows} rows checked"), CancellationToken.None);
        foreach (var problem in result.Problems)
        {
            Console.WriteLine($"audit verify: TAMPERED: {problem}");
        }

        Console.WriteLine(result.Intact
            ? $"audit verify: intact, {result.Rows} rows"
            : $"audit verify: {result.Problems.Count} problems in {result.Rows} rows" + (result.FirstBrokenSeq is { } first ? $"; the first row not to trust is {first}" : ""));
        return result.Intact ? 0 : 2;
    }
}

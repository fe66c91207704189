using System.Security.Cryptography;

using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Cluster;

using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

using Npgsql;

namespace DomioOps.Cloud.Security;

/// <summary>
/// At start: creates the roles, and the first administrator when the database has no user yet. Silos starting together
/// take turns through an advisory lock. The password is never in appsettings.json: see <see cref="InitialAdminOptions"/>.
/// </summary>
internal sealed partial class InitialAdmin(
    IServiceScopeFactory scopes,
    IOptions<SecurityOptions> options,
    IOptions<SiloOptions> silo,
    AuditTrail audit,
    ILogger<InitialAdmin> logger) : IHostedService
{
    private const long SeedLockKey = 0x446F_6D69_6F53_6564; // "DomioSed"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(silo.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({SeedLockKey})", connection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in DomioRoles.People)
            {
                if (!await roles.RoleExistsAsync(role))
                {
                    Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
                }
            }

            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            if (users.Users.Any())
            {
                return;
            }

            var admin = options.Value.InitialAdmin;
            var (password, source) = await ResolvePasswordAsync(admin, cancellationToken);
            var user = new IdentityUser(admin.UserName);
            Check(await users.CreateAsync(user, password), $"create the initial administrator '{admin.UserName}'");
            Check(await users.AddToRoleAsync(user, DomioRoles.Admin), "make the initial administrator an Admin");
            await audit.AppendAsync(AuditActor.System, "user.created", "user", user.Id, null, new { roles = new[] { DomioRoles.Admin }, initialAdmin = true }, cancellationToken);
            LogCreated(admin.UserName, source);
            if (source == "generated" && admin.PasswordFile is null)
            {
                // Printed once, on the console only: it is in no file and no log sink.
                Console.WriteLine($"DomioOps: the initial administrator is '{admin.UserName}' with password {password} — change it after signing in.");
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({SeedLockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<(string Password, string Source)> ResolvePasswordAsync(InitialAdminOptions admin, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(admin.Password))
        {
            return (admin.Password, "configuration (environment)");
        }

        if (admin.PasswordFile is { } file && File.Exists(file))
        {
            return ((await File.ReadAllTextAsync(file, cancellationToken)).Trim(), file);
        }

        var generated = Generate();
        if (admin.PasswordFile is { } target && !SecretFile.TryCreate(target, System.Text.Encoding.UTF8.GetBytes(generated + "\n")))
        {
            // Another silo generated it a moment ago: that password is the administrator's.
            return ((await File.ReadAllTextAsync(target, cancellationToken)).Trim(), target);
        }

        return (generated, "generated");
    }

    /// <summary>24 characters from a 144-bit secret, with the upper, lower and digit the password policy asks for.</summary>
    internal static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y') + "Aa1";

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the initial administrator {UserName}; password from {Source}")]
    private partial void LogCreated(string userName, string source);
}

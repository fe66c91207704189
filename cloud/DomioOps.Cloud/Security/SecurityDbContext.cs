using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace DomioOps.Cloud.Security;

/// <summary>
/// Identity's users and roles, API keys, terminals and the data protection key ring, in the cluster's PostgreSQL.
/// The schema is created by <c>Storage/Sql/0006-security.sql</c> and <c>0009-security-hardening.sql</c> (generated from this
/// model); change both together.
/// </summary>
internal sealed class SecurityDbContext(DbContextOptions<SecurityDbContext> options)
    : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Terminal> Terminals => Set<Terminal>();

    public DbSet<OperatorCredential> OperatorCredentials => Set<OperatorCredential>();

    public DbSet<TerminalPinLockout> TerminalPinLockouts => Set<TerminalPinLockout>();

    public DbSet<TotpStep> TotpSteps => Set<TotpStep>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<ApiKey>(key =>
        {
            key.ToTable("domio_api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(32);
            key.Property(k => k.Name).HasMaxLength(200);
            key.HasOne<IdentityUser>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Terminal>(terminal =>
        {
            terminal.ToTable("domio_terminals");
            terminal.HasKey(t => t.Id);
            terminal.Property(t => t.Id).HasMaxLength(32);
            terminal.Property(t => t.Name).HasMaxLength(200);
            terminal.Property(t => t.WorkCentre).HasMaxLength(64);
        });
        builder.Entity<OperatorCredential>(credential =>
        {
            credential.ToTable("domio_operator_credentials");
            credential.HasKey(c => c.UserId);
            credential.HasIndex(c => c.BadgeHash).IsUnique();
            credential.HasOne<IdentityUser>().WithOne().HasForeignKey<OperatorCredential>(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<TerminalPinLockout>(lockout =>
        {
            lockout.ToTable("domio_terminal_pin_lockouts");
            lockout.HasKey(l => new { l.TerminalId, l.UserId });
            lockout.HasOne<Terminal>().WithMany().HasForeignKey(l => l.TerminalId).OnDelete(DeleteBehavior.Cascade);
            lockout.HasOne<IdentityUser>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<TotpStep>(step =>
        {
            step.ToTable("domio_totp_steps");
            step.HasKey(s => s.UserId);
            step.HasOne<IdentityUser>().WithOne().HasForeignKey<TotpStep>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

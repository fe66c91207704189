using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace DomioOps.Cloud.Production;

/// <summary>
/// Work centres, production orders with their parts and operations, operators' reports, stop reasons and the terminals'
/// applied actions, in the cluster's PostgreSQL. The schema is created by <c>Storage/Sql/0010-production.sql</c>
/// (generated from this model) and <c>0011-oee.sql</c> (operation runs, the reports' time index); change both together.
/// </summary>
internal sealed class ProductionDbContext(DbContextOptions<ProductionDbContext> options) : DbContext(options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public DbSet<WorkCentre> WorkCentres => Set<WorkCentre>();

    public DbSet<WorkCentreMachine> WorkCentreMachines => Set<WorkCentreMachine>();

    public DbSet<ProductionOrder> Orders => Set<ProductionOrder>();

    public DbSet<Part> Parts => Set<Part>();

    public DbSet<Operation> Operations => Set<Operation>();

    public DbSet<OperationReport> Reports => Set<OperationReport>();

    public DbSet<MachineStop> Stops => Set<MachineStop>();

    public DbSet<TerminalAction> TerminalActions => Set<TerminalAction>();

    /// <summary>When operations ran on which machine (<c>Storage/Sql/0011-oee.sql</c>).</summary>
    public DbSet<OperationRun> OperationRuns => Set<OperationRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkCentre>(centre =>
        {
            centre.ToTable("production_work_centres");
            centre.HasKey(c => c.Id);
            centre.Property(c => c.Id).HasMaxLength(WorkCentre.MaxIdLength);
            centre.Property(c => c.Name).HasMaxLength(200);
            centre.Property(c => c.Kind).HasConversion<string>().HasMaxLength(32);
            centre.Property(c => c.Calendar).HasColumnType("jsonb").HasConversion(
                calendar => JsonSerializer.Serialize(calendar, Json),
                json => JsonSerializer.Deserialize<WorkCalendar>(json, Json) ?? new WorkCalendar(),
                new ValueComparer<WorkCalendar>((a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
                    c => JsonSerializer.Serialize(c, Json).GetHashCode(StringComparison.Ordinal), c => c));
            centre.HasMany(c => c.Machines).WithOne().HasForeignKey(m => m.WorkCentreId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WorkCentreMachine>(machine =>
        {
            machine.ToTable("production_work_centre_machines");
            machine.HasKey(m => m.MachineId);
            machine.Property(m => m.MachineId).HasMaxLength(64);
        });
        modelBuilder.Entity<ProductionOrder>(order =>
        {
            order.ToTable("production_orders");
            order.HasKey(o => o.Id);
            order.Property(o => o.Number).HasMaxLength(ProductionOrder.MaxNumberLength);
            order.HasIndex(o => o.Number).IsUnique();
            order.Property(o => o.Customer).HasMaxLength(ProductionOrder.MaxCustomerLength);
            order.Property(o => o.Source).HasMaxLength(260);
            order.HasMany(o => o.Parts).WithOne().HasForeignKey(p => p.OrderId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Part>(part =>
        {
            part.ToTable("production_parts");
            part.HasKey(p => p.Id);
            part.HasIndex(p => new { p.OrderId, p.Line });
            part.Property(p => p.Name).HasMaxLength(200);
            part.Property(p => p.Material).HasMaxLength(200);
            part.Property(p => p.Thickness).HasPrecision(9, 2);
            part.Property(p => p.Length).HasPrecision(9, 2);
            part.Property(p => p.Width).HasPrecision(9, 2);
            part.Property(p => p.Grain).HasConversion<string>().HasMaxLength(16);
            part.Property(p => p.EdgeL1).HasMaxLength(100);
            part.Property(p => p.EdgeL2).HasMaxLength(100);
            part.Property(p => p.EdgeW1).HasMaxLength(100);
            part.Property(p => p.EdgeW2).HasMaxLength(100);
            part.Property(p => p.Program).HasMaxLength(200);
            part.Ignore(p => p.IsEdged);
            part.HasMany(p => p.Operations).WithOne().HasForeignKey(o => o.PartId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Operation>(operation =>
        {
            operation.ToTable("production_operations");
            operation.HasKey(o => o.Id);
            operation.HasIndex(o => new { o.PartId, o.Step }).IsUnique();
            operation.HasIndex(o => new { o.WorkCentreId, o.State });
            operation.HasIndex(o => o.OrderId);
            // One running operation per machine: the telemetry's pieces go to exactly one.
            operation.HasIndex(o => o.MachineId).IsUnique().HasFilter("\"State\" = 'Running'").HasDatabaseName("IX_production_operations_running_machine");
            operation.HasOne<ProductionOrder>().WithMany().HasForeignKey(o => o.OrderId).OnDelete(DeleteBehavior.Cascade);
            operation.HasOne<WorkCentre>().WithMany().HasForeignKey(o => o.WorkCentreId).OnDelete(DeleteBehavior.Restrict);
            operation.Property(o => o.WorkCentreId).HasMaxLength(WorkCentre.MaxIdLength);
            operation.Property(o => o.MachineId).HasMaxLength(64);
            operation.Property(o => o.State).HasConversion<string>().HasMaxLength(16);
            operation.Property(o => o.SetupMinutes).HasPrecision(9, 2);
            operation.Property(o => o.CycleSeconds).HasPrecision(9, 2);
            operation.Ignore(o => o.Remaining);
        });
        modelBuilder.Entity<OperationReport>(report =>
        {
            report.ToTable("production_reports");
            report.HasKey(r => r.Id);
            report.HasIndex(r => r.OperationId);
            report.HasIndex(r => r.At);
            report.HasOne<Operation>().WithMany().HasForeignKey(r => r.OperationId).OnDelete(DeleteBehavior.Cascade);
            report.Property(r => r.ScrapReason).HasConversion<string>().HasMaxLength(32);
            report.Property(r => r.OperatorId).HasMaxLength(450);
            report.Property(r => r.TerminalId).HasMaxLength(32);
        });
        modelBuilder.Entity<MachineStop>(stop =>
        {
            stop.ToTable("production_machine_stops");
            stop.HasKey(s => new { s.MachineId, s.Since });
            stop.Property(s => s.MachineId).HasMaxLength(64);
            stop.Property(s => s.Reason).HasConversion<string>().HasMaxLength(32);
            stop.Property(s => s.OperatorId).HasMaxLength(450);
            stop.Property(s => s.TerminalId).HasMaxLength(32);
        });
        modelBuilder.Entity<TerminalAction>(action =>
        {
            action.ToTable("production_terminal_actions");
            action.HasKey(a => new { a.TerminalId, a.Key });
            action.Property(a => a.TerminalId).HasMaxLength(32);
            action.Property(a => a.Kind).HasMaxLength(32);
            action.Property(a => a.Response).HasColumnType("jsonb");
        });
        modelBuilder.Entity<OperationRun>(run =>
        {
            run.ToTable("production_operation_runs");
            run.HasKey(r => r.Id);
            run.HasIndex(r => new { r.MachineId, r.From });
            run.HasIndex(r => r.OperationId);
            run.HasOne<Operation>().WithMany().HasForeignKey(r => r.OperationId).OnDelete(DeleteBehavior.Cascade);
            run.Property(r => r.MachineId).HasMaxLength(64);
        });
    }
}

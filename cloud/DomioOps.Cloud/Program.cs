using DomioOps.Cloud.Audit;
using DomioOps.Cloud.Cluster;
using DomioOps.Cloud.Components;
using DomioOps.Cloud.History;
using DomioOps.Cloud.Ingestion;
using DomioOps.Cloud.Machines;
using DomioOps.Cloud.Maintenance;
using DomioOps.Cloud.Maintenance.Notifications;
using DomioOps.Cloud.Oee;
using DomioOps.Cloud.Office;
using DomioOps.Cloud.Office.Documents;
using DomioOps.Cloud.Office.Quotes;
using DomioOps.Cloud.Office.Sales;
using DomioOps.Cloud.Office.Templates;
using DomioOps.Cloud.Planning;
using DomioOps.Cloud.Production;
using DomioOps.Cloud.Security;
using DomioOps.Cloud.Terminal;
using DomioOps.ServiceDefaults;

using Microsoft.Extensions.Options;

if (args is ["hash-password", ..])
{
    // For Broker:Edges seeds: reads a password from standard input, prints its $7$ hash.
    Console.WriteLine(EdgeCredentials.Hash(Console.ReadLine() ?? ""));
    return 0;
}

if (args is ["configuration-key", var keyPath])
{
    // The public key edges pin (Edge:RemoteConfiguration:SigningKeyPath); makes the private key file when missing.
    using var loggers = LoggerFactory.Create(_ => { });
    using var key = EdgeConfigurationKey.Load(keyPath, loggers.CreateLogger<EdgeConfigurationKey>())!;
    Console.Write(key.ExportSubjectPublicKeyInfoPem());
    Console.WriteLine();
    return 0;
}

if (await AuditExtensions.RunAuditCommandAsync(args) is { } exitCode)
{
    return exitCode;
}

if (await DomioOps.Cloud.Storage.MigrateCommand.RunAsync(args) is { } migrated)
{
    return migrated;
}

if (await DomioOps.Cloud.Maintenance.MaintenanceCommand.RunAsync(args) is { } maintained)
{
    return maintained;
}

await Program.Build(args).RunAsync();
return 0;

internal sealed partial class Program
{
    /// <summary>The cloud host; the tests build the same one (<paramref name="configure"/> lets them observe a service).</summary>
    internal static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The application is this assembly whichever process hosts it (the tests do): its static web assets are found by that name.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(Program).Assembly.GetName().Name });
        builder.AddServiceDefaults("domio-cloud", IngestionMetrics.MeterName, HistoryMetrics.MeterName);
        builder.AddCluster();
        builder.AddAudit();
        builder.AddSecurity();
        builder.AddIngestion();
        builder.AddMachines();
        builder.AddHistory();
        builder.AddProduction();
        builder.AddOee();
        builder.AddPlanning();
        builder.AddMaintenance();
        builder.AddMaintenanceNotifications();
        builder.AddOffice();
        builder.AddOfficeDocuments();
        builder.AddOfficeSales();
        builder.AddOfficeQuotes();
        builder.AddOfficeTemplates();
        builder.AddWebUi();
        builder.Services.AddOpenApi();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseTransportSecurity();
        app.MapServiceDefaults();
        app.UseWebUiCulture();
        app.UseSecurity();
        app.MapSecurityApi();
        app.MapAuditApi();
        app.MapMachinesApi();
        app.MapEdgesApi();
        app.MapHistoryApi();
        app.MapTerminalWorkApi();
        app.MapProductionApi();
        app.MapOeeApi();
        app.MapPlanningApi();
        app.MapMaintenanceApi();
        app.MapMaintenanceNotificationsApi();
        app.MapOfficeApi();
        app.MapOfficeSearchApi();
        app.MapOfficeDocumentsApi();
        app.MapOfficeSalesApi();
        app.MapOfficeQuotesApi();
        app.MapOfficeTemplatesApi().MapOfficeDocumentPreviewApi();
        var hubSendTimeout = app.Services.GetRequiredService<IOptions<MachinesOptions>>().Value.HubSendTimeout;
        app.MapHub<MachineHub>(MachineHub.Path, hub => hub.TransportSendTimeout = hubSendTimeout).RequireAuthorization(SecurityPolicies.ShopFloor);
        app.MapOpenApi().RequireAuthorization(SecurityPolicies.SignedIn);
        app.MapWebUi();
        app.MapTerminalPwa();
        return app;
    }
}

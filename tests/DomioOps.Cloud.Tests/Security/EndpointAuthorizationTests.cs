using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;

using DomioOps.Cloud.Security;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DomioOps.Cloud.Tests.Security;

/// <summary>
/// Who may call what, written by hand from the README's Security section and checked over HTTP against the real host:
/// an anonymous caller, an integration (API key) of each person role and a signed-in terminal call every route. The
/// expected roles are never read from the endpoints' policies, so a route given the wrong policy fails here, and a route
/// added without a row in <see cref="Table"/> fails too.
/// </summary>
[Collection(SecureCloudGroup.Name)]
public sealed partial class EndpointAuthorizationTests(SecureCloud cloud)
{
    private const string Operator = "Operator";
    private const string Maintenance = "Maintenance";
    private const string Planner = "Planner";
    private const string Office = "Office";
    private const string Admin = "Admin";
    private const string Terminal = "Terminal";

    /// <summary>The callers of the test: five people roles and a terminal.</summary>
    private static readonly string[] Callers = [Operator, Maintenance, Planner, Office, Admin, Terminal];

    /// <summary>A badge the terminal identifies an operator with, so its identification is admitted and succeeds.</summary>
    private const string Badge = "7E:57:A0:01";

    /// <summary>
    /// Every route (method and pattern as in the route table; <c>*</c> where the route takes any method) and the roles that
    /// may call it; <c>null</c> for the few open to anyone. From the README:
    /// machines (list, state, history, the live hub) are for every person and the shop-floor terminals;
    /// edges are read by maintenance, planning and administration, and only an administrator issues credentials,
    /// disables an edge or sets its configuration; users, API keys, terminals, audit and GDPR are for administrators;
    /// a person's own account is for anyone signed in (its handlers answer 400 to an API key or a terminal, which are not
    /// a person, but the terminal reads who it is from <c>/me</c>); a terminal's own session is for the terminal only.
    /// </summary>
    private static readonly Route[] Table =
    [
        new("*", "/health/live", null),
        new("*", "/health/ready", null),
        new("*", "/metrics", null),
        new("POST", "/api/account/sign-in", null),
        new("POST", "/api/account/sign-in/two-factor", null),
        new("POST", "/api/terminal/sign-in", null),
        new("GET", "/sign-in", null, Page: true),
        new("POST", "/sign-in", null, Page: true),
        new("GET", "/not-found", null, Page: true),
        new("POST", "/not-found", null, Page: true),
        new("POST", "/culture", null, Page: true),
        // The operator terminal's shell and words: public as the page shells are (its API asks for the terminal's sign-in).
        new("GET", "/terminal", null),
        new("GET", "/terminal/strings/{culture}.json", null),

        // The web application: every page a signed-in person may open checks its own policy when it renders; the live
        // pages' circuit is open to anyone signed in, whose pages check theirs.
        new("GET", "/", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("POST", "/", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("GET", "/account", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("POST", "/account", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("GET", "/access-denied", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("POST", "/access-denied", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("GET", "/machines", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("POST", "/machines", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("POST", "/sign-out", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        // A machine's page: a terminal sees only the machines it is bound to, the others are "no such machine" (404).
        new("GET", "/machines/{Id}", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        new("POST", "/machines/{Id}", [Operator, Maintenance, Planner, Office, Admin, Terminal], Page: true),
        // The edges pages: read by operations, as the edges API is; their changes are an administrator's, checked by the service.
        new("GET", "/admin/edges", [Maintenance, Planner, Admin], Page: true),
        new("POST", "/admin/edges", [Maintenance, Planner, Admin], Page: true),
        new("GET", "/admin/edges/{site}/{edge}", [Maintenance, Planner, Admin], Page: true),
        new("POST", "/admin/edges/{site}/{edge}", [Maintenance, Planner, Admin], Page: true),
        // Production office work (cut-list import, part labels): planners, the office and administrators.
        new("POST", "/api/production/orders/import", [Planner, Office, Admin]),
        new("GET", "/api/production/cut-list-templates/{name}", [Planner, Office, Admin]),
        new("PUT", "/api/production/parts/{partId}/routing", [Planner, Office, Admin], """{"steps":[{"workCentreId":"saw"}]}"""),
        new("GET", "/production/orders/import", [Planner, Office, Admin], Page: true),
        new("POST", "/production/orders/import", [Planner, Office, Admin], Page: true),
        new("GET", "/production/orders/{Id:long}/labels", [Planner, Office, Admin], Page: true),
        new("POST", "/production/orders/{Id:long}/labels", [Planner, Office, Admin], Page: true),
        // Work centres (machines, shift calendar, standard rates): the production office reads and changes them.
        new("GET", "/api/production/work-centres/", [Planner, Office, Admin]),
        new("GET", "/api/production/work-centres/{id}", [Planner, Office, Admin]),
        new("POST", "/api/production/work-centres/", [Planner, Office, Admin]),
        new("PUT", "/api/production/work-centres/{id}", [Planner, Office, Admin]),
        new("DELETE", "/api/production/work-centres/{id}", [Planner, Office, Admin]),
        new("GET", "/production/work-centres", [Planner, Office, Admin], Page: true),
        new("POST", "/production/work-centres", [Planner, Office, Admin], Page: true),
        new("*", "/_blazor", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("*", "/_blazor/negotiate", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("*", "/_blazor/disconnect/", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("*", "/_blazor/initializers/", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        // Closed by the fallback policy: Blazor's redirect for enhanced navigation (which the application turns off), and
        // files not in the static assets manifest (the ones in it are public, as the page shells are).
        new("GET", "/_framework/opaque-redirect", [Admin], Page: true),
        new("GET", "/{**path:file}", [Admin], Page: true),
        new("HEAD", "/{**path:file}", [Admin], Page: true),
        new("GET", "/admin/people", [Admin], Page: true),
        new("POST", "/admin/people", [Admin], Page: true),
        new("GET", "/admin/terminals", [Admin], Page: true),
        new("POST", "/admin/terminals", [Admin], Page: true),
        new("GET", "/admin/audit", [Admin], Page: true),
        new("POST", "/admin/audit", [Admin], Page: true),

        new("GET", "/api/machines/", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("GET", "/api/machines/{id}", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("GET", "/api/machines/{id}/history", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("*", "/hubs/machines", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("*", "/hubs/machines/negotiate", [Operator, Maintenance, Planner, Office, Admin, Terminal]),

        new("GET", "/openapi/{documentName}.json", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("GET", "/api/account/antiforgery", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("GET", "/api/account/me", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("GET", "/api/account/two-factor", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("POST", "/api/account/two-factor/enable", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("POST", "/api/account/two-factor/recovery-codes", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("POST", "/api/account/two-factor/disable", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("POST", "/api/account/password", [Operator, Maintenance, Planner, Office, Admin, Terminal]),
        new("POST", "/api/account/sign-out", [Operator, Maintenance, Planner, Office, Admin, Terminal]),

        new("GET", "/api/edges/", [Maintenance, Planner, Admin]),
        new("GET", "/api/edges/configuration-key", [Maintenance, Planner, Admin]),
        new("GET", "/api/edges/{site}/{edge}", [Maintenance, Planner, Admin]),
        new("GET", "/api/edges/{site}/{edge}/configuration", [Maintenance, Planner, Admin]),
        new("PUT", "/api/edges/{site}/{edge}/configuration", [Admin]),
        new("POST", "/api/edges/{site}/{edge}/credentials", [Admin]),
        new("DELETE", "/api/edges/{site}/{edge}", [Admin]),

        new("GET", "/api/security/users", [Admin]),
        new("POST", "/api/security/users", [Admin]),
        new("PUT", "/api/security/users/{id}/roles", [Admin]),
        new("POST", "/api/security/users/{id}/lock", [Admin]),
        new("POST", "/api/security/users/{id}/unlock", [Admin]),
        new("POST", "/api/security/users/{id}/api-keys", [Admin]),
        new("PUT", "/api/security/users/{id}/operator-credential", [Admin]),
        new("GET", "/api/security/api-keys", [Admin]),
        new("DELETE", "/api/security/api-keys/{id}", [Admin]),
        new("GET", "/api/security/terminals", [Admin]),
        new("POST", "/api/security/terminals", [Admin]),
        new("DELETE", "/api/security/terminals/{id}", [Admin]),
        new("GET", "/api/security/people/{id}/export", [Admin]),
        new("DELETE", "/api/security/people/{id}", [Admin]),
        new("GET", "/api/audit/", [Admin]),
        new("GET", "/api/audit/export", [Admin]),
        new("POST", "/api/audit/verify", [Admin]),

        new("POST", "/api/terminal/operator", [Terminal], $$"""{"badge":"{{Badge}}"}"""),
        new("DELETE", "/api/terminal/operator", [Terminal]),
        new("POST", "/api/terminal/sign-out", [Terminal]),
        new("GET", "/api/terminal/work", [Terminal]),
        new("GET", "/api/terminal/parts/{partId}", [Terminal]),
        new("POST", "/api/terminal/actions", [Terminal]),
        // Production orders, the office's view: every person reads them, a terminal (which has its own queue) does not.
        new("GET", "/api/production/orders", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/production/orders/export", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/production/orders/{id}", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/production/orders/{id}/export", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/production/orders", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/production/orders", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("GET", "/production/orders/{Id}", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/production/orders/{Id}", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        // OEE (rows, losses, the shift report, exports): every person reads them, as production orders.
        new("GET", "/api/oee/", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/oee/downtime", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/oee/scrap", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/oee/shift-report", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/oee/export.csv", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/oee/export.xlsx", [Operator, Maintenance, Planner, Office, Admin]),
        // The planner: every person reads the schedule, capacity, forecasts and planned maintenance; the production office
        // changes sequences; maintenance, planners and administrators plan maintenance.
        new("GET", "/api/planning/schedule", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/planning/capacity", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/planning/orders", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/planning/maintenance", [Operator, Maintenance, Planner, Office, Admin]),
        new("POST", "/api/planning/sequence", [Planner, Office, Admin], """{"operationId":1,"position":0}"""),
        new("POST", "/api/planning/maintenance/", [Maintenance, Planner, Admin], """{"machineId":"none"}"""),
        new("DELETE", "/api/planning/maintenance/{id:long}", [Maintenance, Planner, Admin]),
        // OEE and planning pages (#15): every person reads them (the board's changes check ProductionOffice themselves).
        new("GET", "/oee", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/oee", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("GET", "/oee/shift-report", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/oee/shift-report", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("GET", "/planning", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/planning", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("GET", "/planning/board", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/planning/board", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        // Maintenance (#16): every person reads alerts and work orders; maintenance, planners and administrators act on them.
        new("GET", "/api/maintenance/alerts", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/maintenance/alerts/{id:long}", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/maintenance/work-orders", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/maintenance/work-orders/{id:long}", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/maintenance", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/maintenance", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("GET", "/maintenance/work-orders", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/maintenance/work-orders", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("GET", "/maintenance/machines/{Id}", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/maintenance/machines/{Id}", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/api/maintenance/alerts/{id:long}/acknowledge", [Maintenance, Planner, Admin]),
        new("POST", "/api/maintenance/alerts/{id:long}/resolve", [Maintenance, Planner, Admin], """{"verdict":"FalseAlarm"}"""),
        new("POST", "/api/maintenance/work-orders", [Maintenance, Planner, Admin], """{"machineId":"none"}"""),
        new("PUT", "/api/maintenance/work-orders/{id:long}/progress", [Maintenance, Planner, Admin], "{}"),
        new("POST", "/api/maintenance/work-orders/{id:long}/close", [Maintenance, Planner, Admin], """{"repair":false}"""),
        new("POST", "/api/maintenance/work-orders/{id:long}/cancel", [Maintenance, Planner, Admin]),
        new("GET", "/api/maintenance/models/", [Maintenance, Planner, Admin]),
        new("GET", "/api/maintenance/models/{id:long}/report", [Maintenance, Planner, Admin]),
        new("POST", "/api/maintenance/models/{id:long}/activate", [Maintenance, Planner, Admin]),
        new("GET", "/maintenance/models", [Maintenance, Planner, Admin], Page: true),
        new("POST", "/maintenance/models", [Maintenance, Planner, Admin], Page: true),
        // Maintenance notifications (#16): the outbox's deliveries are for maintenance and administrators; every person
        // reads and marks their own bell and subscribes their browsers to web push.
        new("GET", "/api/maintenance/notifications/deliveries/", [Maintenance, Admin]),
        new("GET", "/api/maintenance/notifications/deliveries/{id:long}/attempts", [Maintenance, Admin]),
        new("POST", "/api/maintenance/notifications/deliveries/{id:long}/retry", [Maintenance, Admin]),
        new("GET", "/api/maintenance/notifications/bell/", [Operator, Maintenance, Planner, Office, Admin]),
        new("POST", "/api/maintenance/notifications/bell/{id:long}/read", [Operator, Maintenance, Planner, Office, Admin]),
        new("POST", "/api/maintenance/notifications/bell/read", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/api/maintenance/notifications/push/key", [Operator, Maintenance, Planner, Office, Admin]),
        new("POST", "/api/maintenance/notifications/push/subscriptions", [Operator, Maintenance, Planner, Office, Admin]),
        new("GET", "/maintenance/deliveries", [Maintenance, Admin], Page: true),
        new("POST", "/maintenance/deliveries", [Maintenance, Admin], Page: true),
        new("GET", "/notifications", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        new("POST", "/notifications", [Operator, Maintenance, Planner, Office, Admin], Page: true),
        // The office's customers (#17): the office and administrators read and change them, planners read them.
        new("GET", "/api/office/customers/", [Planner, Office, Admin]),
        new("GET", "/api/office/customers/export.csv", [Planner, Office, Admin]),
        new("GET", "/api/office/customers/export.xlsx", [Planner, Office, Admin]),
        new("GET", "/api/office/search", [Planner, Office, Admin]),
        new("GET", "/api/office/customers/{id:long}", [Planner, Office, Admin]),
        new("POST", "/api/office/customers/", [Office, Admin]),
        new("PUT", "/api/office/customers/{id:long}", [Office, Admin]),
        new("DELETE", "/api/office/customers/{id:long}", [Office, Admin]),
        new("POST", "/api/office/customers/{id:long}/contacts", [Office, Admin]),
        new("PUT", "/api/office/customers/{id:long}/contacts/{contactId:long}", [Office, Admin]),
        new("DELETE", "/api/office/customers/{id:long}/contacts/{contactId:long}", [Office, Admin]),
        new("GET", "/api/office/customers/{id:long}/personal-data/", [Admin]),
        new("DELETE", "/api/office/customers/{id:long}/personal-data/", [Admin]),
        // Their pages: read by the same three roles; the forms are the office's and administrators' (checked by the page on each change).
        new("GET", "/office/customers", [Planner, Office, Admin], Page: true),
        new("POST", "/office/customers", [Planner, Office, Admin], Page: true),
        new("GET", "/office/customers/{Id:long}", [Planner, Office, Admin], Page: true),
        new("POST", "/office/customers/{Id:long}", [Planner, Office, Admin], Page: true),
        new("GET", "/office/search", [Planner, Office, Admin], Page: true),
        new("POST", "/office/search", [Planner, Office, Admin], Page: true),
        // Office documents (#17): the office and administrators upload, list, download and search them.
        new("GET", "/api/office/documents/", [Office, Admin]),
        new("GET", "/api/office/documents/search", [Office, Admin]),
        new("GET", "/api/office/documents/{id:long}", [Office, Admin]),
        new("GET", "/api/office/documents/{id:long}/versions/{version:int}/content", [Office, Admin]),
        new("POST", "/api/office/documents/", [Office, Admin]),
        new("POST", "/api/office/documents/{id:long}/versions", [Office, Admin]),
        // Office sales (#17): pipelines, deals, activities, a customer's timeline and the calendar; read by the three office
        // reading roles, changed by the office and administrators; the board and activities pages read by the three.
        new("GET", "/api/office/pipelines", [Planner, Office, Admin]),
        new("GET", "/api/office/deals", [Planner, Office, Admin]),
        new("GET", "/api/office/deals/{id:long}", [Planner, Office, Admin]),
        new("GET", "/api/office/customers/{id:long}/timeline", [Planner, Office, Admin]),
        new("GET", "/api/office/activities", [Planner, Office, Admin]),
        new("GET", "/api/office/activities/calendar.ics", [Planner, Office, Admin]),
        new("POST", "/api/office/deals", [Office, Admin]),
        new("PUT", "/api/office/deals/{id:long}", [Office, Admin]),
        new("POST", "/api/office/deals/{id:long}/move", [Office, Admin]),
        new("POST", "/api/office/activities", [Office, Admin]),
        new("PUT", "/api/office/activities/{id:long}", [Office, Admin]),
        new("GET", "/office/deals", [Planner, Office, Admin], Page: true),
        new("POST", "/office/deals", [Planner, Office, Admin], Page: true),
        new("GET", "/office/activities", [Planner, Office, Admin], Page: true),
        new("POST", "/office/activities", [Planner, Office, Admin], Page: true),
        // Office projects, price lists and quotes (#17): planners read them, the office and administrators change them.
        new("GET", "/api/office/projects/", [Planner, Office, Admin]),
        new("GET", "/api/office/projects/{id:long}", [Planner, Office, Admin]),
        new("GET", "/api/office/projects/{id:long}/production", [Planner, Office, Admin]),
        new("GET", "/api/office/price-lists", [Planner, Office, Admin]),
        new("GET", "/api/office/quotes/{id:long}", [Planner, Office, Admin]),
        new("GET", "/api/office/quotes/{id:long}/revisions/{revision:int}", [Planner, Office, Admin]),
        new("GET", "/api/office/quotes/{id:long}/pdf", [Planner, Office, Admin]),
        new("POST", "/api/office/projects/", [Office, Admin]),
        new("PUT", "/api/office/projects/{id:long}", [Office, Admin]),
        new("POST", "/api/office/quotes/", [Office, Admin]),
        new("PUT", "/api/office/quotes/{id:long}", [Office, Admin]),
        new("POST", "/api/office/quotes/{id:long}/cut-list", [Office, Admin]),
        new("POST", "/api/office/quotes/{id:long}/send", [Office, Admin]),
        new("POST", "/api/office/quotes/{id:long}/reject", [Office, Admin]),
        new("POST", "/api/office/quotes/{id:long}/accept", [Office, Admin]),
        new("POST", "/api/office/quotes/{id:long}/documents", [Office, Admin]),
        // Their pages: read by the same three roles; the forms are the office's and administrators' (checked by the page on each change).
        new("GET", "/office/projects", [Planner, Office, Admin], Page: true),
        new("POST", "/office/projects", [Planner, Office, Admin], Page: true),
        new("GET", "/office/projects/{Id:long}", [Planner, Office, Admin], Page: true),
        new("POST", "/office/projects/{Id:long}", [Planner, Office, Admin], Page: true),
        new("GET", "/office/quotes/{Id:long}", [Planner, Office, Admin], Page: true),
        new("POST", "/office/quotes/{Id:long}", [Planner, Office, Admin], Page: true),
        // Office materials and purchasing (#17): planners, the office and administrators read them; the office and administrators change them.
        new("GET", "/api/office/materials/", [Planner, Office, Admin]),
        new("GET", "/api/office/materials/warehouses", [Planner, Office, Admin]),
        new("GET", "/api/office/materials/stock", [Planner, Office, Admin]),
        new("GET", "/api/office/materials/stock/export", [Planner, Office, Admin]),
        new("GET", "/api/office/materials/purchase-suggestions", [Planner, Office, Admin]),
        new("GET", "/api/office/materials/{id:long}/movements", [Planner, Office, Admin]),
        new("GET", "/api/office/materials/reservations/{productionOrderId:long}", [Planner, Office, Admin]),
        new("GET", "/api/office/suppliers/", [Planner, Office, Admin]),
        new("GET", "/api/office/purchase-orders/", [Planner, Office, Admin]),
        new("GET", "/api/office/purchase-orders/{id:long}", [Planner, Office, Admin]),
        new("POST", "/api/office/materials/", [Office, Admin]),
        new("PUT", "/api/office/materials/{id:long}/minimum", [Office, Admin]),
        new("POST", "/api/office/materials/movements", [Office, Admin]),
        new("POST", "/api/office/materials/reservations/{productionOrderId:long}", [Office, Admin]),
        new("DELETE", "/api/office/materials/reservations/{productionOrderId:long}", [Office, Admin]),
        new("POST", "/api/office/suppliers/", [Office, Admin]),
        new("POST", "/api/office/purchase-orders/", [Office, Admin]),
        new("POST", "/api/office/purchase-orders/{id:long}/order", [Office, Admin]),
        new("POST", "/api/office/purchase-orders/{id:long}/cancel", [Office, Admin]),
        new("POST", "/api/office/purchase-orders/{id:long}/receipts", [Office, Admin]),
        new("GET", "/office/materials", [Planner, Office, Admin], Page: true),
        new("POST", "/office/materials", [Planner, Office, Admin], Page: true),
        new("GET", "/office/purchase-orders", [Planner, Office, Admin], Page: true),
        new("POST", "/office/purchase-orders", [Planner, Office, Admin], Page: true),
        new("GET", "/office/purchase-orders/{Id:long}", [Planner, Office, Admin], Page: true),
        new("POST", "/office/purchase-orders/{Id:long}", [Planner, Office, Admin], Page: true),
        // Documents' previews and pages, templates (#17): the office and administrators preview, search, read templates and
        // generate documents; only administrators save a template and open its editor.
        new("GET", "/api/office/documents/{id:long}/versions/{version:int}/preview", [Office, Admin]),
        new("GET", "/api/office/templates/", [Office, Admin]),
        new("GET", "/api/office/templates/{kind}/{culture}", [Office, Admin]),
        new("POST", "/api/office/templates/{kind}/{culture}/preview", [Office, Admin]),
        new("POST", "/api/office/templates/{kind}/{culture}/generate", [Office, Admin]),
        new("GET", "/office/documents", [Office, Admin], Page: true),
        new("POST", "/office/documents", [Office, Admin], Page: true),
        new("PUT", "/api/office/templates/{kind}/{culture}", [Admin]),
        new("GET", "/admin/templates", [Admin], Page: true),
        new("POST", "/admin/templates", [Admin], Page: true),
    ];

    [Fact]
    public void RouteTable_EveryRoute_HasExactlyOneRowInTheTable()
    {
        var routes = RouteTable();
        var rows = Table.Select(r => r.Key).ToList();
        Assert.Equal(rows.Count, rows.Distinct().Count());
        // A route without a row is one nobody decided the callers of; a row without a route is stale.
        Assert.Equal([], routes.Except(rows).Order());
        Assert.Equal([], rows.Except(routes).Order());
    }

    [Fact]
    public void RouteTable_OpenRows_AreTheOnlyAnonymousRoutes()
    {
        var source = cloud.App.Services.GetRequiredService<EndpointDataSource>();
        var anonymous = source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .SelectMany(Keys)
            .Order();
        Assert.Equal(Table.Where(r => r.Roles is null).Select(r => r.Key).Order(), anonymous);
    }

    [Fact]
    public async Task RouteTable_CallerOutsideTheRow_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var callers = await CallersAsync(admin, ct);
        try
        {
            using var anonymous = cloud.Client();
            var failures = new List<string>();
            var refusals = 0;
            foreach (var route in Table.Where(r => r.Roles is not null))
            {
                foreach (var method in route.Methods)
                {
                    // A page sends an anonymous person to sign in, and a terminal (signed in by cookie) to the page saying no;
                    // an API key is told 403 everywhere.
                    using (var response = await SendAsync(anonymous, method, route, ct))
                    {
                        Expect(route, method, "anonymous", response, route.Page ? HttpStatusCode.Redirect : HttpStatusCode.Unauthorized, route.Page ? "/sign-in" : null, failures);
                        refusals++;
                    }

                    foreach (var role in Callers.Except(route.Roles!))
                    {
                        using var response = await SendAsync(callers[role], method, route, ct);
                        var redirected = route.Page && role == Terminal;
                        Expect(route, method, role, response, redirected ? HttpStatusCode.Redirect : HttpStatusCode.Forbidden, redirected ? "/access-denied" : null, failures);
                        refusals++;
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
            // Counted by hand from the table: 132 closed rows, the 2 hub rows and 4 circuit rows on GET and POST, refuse the
            // anonymous caller 142 times; 35 rows of one role refuse the other 5 callers; 4 edge reading rows, 4 edge page rows,
            // 14 production office rows (2 import API, 1 routing, 5 work-centre API, 6 page rows), 3 planning change rows
            // (sequence, maintenance), 6 maintenance acting rows and 5 model registry rows refuse 3 callers; 4 production order rows, 4 production
            // page rows, 6 OEE rows, 4 planning reading rows, 8 OEE and planning page rows, 4 maintenance reading rows and 6
            // maintenance page rows refuse the terminal.
            // Maintenance notifications: 12 closed rows refuse the anonymous caller; 3 delivery rows and 2 deliveries page rows
            // refuse 4 callers; 3 bell rows, 2 push rows and 2 bell page rows refuse the terminal.
            // Office customers: 13 closed rows refuse the anonymous caller; 3 reading rows and 4 page rows refuse 3 callers
            // (operator, maintenance, terminal); 6 changing rows refuse 4 (those and the planner).
            // Office documents: 6 closed rows refuse the anonymous caller and the 4 callers outside Office and Admin.
            // Office sales: 15 closed rows refuse the anonymous caller; 6 reading rows and 4 page rows refuse 3 callers; 5 changing rows refuse 4.
            // Office projects and quotes: 22 closed rows refuse the anonymous caller; 7 reading rows and 6 page rows refuse 3 callers; 9 changing rows refuse 4.
            // Office materials: 26 closed rows refuse the anonymous caller; 10 reading rows and 6 page rows refuse 3 callers
            // (operator, maintenance, terminal); 10 changing rows refuse 4 (those and the planner).
            // Documents' pages and templates: 7 rows of Office and Admin refuse the anonymous caller and 4 callers; 3 of Admin refuse it and 5.
            Assert.Equal(142 + (35 * 5) + (36 * 3) + (36 * 1) + 12 + (5 * 4) + (7 * 1) + 13 + (7 * 3) + (6 * 4) + 6 + (6 * 4) + (4 * 4) + (2 * 6) + 15 + (10 * 3) + (5 * 4) + 22 + (13 * 3) + (9 * 4) + 26 + (16 * 3) + (10 * 4) + 7 + (7 * 4) + 3 + (3 * 5), refusals);
        }
        finally
        {
            Dispose(callers);
        }
    }

    [Fact]
    public async Task RouteTable_CallerInTheRow_IsAdmittedOnEveryMethodIncludingWrites()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var operatorId = await cloud.CreateUserAsync($"badge-{Guid.NewGuid():N}"[..20], InitialAdmin.Generate(), DomioRoles.Operator);
        using (var badge = await admin.PutAsJsonAsync($"api/security/users/{operatorId}/operator-credential", new { badge = Badge }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, badge.StatusCode);
        }

        var callers = await CallersAsync(admin, ct);
        try
        {
            using var anonymous = cloud.Client();
            var failures = new List<string>();
            var admissions = 0;
            // Sign-outs last: after them the terminal's session is gone.
            foreach (var route in Table.OrderBy(r => r.Pattern.EndsWith("/sign-out", StringComparison.Ordinal)))
            {
                foreach (var method in route.Methods)
                {
                    foreach (var role in route.Roles ?? ["anonymous"])
                    {
                        using var response = await SendAsync(route.Roles is null ? anonymous : callers[role], method, route, ct);
                        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && !IsSignInRefusal(route, response))
                        {
                            failures.Add($"{method} {route.Pattern} as {role}: {(int)response.StatusCode}, expected admitted");
                        }

                        admissions++;
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
            // Counted by hand from the table: 13 open rows, the 3 probes on GET and POST; 25 rows for all 6 callers, the 2 hub
            // rows and 4 circuit rows on GET and POST; 4 edge reading rows, 4 edge page rows, 14 production office rows, 3
            // planning change rows, 6 maintenance acting rows and 5 model registry rows for 3 roles; 35 rows of one role; 4 production order rows, 4
            // production page rows, 6 OEE rows, 4 planning reading rows, 8 OEE and planning page rows, 4 maintenance reading
            // rows and 6 maintenance page rows for the 5 people roles.
            // Maintenance notifications: 3 delivery rows and 2 deliveries page rows for 2 roles; 3 bell rows, 2 push rows and 2
            // bell page rows for the 5 people roles.
            // Office customers: 3 reading rows and 4 page rows for 3 roles (planner, office, administrator); 6 changing rows for 2.
            // Office documents: 6 rows for 2 roles.
            // Office sales: 6 reading rows and 4 page rows for 3 roles; 5 changing rows for 2.
            // Office projects and quotes: 7 reading rows and 6 page rows for 3 roles, 9 changing rows for 2.
            // Office materials: 10 reading rows and 6 page rows for 3 roles; 10 changing rows for 2.
            // Office documents: 6 rows for 2 roles. Documents' pages and templates: 7 rows for 2 roles, 3 for administrators.
            Assert.Equal(16 + (35 * 6) + (36 * 3) + 35 + (36 * 5) + (5 * 2) + (7 * 5) + (7 * 3) + (6 * 2) + (6 * 2) + (4 * 3) + 2 + (10 * 3) + (5 * 2) + (13 * 3) + (9 * 2) + (16 * 3) + (10 * 2) + (7 * 2) + 3, admissions);
        }
        finally
        {
            Dispose(callers);
        }
    }

    [Fact]
    public async Task MachinesApi_EveryPersonRoleAndTerminal_IsAdmitted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        foreach (var role in DomioRoles.People)
        {
            using var client = (await cloud.ApiKeyClientAsync(admin, role, ct)).Client;
            using var response = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var terminal = (await cloud.TerminalClientAsync(admin, "edge-1", ct)).Client;
        using var fromTerminal = await terminal.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, fromTerminal.StatusCode);
    }

    [Fact]
    public async Task ApiKey_Revoked_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = await cloud.AdminAsync(ct);
        var (client, _, keyId) = await cloud.ApiKeyClientAsync(admin, DomioRoles.Planner, ct);
        using (client)
        {
            using (var before = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            using (var revoke = await admin.DeleteAsync(new Uri($"api/security/api-keys/{keyId}", UriKind.Relative), ct))
            {
                Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
            }

            using var after = await client.GetAsync(new Uri("api/machines", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }
    }

    /// <summary>The open sign-in doors answer a wrong (here: empty) credential with 401 themselves, a problem that names it.</summary>
    private static bool IsSignInRefusal(Route route, HttpResponseMessage response) =>
        route.Roles is null && route.Pattern.Contains("/sign-in", StringComparison.Ordinal)
        && response.StatusCode == HttpStatusCode.Unauthorized
        && response.Content.Headers.ContentType?.MediaType == "application/problem+json";

    private async Task<Dictionary<string, HttpClient>> CallersAsync(HttpClient admin, CancellationToken ct)
    {
        var callers = new Dictionary<string, HttpClient>();
        foreach (var role in DomioRoles.People)
        {
            callers[role] = (await cloud.ApiKeyClientAsync(admin, role, ct)).Client;
        }

        callers[DomioRoles.Terminal] = (await cloud.TerminalClientAsync(admin, "saw-1", ct)).Client;
        Assert.Equal(Callers.Order(), callers.Keys.Order());
        return callers;
    }

    private static void Dispose(Dictionary<string, HttpClient> callers)
    {
        foreach (var client in callers.Values)
        {
            client.Dispose();
        }
    }

    private static void Expect(Route route, string method, string caller, HttpResponseMessage actual, HttpStatusCode expected, string? location, List<string> failures)
    {
        if (actual.StatusCode != expected || (location is not null && actual.Headers.Location?.AbsolutePath != location))
        {
            failures.Add($"{method} {route.Pattern} as {caller}: {(int)actual.StatusCode} {actual.Headers.Location}, expected {(int)expected} {location}");
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, Route route, CancellationToken ct)
    {
        // Parameters become "x": no such user, key, terminal, person, machine or edge, so an admitted write changes nothing that matters.
        // A number where the route takes only one (no such order, document or version either).
        var path = Parameter().Replace(route.Pattern, m => m.Value.EndsWith(":long}", StringComparison.Ordinal) || m.Value.EndsWith(":int}", StringComparison.Ordinal) ? "0"
            : route.Pattern.Contains(":file}", StringComparison.Ordinal) ? "x.txt" : "x").TrimStart('/');
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent(route.Body, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request, ct);
    }

    private List<string> RouteTable() =>
        [.. cloud.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().SelectMany(Keys)];

    /// <summary>The routes of the table: every endpoint but the files of the static assets manifest, which are public.</summary>
    private static IEnumerable<string> Keys(RouteEndpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null)
        {
            return [];
        }

        var pattern = "/" + endpoint.RoutePattern.RawText?.TrimStart('/');
        var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"];
        return methods.Where(m => m != "OPTIONS").Select(m => $"{m} {pattern}");
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();

    /// <summary>A row of <see cref="Table"/>: <paramref name="Roles"/> null means open to anyone; a <paramref name="Page"/> redirects whom it refuses.</summary>
    private sealed record Route(string Method, string Pattern, string[]? Roles, string Body = "{}", bool Page = false)
    {
        public string Key => $"{Method} {Pattern}";

        /// <summary>A route that takes any method (probes, metrics, the SignalR hub) is called with GET and POST.</summary>
        public string[] Methods => Method == "*" ? ["GET", "POST"] : [Method];
    }
}

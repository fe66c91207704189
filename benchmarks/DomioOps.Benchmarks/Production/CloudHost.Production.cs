using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Npgsql;

namespace DomioOps.Benchmarks.Cloud;

/// <summary>What the production harness asks of the cloud: operations to run, their counts, terminals.</summary>
internal sealed partial class CloudHost
{
    private static readonly string[] OperatorRole = ["Operator"];

    /// <summary>One order with one part per work centre, each part's one operation Ready there; their ids in work-centre order.</summary>
    public async Task<long[]> OperationsAsync(int count, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            WITH o AS (INSERT INTO production_orders ("Number", "Customer", "DueDate", "Priority", "CreatedAt") VALUES ('TERMINALS', 'Benchmark', '2026-12-31', 3, now()) RETURNING "Id"),
            p AS (INSERT INTO production_parts ("OrderId", "Line", "Name", "Material", "Thickness", "Length", "Width", "Quantity", "Grain")
                  SELECT o."Id", i, 'Panel ' || i, 'Egger W1000 ST9', 18, 720, 560, 100000, 'None' FROM o, generate_series(1, @count) i RETURNING "Id", "OrderId", "Line")
            INSERT INTO production_operations ("OrderId", "PartId", "Step", "WorkCentreId", "SetupMinutes", "CycleSeconds", "State", "Planned", "Good", "Scrap", "CountedClosed", "RunTime")
            SELECT p."OrderId", p."Id", 1, 'saw-centre-' || lpad(p."Line"::text, 3, '0'), 10, 30, 'Ready', 100000, 0, 0, 0, interval '0' FROM p
            RETURNING "Id", "WorkCentreId"
            """, connection);
        command.Parameters.AddWithValue("count", count);
        var ids = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids[reader.GetString(1)] = reader.GetInt64(0);
        }

        return [.. ids.Values];
    }

    public async Task<Dictionary<long, int>> GoodAsync(long[] operations, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""SELECT "Id", "Good" FROM production_operations WHERE "Id" = ANY(@ids)""", connection);
        command.Parameters.AddWithValue("ids", operations);
        var good = new Dictionary<long, int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            good[reader.GetInt64(0)] = reader.GetInt32(1);
        }

        return good;
    }

    /// <summary>A terminal bound to <paramref name="workCentre"/>, signed in, sending its antiforgery token.</summary>
    public async Task<HttpClient> TerminalAsync(string workCentre, CancellationToken ct)
    {
        using var created = await Admin.PostAsJsonAsync("api/security/terminals", new { name = workCentre, workCentre }, ct);
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("key").GetString()!;
        var terminal = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var signIn = await terminal.PostAsJsonAsync("api/terminal/sign-in", new { key }, ct);
        signIn.EnsureSuccessStatusCode();
        var token = await terminal.GetFromJsonAsync<JsonElement>("api/account/antiforgery", ct);
        terminal.DefaultRequestHeaders.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("value").GetString());
        return terminal;
    }

    /// <summary>The cookies of a terminal bound to <paramref name="workCentre"/> with an operator identified by PIN.</summary>
    public async Task<string> TerminalWithOperatorCookieAsync(string workCentre, CancellationToken ct)
    {
        var password = $"Operator-{Guid.NewGuid():N}-A1";
        using var user = await Admin.PostAsJsonAsync("api/security/users", new { userName = "olga", password, roles = OperatorRole }, ct);
        user.EnsureSuccessStatusCode();
        var userId = (await user.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        using (var pin = await Admin.PutAsJsonAsync($"api/security/users/{userId}/operator-credential", new { pin = "246810" }, ct))
        {
            pin.EnsureSuccessStatusCode();
        }

        var cookies = new CookieContainer();
        using var created = await Admin.PostAsJsonAsync("api/security/terminals", new { name = workCentre, workCentre }, ct);
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("key").GetString()!;
        using var terminal = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = Process.BaseAddress };
        (await terminal.PostAsJsonAsync("api/terminal/sign-in", new { key }, ct)).EnsureSuccessStatusCode();
        var token = await terminal.GetFromJsonAsync<JsonElement>("api/account/antiforgery", ct);
        terminal.DefaultRequestHeaders.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("value").GetString());
        (await terminal.PostAsJsonAsync("api/terminal/operator", new { userName = "olga", pin = "246810" }, ct)).EnsureSuccessStatusCode();
        return string.Join("; ", cookies.GetCookies(Process.BaseAddress).Select(c => $"{c.Name}={c.Value}"));
    }
}

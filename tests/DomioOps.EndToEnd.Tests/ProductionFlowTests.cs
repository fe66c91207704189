using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Npgsql;

namespace DomioOps.EndToEnd.Tests;

/// <summary>
/// Production through the whole system: a cut list imported in the office, the job run at the simulated saw (its own
/// cycles counting the pieces through edge, MQTT and Orleans), the part moving on to the edgebander, the order done.
/// </summary>
public sealed class ProductionFlowTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Two parts in the columns design software exports: an edged side (saw, then edgebander) and a plain shelf.</summary>
    private const string CutList = """
        Name;Material;Thickness;Length;Width;Quantity;Grain;Edge L1;Edge L2;Edge W1;Edge W2;Program
        Side;Egger W1000 ST9;18;720;560;6;length;ABS 2;;;;
        Shelf;Egger W1000 ST9;18;564;500;4;;;;;;
        """;

    [Fact]
    public async Task CutListImported_SawCountsTheJob_PartMovesOnAndOrderCompletesWithTheSimulatorsPieces()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var slice = await Slice.StartAsync(ct);
        await slice.WaitForMachineAsync(m => m.PieceCount >= 1, Bound, ct);
        // The saw is held while the job is set up, so the count the job starts from is the saw's own.
        var before = await slice.HoldSawAsync(true, ct);
        await slice.WaitForMachineAsync(m => m.PieceCount >= before.Pieces, Bound, ct);

        var orderId = await ImportAsync(slice, ct);
        using var saw = await TerminalAsync(slice, "saw", ct);
        var queue = (await WorkAsync(saw, ct)).GetProperty("queue").EnumerateArray().Where(o => o.GetProperty("orderId").GetInt64() == orderId).ToList();
        var side = queue.Single(o => o.GetProperty("partName").GetString() == "Side").GetProperty("id").GetInt64();
        var shelf = queue.Single(o => o.GetProperty("partName").GetString() == "Shelf").GetProperty("id").GetInt64();
        await ActAsync(saw, new { kind = "start", operationId = side }, ct);
        await slice.HoldSawAsync(false, ct);
        await WaitForCountedAsync(saw, side, counted => counted >= 6, ct);
        var after = await slice.HoldSawAsync(true, ct);
        await slice.WaitForMachineAsync(m => m.PieceCount >= after.Pieces, Bound, ct);
        var counted = await WaitForCountedAsync(saw, side, counted => counted >= after.Pieces - before.Pieces, ct);
        var sawn = await ActAsync(saw, new { kind = "finish", operationId = side, good = counted }, ct);
        await ActAsync(saw, new { kind = "start", operationId = shelf }, ct);
        await ActAsync(saw, new { kind = "finish", operationId = shelf, good = 4 }, ct);

        using var edging = await TerminalAsync(slice, "edging", ct);
        var edgeStep = (await WorkAsync(edging, ct)).GetProperty("queue").EnumerateArray()
            .Single(o => o.GetProperty("orderId").GetInt64() == orderId);
        var doneBefore = await CompletedAsync(slice, orderId, ct);
        await ActAsync(edging, new { kind = "start", operationId = edgeStep.GetProperty("id").GetInt64() }, ct);
        await ActAsync(edging, new { kind = "finish", operationId = edgeStep.GetProperty("id").GetInt64(), good = 6 }, ct);

        Assert.Equal(after.Pieces - before.Pieces, counted);
        Assert.Equal(("Done", "Edgebander"), (sawn.GetProperty("state").GetString(), sawn.GetProperty("nextWorkCentreName").GetString()));
        Assert.Equal(("Side", "Ready"), (edgeStep.GetProperty("partName").GetString(), edgeStep.GetProperty("state").GetString()));
        Assert.False(doneBefore);
        Assert.True(await CompletedAsync(slice, orderId, ct));
    }

    private static async Task<long> ImportAsync(Slice slice, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("E2E-1"), "number" },
            { new StringContent("Kitchen Ltd"), "customer" },
            { new StringContent("2026-12-31"), "dueDate" },
            { new StringContent("2"), "priority" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(CutList)), "file", "kitchen.csv" },
        };
        using var response = await slice.CloudHttp.PostAsync(new Uri("api/production/orders/import", UriKind.Relative), form, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    private static async Task<HttpClient> TerminalAsync(Slice slice, string workCentre, CancellationToken ct)
    {
        using var created = await slice.CloudHttp.PostAsJsonAsync("api/security/terminals", new { name = $"{workCentre} terminal", workCentre }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("key").GetString()!;
        var terminal = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = slice.CloudHttp.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var signIn = await terminal.PostAsJsonAsync("api/terminal/sign-in", new { key }, ct);
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        var token = await terminal.GetFromJsonAsync<JsonElement>("api/account/antiforgery", ct);
        terminal.DefaultRequestHeaders.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("value").GetString());
        return terminal;
    }

    private static async Task<JsonElement> WorkAsync(HttpClient terminal, CancellationToken ct) =>
        await terminal.GetFromJsonAsync<JsonElement>("api/terminal/work", ct);

    private static async Task<JsonElement> ActAsync(HttpClient terminal, object action, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToNode(action)!.AsObject();
        body["key"] = Guid.NewGuid();
        using var response = await terminal.PostAsJsonAsync("api/terminal/actions", body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("operation");
    }

    /// <summary>Polls the terminal's queue until the operation's counted pieces satisfy <paramref name="condition"/>.</summary>
    private static async Task<long> WaitForCountedAsync(HttpClient terminal, long operationId, Func<long, bool> condition, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + Bound;
        long counted = -1;
        while (DateTimeOffset.UtcNow < deadline)
        {
            counted = (await WorkAsync(terminal, ct)).GetProperty("queue").EnumerateArray()
                .Single(o => o.GetProperty("id").GetInt64() == operationId).GetProperty("counted").GetInt64();
            if (condition(counted))
            {
                return counted;
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail($"Operation {operationId} counted {counted} pieces after {Bound}, not what was expected.");
        return counted;
    }

    private static async Task<bool> CompletedAsync(Slice slice, long orderId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(slice.DatabaseConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""SELECT "CompletedAt" IS NOT NULL FROM production_orders WHERE "Id" = @id""", connection);
        command.Parameters.AddWithValue("id", orderId);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}

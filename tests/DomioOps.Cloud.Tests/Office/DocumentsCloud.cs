using DomioOps.Cloud.Tests.Security;
using DomioOps.Testing;

using Microsoft.Playwright;

using Npgsql;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// The real host on real PostgreSQL with a small upload limit (256 KB) and two extraction workers, and Debian's Chromium
/// to make "scans": text drawn into a PNG (a screenshot), or that PNG alone on a PDF page (no text layer).
/// </summary>
public sealed class DocumentsCloud : SecureCloud
{
    private readonly SemaphoreSlim _browserGate = new(1, 1);
    private Browser? _browser;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Office:Documents:MaxUploadBytes", $"{256 * 1024}"),
        new("Office:Documents:ExtractionWorkers", "2"),
    ];

    /// <summary><paramref name="html"/> drawn at 1200 × 300 px, black on white, as a PNG.</summary>
    public async Task<byte[]> ScanAsync(string html)
    {
        var page = await PageAsync();
        try
        {
            await page.SetContentAsync($"<html><body style=\"margin:0;background:#fff;color:#000;font:40px 'DejaVu Sans'\">{html}</body></html>");
            return await page.ScreenshotAsync(new PageScreenshotOptions { Type = ScreenshotType.Png });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>The PNG of <paramref name="html"/> as the only content of a PDF page: a scanned PDF, without a text layer.</summary>
    public async Task<byte[]> ScannedPdfAsync(string html)
    {
        var png = Convert.ToBase64String(await ScanAsync(html));
        var page = await PageAsync();
        try
        {
            await page.SetContentAsync($"<html><body style=\"margin:0\"><img style=\"width:100%\" src=\"data:image/png;base64,{png}\"></body></html>");
            return await page.PdfAsync(new PagePdfOptions { Format = "A4", Landscape = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>One value read under the application, as the superuser.</summary>
    internal async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows of one text column, as the superuser.</summary>
    internal async Task<List<string>> TextsAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var texts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _browserGate.Dispose();
        await base.DisposeAsync();
    }

    private async Task<IPage> PageAsync()
    {
        await _browserGate.WaitAsync();
        try
        {
            _browser ??= await Browser.LaunchAsync();
        }
        finally
        {
            _browserGate.Release();
        }

        var context = await _browser.Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 300 } });
        return await context.NewPageAsync();
    }
}

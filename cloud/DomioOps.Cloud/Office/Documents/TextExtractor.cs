using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>The text of a file, how it was taken (text, pdf, ocr), or why it could not be.</summary>
internal sealed record ExtractedText(string? Text, string Method, string? Error)
{
    public static ExtractedText Failed(string method, string error) => new(null, method, error);
}

/// <summary>
/// Takes the text out of a file by what its bytes are (the declared type only breaks ties): plain text decoded
/// (UTF-8, else Windows-1251); a PDF through <c>pdftotext</c>, and when it has no text layer (a scan) each page rendered
/// by <c>pdftoppm -r 300</c> and read by <c>tesseract</c>; an image read by <c>tesseract</c>. Tesseract runs with
/// <c>OMP_THREAD_LIMIT=1</c>, so each worker keeps to one core. A missing tool fails the file with the Debian package to install.
/// </summary>
internal sealed partial class TextExtractor(IOptions<DocumentOptions> options, ILogger<TextExtractor> logger)
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Png => [0x89, 0x50, 0x4E, 0x47];

    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private static readonly Encoding Windows1251 = CodePagesEncodingProvider.Instance.GetEncoding(1251)!;

    /// <summary>The PNG and JPEG signatures.</summary>
    public static bool IsPng(ReadOnlySpan<byte> content) => content.StartsWith(Png);

    public static bool IsJpeg(ReadOnlySpan<byte> content) => content.StartsWith(Jpeg);

    /// <summary>What the bytes are: pdf, image or text; null for anything else.</summary>
    public static string? KindOf(ReadOnlySpan<byte> content, string contentType)
    {
        if (content.StartsWith("%PDF-"u8))
        {
            return "pdf";
        }

        if (content.StartsWith(Png) || content.StartsWith(Jpeg)
            || content.StartsWith("II*\0"u8) || content.StartsWith("MM\0*"u8) || content.StartsWith("BM"u8))
        {
            return "image";
        }

        return contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || content.IndexOf((byte)0) < 0 ? "text" : null;
    }

    public async Task<ExtractedText> ExtractAsync(long documentId, int version, string contentType, byte[] content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        switch (KindOf(content, contentType))
        {
            case "text":
                return new ExtractedText(Decode(content), "text", null);
            case null:
                return ExtractedText.Failed("none", $"No text is taken from a file of type {contentType}: plain text, PDF and images (PNG, JPEG, TIFF, BMP) are read.");
        }

        var folder = Directory.CreateTempSubdirectory("domio-document-");
        try
        {
            var input = Path.Combine(folder.FullName, "input");
            await File.WriteAllBytesAsync(input, content, ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.ExtractionTimeout);
            try
            {
                if (KindOf(content, contentType) == "pdf")
                {
                    return await PdfAsync(documentId, version, input, folder.FullName, timeout.Token);
                }

                var (text, error) = await OcrAsync(input, timeout.Token);
                return error is null ? new ExtractedText(text, "ocr", null) : ExtractedText.Failed("ocr", error);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return ExtractedText.Failed("timeout", $"Reading the file took longer than {options.Value.ExtractionTimeout} ({DocumentOptions.Section}:ExtractionTimeout).");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private async Task<ExtractedText> PdfAsync(long documentId, int version, string input, string folder, CancellationToken ct)
    {
        var layer = await RunAsync("pdftotext", "poppler-utils", ["-enc", "UTF-8", "-layout", input, "-"], ct);
        if (layer.Error is not null)
        {
            return ExtractedText.Failed("pdf", layer.Error);
        }

        if (!string.IsNullOrWhiteSpace(layer.Output))
        {
            return new ExtractedText(layer.Output, "pdf", null);
        }

        // No text layer: a scan. Each page to a PNG, then OCR page by page.
        var prefix = Path.Combine(folder, "page");
        var render = await RunAsync("pdftoppm", "poppler-utils",
            ["-r", options.Value.OcrDpi.ToString(CultureInfo.InvariantCulture), "-png", input, prefix], ct);
        if (render.Error is not null)
        {
            return ExtractedText.Failed("ocr", render.Error);
        }

        var pages = Directory.GetFiles(folder, "page*.png").Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        for (var i = 0; i < pages.Count; i++)
        {
            LogPage(documentId, version, i + 1, pages.Count);
            var (page, error) = await OcrAsync(pages[i], ct);
            if (error is not null)
            {
                return ExtractedText.Failed("ocr", $"Page {i + 1}: {error}");
            }

            text.Append(page).Append('\f');
        }

        return new ExtractedText(text.ToString(), "ocr", null);
    }

    private async Task<(string? Text, string? Error)> OcrAsync(string image, CancellationToken ct)
    {
        var result = await RunAsync("tesseract", "tesseract-ocr", [image, "stdout", "-l", options.Value.OcrLanguages], ct);
        if (result.Error is not null && result.Error.Contains("Failed loading language", StringComparison.Ordinal))
        {
            var packages = string.Join(" ", options.Value.OcrLanguages.Split('+').Select(l => $"tesseract-ocr-{l}"));
            return (null, $"tesseract has no data for {options.Value.OcrLanguages}: install the Debian packages {packages}.");
        }

        return (result.Output, result.Error);
    }

    /// <summary>Runs a tool; its standard output, or an error naming the exit code and the tool's own words (or the package to install).</summary>
    private async Task<(string? Output, string? Error)> RunAsync(string tool, string package, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var directory = options.Value.ToolsDirectory;
        var start = new ProcessStartInfo(string.IsNullOrEmpty(directory) ? tool : Path.Combine(directory, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // One OpenMP thread per Tesseract: the workers, not Tesseract, decide how many cores OCR takes.
        start.Environment["OMP_THREAD_LIMIT"] = "1";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{tool} did not start");
        }
        catch (Win32Exception)
        {
            return (null, $"{tool} is not installed on this server: install the Debian package {package} (apt-get install {package}).");
        }

        using (process)
        {
            try
            {
                var output = process.StandardOutput.ReadToEndAsync(ct);
                var error = process.StandardError.ReadToEndAsync(ct);
                await process.WaitForExitAsync(ct);
                var (text, message) = (await output, await error);
                return process.ExitCode == 0
                    ? (text, null)
                    : (null, $"{tool} failed (exit code {process.ExitCode}): {Last(message, 500)}");
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
        }
    }

    private static string Last(string text, int length) => text.Trim() is var t && t.Length > length ? t[^length..] : text.Trim();

    /// <summary>UTF-8 (with or without its mark); a file that is not is most likely Windows-1251, as Russian office files are.</summary>
    private static string Decode(byte[] content)
    {
        var bytes = content.AsSpan();
        if (bytes.StartsWith(ByteOrderMark))
        {
            bytes = bytes[3..];
        }

        try
        {
            return StrictUtf8.GetString(bytes).Replace("\0", "", StringComparison.Ordinal);
        }
        catch (DecoderFallbackException)
        {
            // PostgreSQL's text holds no NUL.
            return Windows1251.GetString(bytes).Replace("\0", "", StringComparison.Ordinal);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} version {Version}: OCR of page {Page} of {Pages}")]
    private partial void LogPage(long documentId, int version, int page, int pages);
}

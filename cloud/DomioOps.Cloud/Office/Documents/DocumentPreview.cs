using System.Diagnostics;

using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>
/// A picture of a document version that is safe to show inline: an image as itself (PNG or JPEG only, by its bytes), a
/// PDF's first page rendered to PNG by <c>pdftoppm</c> (the PDF itself never reaches the browser's viewer). Anything else
/// has no picture (its text is shown instead).
/// </summary>
internal sealed partial class DocumentPreview(DocumentStore store, IOptions<DocumentOptions> options, ILogger<DocumentPreview> logger)
{
    /// <summary>The resolution of a PDF's first page: about 600 px wide for A4, enough to recognise a page.</summary>
    private const int PreviewDpi = 72;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>What kind of preview a version of this type and these first bytes gets: image, pdf or text.</summary>
    public static string KindOf(string contentType) =>
        contentType.StartsWith("image/png", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("image/jpeg", StringComparison.OrdinalIgnoreCase) ? "image"
        : contentType.StartsWith("application/pdf", StringComparison.OrdinalIgnoreCase) ? "pdf"
        : "text";

    /// <summary>The preview's image type and bytes, or null when the version does not exist or has no picture.</summary>
    public async Task<(string ContentType, byte[] Content)?> ImageAsync(long id, int version, CancellationToken ct)
    {
        if (await store.ContentAsync(id, version, ct) is not var (_, _, content))
        {
            return null;
        }

        if (TextExtractor.IsPng(content))
        {
            return ("image/png", content);
        }

        if (TextExtractor.IsJpeg(content))
        {
            return ("image/jpeg", content);
        }

        return TextExtractor.KindOf(content, "") == "pdf" && await FirstPageAsync(id, version, content, ct) is { } png ? ("image/png", png) : null;
    }

    private async Task<byte[]?> FirstPageAsync(long id, int version, byte[] pdf, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("domio-preview-");
        try
        {
            var input = Path.Combine(directory.FullName, "document.pdf");
            await File.WriteAllBytesAsync(input, pdf, ct);
            var tools = options.Value.ToolsDirectory;
            var start = new ProcessStartInfo(string.IsNullOrEmpty(tools) ? "pdftoppm" : Path.Combine(tools, "pdftoppm"))
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])["-r", $"{PreviewDpi}", "-png", "-f", "1", "-l", "1", "-singlefile", input, Path.Combine(directory.FullName, "page")])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(Timeout);
            try
            {
                var errors = process.StandardError.ReadToEndAsync(deadline.Token);
                await process.WaitForExitAsync(deadline.Token);
                if (process.ExitCode != 0)
                {
                    LogFailed(logger, id, version, (await errors).Trim());
                    return null;
                }
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var page = Path.Combine(directory.FullName, "page.png");
            return File.Exists(page) ? await File.ReadAllBytesAsync(page, ct) : null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            LogFailed(logger, id, version, $"pdftoppm could not be started ({e.Message}): install the Debian package poppler-utils");
            return null;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No preview of document {DocumentId} version {Version}: {Reason}")]
    private static partial void LogFailed(ILogger logger, long documentId, int version, string reason);
}

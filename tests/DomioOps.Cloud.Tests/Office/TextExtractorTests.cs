using System.Text;

using DomioOps.Cloud.Office.Documents;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>The text extractor without its tools (a tools directory that does not exist), and what it needs none for.</summary>
public sealed class TextExtractorTests
{
    private static readonly TextExtractor WithoutTools = new(
        Options.Create(new DocumentOptions { ToolsDirectory = Path.Combine(Path.GetTempPath(), $"no-tools-{Guid.NewGuid():N}") }),
        NullLogger<TextExtractor>.Instance);

    [Fact]
    public async Task ExtractAsync_ImageWithoutTesseract_FailedNamingTheDebianPackage()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00];

        var result = await WithoutTools.ExtractAsync(1, 1, "image/png", png, TestContext.Current.CancellationToken);

        Assert.Equal(("ocr", null), (result.Method, result.Text));
        Assert.Equal("tesseract is not installed on this server: install the Debian package tesseract-ocr (apt-get install tesseract-ocr).", result.Error);
    }

    [Fact]
    public async Task ExtractAsync_PdfWithoutPoppler_FailedNamingTheDebianPackage()
    {
        var pdf = "%PDF-1.4\n%%EOF\n"u8.ToArray();

        var result = await WithoutTools.ExtractAsync(1, 1, "application/pdf", pdf, TestContext.Current.CancellationToken);

        Assert.Equal("pdftotext is not installed on this server: install the Debian package poppler-utils (apt-get install poppler-utils).", result.Error);
    }

    [Fact]
    public async Task ExtractAsync_Windows1251Text_DecodedWithoutTools()
    {
        // "Шкаф" in Windows-1251: D8 EA E0 F4, not UTF-8.
        byte[] text = [0xD8, 0xEA, 0xE0, 0xF4];

        var result = await WithoutTools.ExtractAsync(1, 1, "text/plain", text, TestContext.Current.CancellationToken);

        Assert.Equal(("Шкаф", "text", null), (result.Text, result.Method, result.Error));
    }

    [Fact]
    public async Task ExtractAsync_Utf8WithByteOrderMark_MarkDropped()
    {
        var text = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("Стол")).ToArray();

        var result = await WithoutTools.ExtractAsync(1, 1, "text/plain", text, TestContext.Current.CancellationToken);

        Assert.Equal("Стол", result.Text);
    }
}

using PdfSharp.Fonts;

namespace DomioOps.Cloud.Office.Quotes;

/// <summary>
/// PDFsharp's fonts for quotes: DejaVu Sans (regular and bold), read from the machine's TrueType files and embedded in each
/// PDF, because Cyrillic needs a font that has it and PDFsharp on Linux has no GDI to find one. Debian's
/// <c>fonts-dejavu-core</c> puts them in <see cref="DefaultDirectory"/> (<c>scripts/install-deps.sh</c> installs it).
/// </summary>
internal sealed class QuoteFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    public const string DefaultDirectory = "/usr/share/fonts/truetype/dejavu";

    private static readonly Lock Gate = new();
    private readonly string _directory;

    private QuoteFonts(string directory) => _directory = directory;

    /// <summary>Makes these fonts PDFsharp's (once per process: PDFsharp keeps one resolver).</summary>
    public static void Register(string directory = DefaultDirectory)
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not QuoteFonts)
            {
                GlobalFontSettings.FontResolver = new QuoteFonts(directory);
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName)
    {
        var path = Path.Combine(_directory, faceName + ".ttf");
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new FileNotFoundException($"The quote PDF's font {path} is missing: install the Debian package fonts-dejavu-core (scripts/install-deps.sh).", path);
    }
}

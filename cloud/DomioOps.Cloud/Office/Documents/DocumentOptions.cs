using Microsoft.Extensions.Options;

namespace DomioOps.Cloud.Office.Documents;

/// <summary>
/// Office documents (section <c>Office:Documents</c>): the largest file taken, how search bounds its work, and how text is
/// taken from files in the background. Checked at start by <see cref="DocumentOptionsValidator"/>.
/// </summary>
public sealed class DocumentOptions
{
    public const string Section = "Office:Documents";

    /// <summary>The largest file an upload may carry, in bytes (default 25 MB).</summary>
    public long MaxUploadBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>How much of a version's text is indexed for search (the whole text is kept); a tsvector holds at most 1 MB.</summary>
    public int MaxIndexedCharacters { get; set; } = 100_000;

    /// <summary>How many of the newest matches a search ranks; the best of them are answered.</summary>
    public int SearchCandidates { get; set; } = 1000;

    /// <summary>Extraction workers per silo; each runs one Tesseract thread (OMP_THREAD_LIMIT=1).</summary>
    public int ExtractionWorkers { get; set; } = 1;

    /// <summary>How long one file's extraction (every page of it) may take before it is failed.</summary>
    public TimeSpan ExtractionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a worker looks for pending versions when no upload on this silo woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The resolution scanned PDF pages are rendered at for OCR (pdftoppm -r).</summary>
    public int OcrDpi { get; set; } = 300;

    /// <summary>Where pdftotext, pdftoppm and tesseract are; none: found on PATH (Debian puts them in /usr/bin).</summary>
    public string? ToolsDirectory { get; set; }

    /// <summary>Tesseract's languages (-l).</summary>
    public string OcrLanguages { get; set; } = "rus+eng";
}

/// <summary>Checks <see cref="DocumentOptions"/> at start: each error names its key and a right value.</summary>
internal sealed class DocumentOptionsValidator : IValidateOptions<DocumentOptions>
{
    private const string S = DocumentOptions.Section;

    /// <summary>ASP.NET Core's form reader takes files up to this size; a larger limit would be refused by it, not by us.</summary>
    public const long LargestUpload = 1L << 30;

    public ValidateOptionsResult Validate(string? name, DocumentOptions options)
    {
        var failures = new List<string>();
        if (options.MaxUploadBytes is < 1 or > LargestUpload)
        {
            failures.Add($"{S}:MaxUploadBytes must be 1 to {LargestUpload} (1 GB), e.g. 26214400 for 25 MB.");
        }

        if (options.MaxIndexedCharacters is < 1000 or > 500_000)
        {
            failures.Add($"{S}:MaxIndexedCharacters must be 1000 to 500000 (a tsvector holds at most 1 MB), e.g. 100000.");
        }

        if (options.SearchCandidates is < 50 or > 100_000)
        {
            failures.Add($"{S}:SearchCandidates must be 50 to 100000, e.g. 1000.");
        }

        if (options.ExtractionWorkers is < 1 or > 64)
        {
            failures.Add($"{S}:ExtractionWorkers must be 1 to 64, e.g. the number of cores OCR may use ({Environment.ProcessorCount} here).");
        }

        if (options.ExtractionTimeout <= TimeSpan.Zero || options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{S}:ExtractionTimeout and PollInterval must be more than zero (e.g. 00:10:00 and 00:00:30).");
        }

        if (options.OcrDpi is < 72 or > 600)
        {
            failures.Add($"{S}:OcrDpi must be 72 to 600; Tesseract reads best at 300.");
        }

        if (string.IsNullOrWhiteSpace(options.OcrLanguages) || options.OcrLanguages.Any(c => !(char.IsAsciiLetterLower(c) || c == '+' || c == '_')))
        {
            failures.Add($"{S}:OcrLanguages must be Tesseract language codes joined by '+', e.g. rus+eng.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

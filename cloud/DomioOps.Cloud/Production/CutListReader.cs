using System.Globalization;
using System.Text;
using System.Text.Unicode;

using CsvHelper;

using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace DomioOps.Cloud.Production;

/// <summary>
/// Reads a cut list, the parts table that furniture design software exports (Базис-Мебельщик, PRO100, Viyar,
/// Cutting/MaxCut, Excel templates), from CSV or XLSX: headers in English or Russian in any order, sizes in millimetres
/// with '.' or ',' decimals. Pure: no database, no clock. A bad file is refused whole: every problem is listed with its
/// row and column, and the caller imports nothing unless <see cref="CutListReadResult.IsValid"/>.
/// </summary>
internal static partial class CutListReader
{
    /// <summary>The most parts rows one file may have.</summary>
    public const int MaxRows = 100_000;

    /// <summary>The most errors listed; one <see cref="CutListProblem.TooManyErrors"/> follows them.</summary>
    public const int MaxErrors = 1_000;

    /// <summary>Progress is reported after every this many parts rows (and once at the end).</summary>
    public const int ProgressEvery = 500;

    private const string Accepted = "CSV (.csv or .txt, as Excel or the design software saves it) or an Excel workbook (.xlsx)";

    private static readonly Encoding Windows1251 = CreateWindows1251();

    private static readonly OpenXmlConfiguration XlsxOptions = new() { IgnoreEmptyRows = false, FillMergedCells = false };

    /// <summary>
    /// Reads <paramref name="content"/> as the kind of file <paramref name="fileName"/>'s extension says: .csv and .txt
    /// as CSV (';', ',' or tab separated, UTF-8 with or without BOM, UTF-16 with BOM or Windows-1251), .xlsx as a
    /// workbook (its first worksheet). Reports the parts rows read so far to <paramref name="rowsRead"/> every
    /// <see cref="ProgressEvery"/> rows and once at the end. Never throws for what is in the file.
    /// </summary>
    public static CutListReadResult Read(Stream content, string fileName, IProgress<int>? rowsRead = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fileName);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        try
        {
            return extension switch
            {
                ".csv" or ".txt" => ReadCsv(content, fileName, rowsRead),
                ".xlsx" => ReadXlsx(content, fileName, rowsRead),
                ".xls" => FileError(CutListProblem.UnsupportedFormat, $"'{fileName}' is an old Excel workbook (.xls); open it in Excel and save it as .xlsx, or export the cut list as {Accepted}."),
                _ => FileError(CutListProblem.UnsupportedFormat, $"'{fileName}' is not a kind of file the import reads; export the cut list as {Accepted}."),
            };
        }
        catch (IOException)
        {
            return FileError(CutListProblem.UnreadableFile, $"'{fileName}' could not be read to its end; upload it again.");
        }
    }

    private static CutListReadResult ReadCsv(Stream content, string fileName, IProgress<int>? rowsRead)
    {
        var bytes = ReadAll(content);
        if (bytes.Length == 0)
        {
            return FileError(CutListProblem.Empty, $"'{fileName}' is empty; it needs a header row (Name, Material, Thickness, Length, Width, Quantity…) and a row for each part.");
        }
        if (bytes.AsSpan().StartsWith("PK\u0003\u0004"u8))
        {
            return FileError(CutListProblem.UnreadableFile, $"'{fileName}' is an Excel workbook, not CSV text; name it .xlsx, or save it from Excel as CSV.");
        }
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]))
        {
            return FileError(CutListProblem.UnreadableFile, $"'{fileName}' is an old Excel workbook (.xls), not CSV text; save it from Excel as .xlsx or as CSV.");
        }
        var utf8 = ToUtf8(bytes);
        if (utf8.AsSpan().Contains((byte)0))
        {
            return FileError(CutListProblem.UnreadableFile, $"'{fileName}' is not text (it holds binary data); export the cut list as {Accepted}.");
        }

        (var separator, var start) = Separator(utf8);
        var options = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = false,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            TrimWhitespace = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MalformedData = CsvMalformedDataHandling.Recover,
        };
        var sheet = new Sheet(fileName, rowsRead);
        try
        {
            using var reader = CsvReader.Create(utf8.AsMemory(start), options);
            while (!sheet.Stopped && reader.Read())
            {
                var cells = new string[reader.FieldCount];
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i] = reader.GetString(i);
                }
                sheet.Add(checked((int)reader.LineNumber), cells);
            }
        }
        catch (CsvFormatException)
        {
            return FileError(CutListProblem.UnreadableFile, $"'{fileName}' is not CSV text that can be read; export the cut list as {Accepted}.");
        }
        return sheet.Finish();
    }

    private static CutListReadResult ReadXlsx(Stream content, string fileName, IProgress<int>? rowsRead)
    {
        var workbook = content.CanSeek ? content : new MemoryStream(ReadAll(content));
        var sheet = new Sheet(fileName, rowsRead);
        try
        {
            var row = 0;
            foreach (var record in MiniExcel.Query(workbook, useHeaderRow: false, excelType: ExcelType.XLSX, configuration: XlsxOptions))
            {
                row++;
                sheet.Add(row, Cells((IDictionary<string, object?>)record));
                if (sheet.Stopped)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // MiniExcel throws what the zip or XML layer throws (InvalidDataException, XmlException,
            // InvalidOperationException for a zip without a worksheet…): to the user, all the same.
            return FileError(CutListProblem.UnreadableFile, $"'{fileName}' is not an Excel workbook (.xlsx) that can be read; open it in Excel and save it again as .xlsx, or export the cut list as CSV.");
        }
        return sheet.Finish();
    }

    private static byte[] ReadAll(Stream content)
    {
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>The file as UTF-8 without a byte order mark: UTF-8, UTF-16 with its BOM, else Windows-1251.</summary>
    private static byte[] ToUtf8(byte[] bytes)
    {
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return bytes[3..];
        }
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.UTF8.GetBytes(Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2));
        }
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.UTF8.GetBytes(Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2));
        }
        return Utf8.IsValid(span) ? bytes : Encoding.UTF8.GetBytes(Windows1251.GetString(bytes));
    }

    private static Encoding CreateWindows1251()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1251);
    }

    /// <summary>
    /// The separator of the header line (the first line that is not blank): the most frequent of ';' (what Russian
    /// Excel writes), tab and ',' outside quotes. Excel's "sep=;" first line names it and is skipped (Excel does not
    /// show it as a row): <c>start</c> is where the CSV text begins.
    /// </summary>
    private static (char Separator, int Start) Separator(byte[] utf8)
    {
        var start = 0;
        ReadOnlySpan<byte> header = default;
        while (start < utf8.Length)
        {
            var end = utf8.AsSpan(start).IndexOfAny((byte)'\r', (byte)'\n');
            ReadOnlySpan<byte> line = end < 0 ? utf8.AsSpan(start) : utf8.AsSpan(start, end);
            if (!line.Trim(" \t"u8).IsEmpty)
            {
                header = line;
                break;
            }
            start += line.Length + 1;
        }
        if (header.Length >= 5 && Ascii.EqualsIgnoreCase(header[..4], "sep="u8) && header[4] < 0x80)
        {
            var next = start + header.Length;
            next += next < utf8.Length && utf8[next] == '\r' ? 1 : 0;
            next += next < utf8.Length && utf8[next] == '\n' ? 1 : 0;
            return ((char)header[4], next);
        }

        int semicolons = 0, tabs = 0, commas = 0;
        var quoted = false;
        foreach (var b in header)
        {
            switch (b)
            {
                case (byte)'"': quoted = !quoted; break;
                case (byte)';' when !quoted: semicolons++; break;
                case (byte)'\t' when !quoted: tabs++; break;
                case (byte)',' when !quoted: commas++; break;
            }
        }
        var separator = semicolons >= tabs && semicolons >= commas ? ';' : tabs >= commas ? '\t' : ',';
        return (separator, 0);
    }

    /// <summary>A worksheet row (keyed by column letters A, B…) as texts by column index.</summary>
    private static string[] Cells(IDictionary<string, object?> record)
    {
        var width = 0;
        foreach (var key in record.Keys)
        {
            width = Math.Max(width, ColumnIndex(key) + 1);
        }
        var cells = new string[width];
        foreach ((var key, var value) in record)
        {
            var index = ColumnIndex(key);
            if (index >= 0)
            {
                cells[index] = CellText(value);
            }
        }
        return cells;
    }

    private static int ColumnIndex(string letters)
    {
        var index = 0;
        foreach (var c in letters)
        {
            if (c is < 'A' or > 'Z')
            {
                return -1;
            }
            index = (index * 26) + (c - 'A' + 1);
        }
        return index - 1;
    }

    /// <summary>
    /// A cell as text. Numbers arrive as double: through decimal, which keeps 15 significant digits, so that a stored
    /// 18.499999999999996 reads as 18.5 and 564.0 as 564.
    /// </summary>
    private static string CellText(object? value) => value switch
    {
        null => "",
        string text => text,
        double number when double.IsFinite(number) && Math.Abs(number) < 7.9e27 => ((decimal)number).ToString(CultureInfo.InvariantCulture),
        float number when float.IsFinite(number) && Math.Abs(number) < 7.9e27f => ((decimal)number).ToString(CultureInfo.InvariantCulture),
        DateTime date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool flag => flag ? "TRUE" : "FALSE",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static CutListReadResult FileError(CutListProblem problem, string message) =>
        new([], [new CutListError(0, "", problem, message)]);
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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
        string extension = Path.GetExtension(fileName).ToLowerInvariant();
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
        byte[] bytes = ReadAll(content);
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
        byte[] utf8 = ToUtf8(bytes);
        if (utf8.AsSpan().Contains((byte)0))
        {
            return FileError(CutListProblem.UnreadableFile, $"'{fileName}' is not text (it holds binary data); export the cut list as {Accepted}.");
        }

        (char separator, int start) = Separator(utf8);
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
                string[] cells = new string[reader.FieldCount];
                for (int i = 0; i < cells.Length; i++)
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
        Stream workbook = content.CanSeek ? content : new MemoryStream(ReadAll(content));
        var sheet = new Sheet(fileName, rowsRead);
        try
        {
            int row = 0;
            foreach (object record in MiniExcel.Query(workbook, useHeaderRow: false, excelType: ExcelType.XLSX, configuration: XlsxOptions))
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
        int start = 0;
        ReadOnlySpan<byte> header = default;
        while (start < utf8.Length)
        {
            int end = utf8.AsSpan(start).IndexOfAny((byte)'\r', (byte)'\n');
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
            int next = start + header.Length;
            next += next < utf8.Length && utf8[next] == '\r' ? 1 : 0;
            next += next < utf8.Length && utf8[next] == '\n' ? 1 : 0;
            return ((char)header[4], next);
        }

        int semicolons = 0, tabs = 0, commas = 0;
        bool quoted = false;
        foreach (byte b in header)
        {
            switch (b)
            {
                case (byte)'"': quoted = !quoted; break;
                case (byte)';' when !quoted: semicolons++; break;
                case (byte)'\t' when !quoted: tabs++; break;
                case (byte)',' when !quoted: commas++; break;
            }
        }
        char separator = semicolons >= tabs && semicolons >= commas ? ';' : tabs >= commas ? '\t' : ',';
        return (separator, 0);
    }

    /// <summary>A worksheet row (keyed by column letters A, B…) as texts by column index.</summary>
    private static string[] Cells(IDictionary<string, object?> record)
    {
        int width = 0;
        foreach (string key in record.Keys)
        {
            width = Math.Max(width, ColumnIndex(key) + 1);
        }
        string[] cells = new string[width];
        foreach ((string key, object? value) in record)
        {
            int index = ColumnIndex(key);
            if (index >= 0)
            {
                cells[index] = CellText(value);
            }
        }
        return cells;
    }

    private static int ColumnIndex(string letters)
    {
        int index = 0;
        foreach (char c in letters)
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

    /// <summary>
    /// A header as it is matched: lower case, ё as е, '_' as space, without a unit ("Длина, мм", "Length (mm)",
    /// "Кол-во, шт"), without a trailing '.' or ':', whitespace collapsed.
    /// </summary>
    internal static string HeaderKey(string header)
    {
        string key = header.Trim().Trim('\uFEFF').ToLowerInvariant().Replace('ё', 'е').Replace('_', ' ');
        key = Parenthesized().Replace(key, " ");
        key = Whitespace().Replace(key, " ").Trim();
        key = Unit().Replace(key, "");
        return key.TrimEnd('.', ':', ',', ' ');
    }

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex Parenthesized();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?:\s*,\s*|\s+)(?:мм|mm|шт|pcs)\.?$")]
    private static partial Regex Unit();

    private enum Field
    {
        Name,
        Material,
        Thickness,
        Length,
        Width,
        Quantity,
        Grain,
        EdgeL1,
        EdgeL2,
        EdgeW1,
        EdgeW2,
        Program,
    }

    /// <summary>A column of a cut list: its canonical (English) name, its Russian name, and the headers that mean it.</summary>
    private sealed record Column(Field Field, string Name, string Russian, bool Required, string[] Headers);

    private static readonly Column[] Columns =
    [
        new(Field.Name, "Name", "Наименование", true, ["name", "part", "part name", "наименование", "название", "деталь", "наименование детали"]),
        new(Field.Material, "Material", "Материал", true, ["material", "материал"]),
        new(Field.Thickness, "Thickness", "Толщина", true, ["thickness", "t", "толщина"]),
        new(Field.Length, "Length", "Длина", true, ["length", "l", "длина"]),
        new(Field.Width, "Width", "Ширина", true, ["width", "w", "ширина"]),
        new(Field.Quantity, "Quantity", "Количество", true, ["quantity", "qty", "count", "количество", "кол-во", "кол"]),
        new(Field.Grain, "Grain", "Текстура", false, ["grain", "grain direction", "текстура", "направление текстуры", "волокно"]),
        new(Field.EdgeL1, "Edge L1", "Кромка Д1", false, ["edge l1", "l1", "кромка д1", "д1", "кромка l1"]),
        new(Field.EdgeL2, "Edge L2", "Кромка Д2", false, ["edge l2", "l2", "кромка д2", "д2", "кромка l2"]),
        new(Field.EdgeW1, "Edge W1", "Кромка Ш1", false, ["edge w1", "w1", "кромка ш1", "ш1", "кромка w1"]),
        new(Field.EdgeW2, "Edge W2", "Кромка Ш2", false, ["edge w2", "w2", "кромка ш2", "ш2", "кромка w2"]),
        new(Field.Program, "Program", "Программа", false, ["program", "cnc program", "programme", "программа", "программа чпу"]),
    ];

    private static readonly Dictionary<string, Field> FieldsByHeader = Columns
        .SelectMany(column => column.Headers.Select(header => (header, column.Field)))
        .ToDictionary(pair => pair.header, pair => pair.Field, StringComparer.Ordinal);

    private static readonly HashSet<string> NoGrain = new(["", "0", "-", "none", "no", "нет"], StringComparer.Ordinal);
    private static readonly HashSet<string> LengthGrain = new(["1", "length", "along", "l", "вдоль", "да", "yes", "по длине"], StringComparer.Ordinal);
    private static readonly HashSet<string> WidthGrain = new(["2", "width", "across", "w", "поперек", "по ширине"], StringComparer.Ordinal);
    private static readonly HashSet<string> NoEdge = new(["", "0", "-", "—", "–", "none", "no", "нет"], StringComparer.Ordinal);

    private const int MaxNameLength = 200;
    private const int MaxProgramLength = 200;
    private const int MaxEdgeLength = 100;

    /// <summary>
    /// The rows of one worksheet as they come, CSV or XLSX alike: the first row that is not blank is the header, the
    /// rows after it parts; blank rows are skipped.
    /// </summary>
    private sealed class Sheet(string fileName, IProgress<int>? rowsRead)
    {
        private readonly List<CutListPart> parts = [];
        private readonly List<CutListError> errors = [];
        private readonly int[] indexes = new int[Columns.Length];
        private readonly string[] headers = new string[Columns.Length];
        private int headerRow;
        private int rowsSeen;

        /// <summary>Whether the rest of the file is not read: a bad header, too many rows or too many errors.</summary>
        public bool Stopped { get; private set; }

        public void Add(int row, IReadOnlyList<string?> cells)
        {
            if (Stopped || cells.All(string.IsNullOrWhiteSpace))
            {
                return;
            }
            if (headerRow == 0)
            {
                ReadHeader(row, cells);
                return;
            }
            if (++rowsSeen > MaxRows)
            {
                Add(new CutListError(row, "", CutListProblem.TooManyRows, $"Row {row}: the file has more than {MaxRows} parts rows; split the cut list into files of at most {MaxRows} rows."));
                Stopped = true;
                return;
            }
            ReadPart(row, cells);
            if (rowsSeen % ProgressEvery == 0)
            {
                rowsRead?.Report(rowsSeen);
            }
        }

        public CutListReadResult Finish()
        {
            if (rowsSeen % ProgressEvery != 0 && rowsSeen <= MaxRows)
            {
                rowsRead?.Report(rowsSeen);
            }
            if (headerRow == 0)
            {
                Add(new CutListError(0, "", CutListProblem.Empty, $"'{fileName}' has no rows; it needs a header row (Name, Material, Thickness, Length, Width, Quantity…) and a row for each part."));
            }
            else if (rowsSeen == 0 && errors.Count == 0)
            {
                Add(new CutListError(0, "", CutListProblem.Empty, $"'{fileName}' has a header in row {headerRow} but no parts below it; add a row for each part."));
            }
            return new CutListReadResult(parts, errors);
        }

        private void ReadHeader(int row, IReadOnlyList<string?> cells)
        {
            headerRow = row;
            Array.Fill(indexes, -1);
            for (int i = 0; i < cells.Count; i++)
            {
                string text = (cells[i] ?? "").Trim();
                if (!FieldsByHeader.TryGetValue(HeaderKey(text), out Field field))
                {
                    continue;
                }
                int f = (int)field;
                if (indexes[f] >= 0)
                {
                    Add(new CutListError(row, text, CutListProblem.DuplicateColumn, $"Row {row}: columns '{headers[f]}' (column {indexes[f] + 1}) and '{text}' (column {i + 1}) both give the {Columns[f].Name.ToLowerInvariant()}; keep one of them."));
                    continue;
                }
                indexes[f] = i;
                headers[f] = text;
            }
            foreach (Column column in Columns.Where(column => column.Required && indexes[(int)column.Field] < 0))
            {
                Add(new CutListError(row, column.Name, CutListProblem.MissingColumn, $"Row {row}: the required column '{column.Name}' is missing; add a column headed {column.Name} or {column.Russian} (the header row is the first row that is not blank)."));
            }
            Stopped = errors.Count > 0;
        }

        /// <summary>A parts row: a part when all its cells are good, else an error for each bad cell.</summary>
        private void ReadPart(int row, IReadOnlyList<string?> cells)
        {
            int errorsBefore = errors.Count;
            string name = Text(row, cells, Field.Name, MaxNameLength) ?? "";
            string material = Text(row, cells, Field.Material, MaxNameLength) ?? "";
            decimal thickness = Number(row, cells, Field.Thickness, 1, 100, "write millimetres like 18 or 18.5");
            decimal length = Number(row, cells, Field.Length, 1, 5000, "write millimetres like 720 or 719.5");
            decimal width = Number(row, cells, Field.Width, 1, 5000, "write millimetres like 560 or 559.5");
            int quantity = Quantity(row, cells);
            GrainDirection grain = GrainOf(row, cells);
            string? edgeL1 = Edge(row, cells, Field.EdgeL1);
            string? edgeL2 = Edge(row, cells, Field.EdgeL2);
            string? edgeW1 = Edge(row, cells, Field.EdgeW1);
            string? edgeW2 = Edge(row, cells, Field.EdgeW2);
            string? program = Text(row, cells, Field.Program, MaxProgramLength);
            if (errors.Count == errorsBefore)
            {
                parts.Add(new CutListPart(row, name, material, thickness, length, width, quantity, grain, edgeL1, edgeL2, edgeW1, edgeW2, program));
            }
        }

        /// <summary>The trimmed cell of <paramref name="field"/>, "" when the column is absent or the row short.</summary>
        private string Cell(IReadOnlyList<string?> cells, Field field)
        {
            int index = indexes[(int)field];
            return index >= 0 && index < cells.Count ? (cells[index] ?? "").Trim() : "";
        }

        /// <summary>The text of a column, null when empty (an error when the column is required) or too long.</summary>
        private string? Text(int row, IReadOnlyList<string?> cells, Field field, int maxLength)
        {
            string text = Cell(cells, field);
            if (text.Length == 0)
            {
                if (Columns[(int)field].Required)
                {
                    Error(row, field, CutListProblem.Required, $"the cell is empty; every part needs its {Columns[(int)field].Name.ToLowerInvariant()}.");
                }
                return null;
            }
            if (text.Length > maxLength)
            {
                Error(row, field, CutListProblem.TooLong, $"the text is {text.Length} characters long; at most {maxLength} are allowed.");
                return null;
            }
            return text;
        }

        private decimal Number(int row, IReadOnlyList<string?> cells, Field field, decimal min, decimal max, string example)
        {
            string text = Cell(cells, field);
            string what = Columns[(int)field].Name.ToLowerInvariant();
            if (text.Length == 0)
            {
                Error(row, field, CutListProblem.Required, $"the cell is empty; every part needs its {what}: {example}.");
                return 0;
            }
            if (!TryParseNumber(text, out decimal value))
            {
                Error(row, field, CutListProblem.NotANumber, $"'{text}' is not a number; {example}.");
                return 0;
            }
            if (value < min || value > max)
            {
                Error(row, field, CutListProblem.OutOfRange, $"{text} is out of range; the {what} must be from {min} to {max} mm.");
                return 0;
            }
            return value;
        }

        private int Quantity(int row, IReadOnlyList<string?> cells)
        {
            const string Example = "write the number of pieces like 1 or 4";
            string text = Cell(cells, Field.Quantity);
            if (text.Length == 0)
            {
                Error(row, Field.Quantity, CutListProblem.Required, $"the cell is empty; every part needs its quantity: {Example}.");
                return 0;
            }
            if (!TryParseNumber(text, out decimal value))
            {
                Error(row, Field.Quantity, CutListProblem.NotANumber, $"'{text}' is not a number; {Example}.");
                return 0;
            }
            if (value != decimal.Truncate(value))
            {
                Error(row, Field.Quantity, CutListProblem.NotAWholeNumber, $"{text} is not a whole number; {Example}.");
                return 0;
            }
            if (value < 1 || value > 100_000)
            {
                Error(row, Field.Quantity, CutListProblem.OutOfRange, $"{text} is out of range; the quantity must be from 1 to 100000.");
                return 0;
            }
            return (int)value;
        }

        private GrainDirection GrainOf(int row, IReadOnlyList<string?> cells)
        {
            string text = Cell(cells, Field.Grain);
            string key = Whitespace().Replace(text.ToLowerInvariant().Replace('ё', 'е'), " ");
            if (NoGrain.Contains(key))
            {
                return GrainDirection.None;
            }
            if (LengthGrain.Contains(key))
            {
                return GrainDirection.Length;
            }
            if (WidthGrain.Contains(key))
            {
                return GrainDirection.Width;
            }
            Error(row, Field.Grain, CutListProblem.UnknownGrain, $"'{text}' is not a grain direction; write 1, length, along, L, вдоль or по длине for grain along the length; 2, width, across, W, поперёк or по ширине for grain along the width; empty, 0, none or нет for none.");
            return GrainDirection.None;
        }

        private string? Edge(int row, IReadOnlyList<string?> cells, Field field)
        {
            string text = Cell(cells, field);
            if (NoEdge.Contains(text.ToLowerInvariant()))
            {
                return null;
            }
            if (text.Length > MaxEdgeLength)
            {
                Error(row, field, CutListProblem.TooLong, $"the edge band's name is {text.Length} characters long; at most {MaxEdgeLength} are allowed.");
                return null;
            }
            return text;
        }

        private void Error(int row, Field field, CutListProblem problem, string what)
        {
            string header = headers[(int)field];
            Add(new CutListError(row, header, problem, $"Row {row}, column '{header}': {what}"));
        }

        private void Add(CutListError error)
        {
            if (Stopped)
            {
                return;
            }
            if (errors.Count == MaxErrors)
            {
                errors.Add(new CutListError(error.Row, "", CutListProblem.TooManyErrors, $"More than {MaxErrors} errors: the file was read up to row {error.Row}. Fix the errors listed and import it again."));
                Stopped = true;
                return;
            }
            errors.Add(error);
        }
    }

    /// <summary>
    /// A number in millimetres or pieces: '.' or ',' as the decimal separator, an optional sign, and the no-break spaces
    /// that Excel writes between thousands. No exponent, no units.
    /// </summary>
    internal static bool TryParseNumber(string text, out decimal value)
    {
        string plain = text.Replace("\u00A0", "", StringComparison.Ordinal).Replace("\u202F", "", StringComparison.Ordinal).Replace(',', '.');
        return decimal.TryParse(plain, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }
}

using System.Globalization;
using System.Text;

using DomioOps.Cloud.Production;

using MiniExcelLibs;

namespace DomioOps.Cloud.Tests.Production;

/// <summary>
/// Cut lists as the design software and Excel write them, CSV and XLSX, English and Russian: the parts read, and for a
/// bad file every problem with its row (as a spreadsheet shows it) and column (as the file heads it).
/// </summary>
public sealed class CutListReaderTests
{
    private const string RussianHeader = "Наименование;Материал;Толщина;Длина;Ширина;Кол-во;Текстура;Кромка Д1;Кромка Д2;Кромка Ш1;Кромка Ш2;Программа";

    [Fact]
    public void Read_RussianHeadersSemicolonsCommaDecimals_Parts()
    {
        var result = Csv(
            RussianHeader + "\n" +
            "Боковина;ЛДСП Дуб Бардолино;16;720;560;4;вдоль;ПВХ 2x19;;ПВХ 0,4x19;нет;SIDE-720\n" +
            "Задняя стенка;ХДФ белый;3,2;716,5;596;1;;;;;;\n");

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.Equal(
            [
                new CutListPart(2, "Боковина", "ЛДСП Дуб Бардолино", 16m, 720m, 560m, 4, GrainDirection.Length, "ПВХ 2x19", null, "ПВХ 0,4x19", null, "SIDE-720"),
                new CutListPart(3, "Задняя стенка", "ХДФ белый", 3.2m, 716.5m, 596m, 1, GrainDirection.None, null, null, null, null, null),
            ],
            result.Parts);
        Assert.True(result.Parts[0].IsEdged);
        Assert.False(result.Parts[1].IsEdged);
    }

    [Fact]
    public void Read_EnglishHeadersCommasQuotedCellsUtf8Bom_Parts()
    {
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(
            "Part name,Material,Thickness,Length,Width,Qty,Grain direction,Edge L1,Edge L2,Edge W1,Edge W2,CNC program\r\n" +
            "\"Door, left\",\"Oak \"\"Sonoma\"\"\",18.0,2396,596,2,width,ABS 2x22,ABS 2x22,-,0,DOOR-1\r\n")];

        var result = CutListReader.Read(new MemoryStream(bytes), "wardrobe.csv");

        Assert.Empty(result.Errors);
        var door = Assert.Single(result.Parts);
        Assert.Equal(new CutListPart(2, "Door, left", "Oak \"Sonoma\"", 18.0m, 2396m, 596m, 2, GrainDirection.Width, "ABS 2x22", "ABS 2x22", null, null, "DOOR-1"), door);
    }

    [Fact]
    public void Read_TabSeparatedTxtExtraColumnsAnyOrderShortNames_Parts()
    {
        var result = CutListReader.Read(Utf8(
            "Qty\tNote\tW\tL\tT\tMaterial\tPart\tL1\tW2\n" +
            "3\tfragile\t300\t566\t16\tOak\tShelf\tABS 1x19\t\n"), "export.TXT");

        Assert.Empty(result.Errors);
        Assert.Equal(new CutListPart(2, "Shelf", "Oak", 16m, 566m, 300m, 3, GrainDirection.None, "ABS 1x19", null, null, null, null), Assert.Single(result.Parts));
    }

    [Theory]
    [InlineData("Деталь;Материал;Толщина, мм;Длина (мм);Ширина мм;Кол.;Волокно;Д1;Кромка Д2;Ш1;Кромка Ш2;Программа ЧПУ")]
    [InlineData("  НАЗВАНИЕ ;материал;ТОЛЩИНА;Длина;Ширина;Количество;Направление текстуры;Кромка L1;Кромка L2;Кромка W1;Кромка W2;Программа")]
    [InlineData("Name;Material;Thickness;Length;Width;Count;Grain;Edge  L1;L2;Edge W1;W2;Programme")]
    [InlineData("Part;Material;T;L;W;Quantity;Grain;Edge_L1;Edge L2;Edge W1;Edge W2;Program")]
    public void Read_HeaderSynonyms_SameColumns(string header)
    {
        var result = Csv(header + "\nБоковина;ЛДСП;16;720;560;4;1;a;b;c;d;P-1\n");

        Assert.Empty(result.Errors);
        Assert.Equal(new CutListPart(2, "Боковина", "ЛДСП", 16m, 720m, 560m, 4, GrainDirection.Length, "a", "b", "c", "d", "P-1"), Assert.Single(result.Parts));
    }

    [Fact]
    public void Read_Windows1251_RussianText()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding(1251).GetBytes(RussianHeader + "\r\nПолка;ЛДСП Ясень;16;566;520;2;поперёк;ПВХ;;;;\r\n");

        var result = CutListReader.Read(new MemoryStream(bytes), "кухня.csv");

        Assert.Empty(result.Errors);
        Assert.Equal(new CutListPart(2, "Полка", "ЛДСП Ясень", 16m, 566m, 520m, 2, GrainDirection.Width, "ПВХ", null, null, null, null), Assert.Single(result.Parts));
    }

    [Fact]
    public void Read_Utf16WithBomAsExcelsUnicodeText_Parts()
    {
        byte[] bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Деталь\tМатериал\tТолщина\tДлина\tШирина\tКол-во\nЦоколь\tЛДСП\t16\t2400\t100\t1\n")];

        var result = CutListReader.Read(new MemoryStream(bytes), "cut.txt");

        Assert.Empty(result.Errors);
        Assert.Equal("Цоколь", Assert.Single(result.Parts).Name);
    }

    [Fact]
    public void Read_ExcelSeparatorLineAndBlankLines_SkippedRowsAsExcelShowsThem()
    {
        var result = CutListReader.Read(Utf8("sep=,\n\nName,Material,Thickness,Length,Width,Quantity\n\nShelf,Oak,16,566,520,2\n,,,,,\nTop,Oak,16,568,560,1\n"), "cut.csv");

        Assert.Empty(result.Errors);
        Assert.Equal([4, 6], result.Parts.Select(part => part.Row));
    }

    [Theory]
    [InlineData("", "None")]
    [InlineData("0", "None")]
    [InlineData("none", "None")]
    [InlineData("Нет", "None")]
    [InlineData("no", "None")]
    [InlineData("1", "Length")]
    [InlineData("Length", "Length")]
    [InlineData("along", "Length")]
    [InlineData("L", "Length")]
    [InlineData("вдоль", "Length")]
    [InlineData("да", "Length")]
    [InlineData("YES", "Length")]
    [InlineData("по  длине", "Length")]
    [InlineData("2", "Width")]
    [InlineData("width", "Width")]
    [InlineData("across", "Width")]
    [InlineData("w", "Width")]
    [InlineData("Поперёк", "Width")]
    [InlineData("поперек", "Width")]
    [InlineData("по ширине", "Width")]
    public void Read_GrainWord_Direction(string word, string expected)
    {
        var result = Csv($"Name;Material;Thickness;Length;Width;Quantity;Grain\nShelf;Oak;16;566;520;2;{word}\n");

        Assert.Empty(result.Errors);
        Assert.Equal(expected, Assert.Single(result.Parts).Grain.ToString());
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("0", null)]
    [InlineData("-", null)]
    [InlineData("нет", null)]
    [InlineData("NO", null)]
    [InlineData("  ПВХ 2x19 Дуб  ", "ПВХ 2x19 Дуб")]
    [InlineData("2", "2")]
    [InlineData("K001-0.8", "K001-0.8")]
    public void Read_EdgeValue_BandOrNone(string cell, string? expected)
    {
        var result = Csv($"Name;Material;Thickness;Length;Width;Quantity;Edge W2\nShelf;Oak;16;566;520;2;{cell}\n");

        var part = Assert.Single(result.Parts);
        Assert.Equal(expected, part.EdgeW2);
        Assert.Equal(expected is not null, part.IsEdged);
    }

    [Fact]
    public void Read_BadCells_EveryErrorWithItsRowAndColumn()
    {
        string longName = new('Д', 201);
        string longEdge = new('e', 101);
        var result = Csv(
            "Name;Material;Толщина, мм;Length;Width;Кол-во;Grain;Edge L1;Program\n" + // 1
            "Side;Oak;18;720;560;2;1;ABS;P1\n" + // 2: good
            ";Oak;18;720;560;2;;;\n" + // 3
            "Shelf;Oak;18,5x;720;560;2;;;\n" + // 4
            "\n" + // 5: blank
            "Door;Oak;0;6000;560;2;;;\n" + // 6
            "Door;Oak;18;720;560;2,5;;;\n" + // 7
            "Door;Oak;18;720;560;0;;;\n" + // 8
            "Door;Oak;18;720;560;x;diagonal;;\n" + // 9
            $"{longName};Oak;18;720;;2;;{longEdge};{longName}\n" + // 10
            ";;;;;;;;\n" + // 11: blank
            "Back;;3,2;716;596;1;нет;-;\n"); // 12

        Assert.False(result.IsValid);
        Assert.Equal(
            [
                (3, "Name", CutListProblem.Required),
                (4, "Толщина, мм", CutListProblem.NotANumber),
                (6, "Толщина, мм", CutListProblem.OutOfRange),
                (6, "Length", CutListProblem.OutOfRange),
                (7, "Кол-во", CutListProblem.NotAWholeNumber),
                (8, "Кол-во", CutListProblem.OutOfRange),
                (9, "Кол-во", CutListProblem.NotANumber),
                (9, "Grain", CutListProblem.UnknownGrain),
                (10, "Name", CutListProblem.TooLong),
                (10, "Width", CutListProblem.Required),
                (10, "Edge L1", CutListProblem.TooLong),
                (10, "Program", CutListProblem.TooLong),
                (12, "Material", CutListProblem.Required),
            ],
            result.Errors.Select(error => (error.Row, error.Column, error.Problem)));
        Assert.Equal("Row 4, column 'Толщина, мм': '18,5x' is not a number; write millimetres like 18 or 18.5.", result.Errors[1].Message);
        Assert.Equal("Row 6, column 'Length': 6000 is out of range; the length must be from 1 to 5000 mm.", result.Errors[3].Message);
        Assert.Equal("Row 7, column 'Кол-во': 2,5 is not a whole number; write the number of pieces like 1 or 4.", result.Errors[4].Message);
        Assert.StartsWith("Row 9, column 'Grain': 'diagonal' is not a grain direction; write 1, length", result.Errors[7].Message, StringComparison.Ordinal);
        Assert.Equal("Row 10, column 'Edge L1': the edge band's name is 101 characters long; at most 100 are allowed.", result.Errors[10].Message);
        Assert.Equal("Row 12, column 'Material': the cell is empty; every part needs its material.", result.Errors[12].Message);
        Assert.Equal([2], result.Parts.Select(part => part.Row));
    }

    [Fact]
    public void Read_RequiredColumnsMissing_OneErrorEachInTheHeaderRowAndNoRowsRead()
    {
        var result = Csv("\nДеталь;Материал;Длина;Ширина;Grain\nShelf;Oak;x;560;diagonal\n");

        Assert.Equal(
            [(2, "Thickness", CutListProblem.MissingColumn), (2, "Quantity", CutListProblem.MissingColumn)],
            result.Errors.Select(error => (error.Row, error.Column, error.Problem)));
        Assert.Equal("Row 2: the required column 'Thickness' is missing; add a column headed Thickness or Толщина (the header row is the first row that is not blank).", result.Errors[0].Message);
        Assert.Empty(result.Parts);
    }

    [Fact]
    public void Read_TwoColumnsForTheLength_DuplicateColumn()
    {
        var result = Csv("Name;Material;Thickness;Length;Width;Quantity;Длина\nShelf;Oak;16;566;520;2;566\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal((1, "Длина", CutListProblem.DuplicateColumn), (error.Row, error.Column, error.Problem));
        Assert.Equal("Row 1: columns 'Length' (column 4) and 'Длина' (column 7) both give the length; keep one of them.", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n  \r\n;;;\r\n")]
    [InlineData("Name;Material;Thickness;Length;Width;Quantity\n\n;;;;;\n")]
    public void Read_NoParts_Empty(string text)
    {
        var result = Csv(text);

        var error = Assert.Single(result.Errors);
        Assert.Equal((0, "", CutListProblem.Empty), (error.Row, error.Column, error.Problem));
        Assert.False(result.IsValid);
    }

    [Theory]
    [InlineData("cut.pdf")]
    [InlineData("cut.xls")]
    [InlineData("cut")]
    public void Read_OtherExtension_UnsupportedFormatNamingTheAcceptedKinds(string fileName)
    {
        var result = CutListReader.Read(Utf8("Name;Material\n"), fileName);

        var error = Assert.Single(result.Errors);
        Assert.Equal((0, "", CutListProblem.UnsupportedFormat), (error.Row, error.Column, error.Problem));
        Assert.Contains($"'{fileName}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(".xlsx", error.Message, StringComparison.Ordinal);
        Assert.Contains(".csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CorruptWorkbook_UnreadableFile()
    {
        var result = CutListReader.Read(Utf8("Name;Material;Thickness\nthis is no workbook"), "cut.xlsx");

        var error = Assert.Single(result.Errors);
        Assert.Equal((0, "", CutListProblem.UnreadableFile), (error.Row, error.Column, error.Problem));
        Assert.Equal("'cut.xlsx' is not an Excel workbook (.xlsx) that can be read; open it in Excel and save it again as .xlsx, or export the cut list as CSV.", error.Message);
    }

    [Fact]
    public void Read_WorkbookNamedCsvOrBinaryCsv_UnreadableFile()
    {
        var workbook = Xlsx([["Name", "Material"]]);
        byte[] binary = [0x4E, 0x61, 0x00, 0x01, 0xFF, 0x00];

        var named = Assert.Single(CutListReader.Read(workbook, "cut.csv").Errors);
        var garbage = Assert.Single(CutListReader.Read(new MemoryStream(binary), "cut.csv").Errors);

        Assert.Equal((0, CutListProblem.UnreadableFile), (named.Row, named.Problem));
        Assert.Contains("is an Excel workbook, not CSV text", named.Message, StringComparison.Ordinal);
        Assert.Equal((0, CutListProblem.UnreadableFile), (garbage.Row, garbage.Problem));
    }

    [Fact]
    public void Read_MoreRowsThanAllowed_TooManyRowsAtTheFirstRowPastTheLimit()
    {
        var text = new StringBuilder("Name;Material;Thickness;Length;Width;Quantity\n");
        for (var i = 0; i < CutListReader.MaxRows + 1; i++)
        {
            text.Append("Shelf;Oak;16;566;520;1\n");
        }
        var progress = new ProgressValues();

        var result = CutListReader.Read(Utf8(text.ToString()), "big.csv", progress);

        var error = Assert.Single(result.Errors);
        Assert.Equal((100_002, "", CutListProblem.TooManyRows), (error.Row, error.Column, error.Problem));
        Assert.Equal("Row 100002: the file has more than 100000 parts rows; split the cut list into files of at most 100000 rows.", error.Message);
        Assert.Equal(100_000, result.Parts.Count);
        Assert.Equal(100_000, progress.Values[^1]);
    }

    [Fact]
    public void Read_MoreErrorsThanListed_FirstThousandThenTooManyErrors()
    {
        var text = new StringBuilder("Name;Material;Thickness;Length;Width;Quantity\n");
        for (var i = 0; i < 1_200; i++)
        {
            text.Append("Shelf;Oak;x;566;520;1\n");
        }

        var result = CutListReader.Read(Utf8(text.ToString()), "bad.csv");

        Assert.Equal(CutListReader.MaxErrors + 1, result.Errors.Count);
        Assert.All(result.Errors.Take(CutListReader.MaxErrors), error => Assert.Equal(CutListProblem.NotANumber, error.Problem));
        Assert.Equal((1_001, "Thickness"), (result.Errors[999].Row, result.Errors[999].Column));
        var last = result.Errors[^1];
        Assert.Equal((1_002, "", CutListProblem.TooManyErrors), (last.Row, last.Column, last.Problem));
    }

    [Fact]
    public void Read_WorkbookWithNumbersAsDoubles_PartsWithoutFloatNoise()
    {
        var workbook = Xlsx(
        [
            ["Деталь", "Материал", "Толщина", "Длина", "Ширина", "Кол-во", "Текстура", "Кромка Д1", "Программа"],
            ["Боковина", "ЛДСП", 16.0, 720.0, 560.0, 4.0, 1.0, "ПВХ 2x19", "SIDE-1"],
            ["Полка", "ЛДСП", 18.499999999999996, 566.0 - (0.1 + 0.2), "520,5", 2.0, "поперёк", 0.0, null],
        ]);

        var result = CutListReader.Read(workbook, "kitchen.xlsx");

        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                new CutListPart(2, "Боковина", "ЛДСП", 16m, 720m, 560m, 4, GrainDirection.Length, "ПВХ 2x19", null, null, null, "SIDE-1"),
                new CutListPart(3, "Полка", "ЛДСП", 18.5m, 565.7m, 520.5m, 2, GrainDirection.Width, null, null, null, null, null),
            ],
            result.Parts);
    }

    [Fact]
    public void Read_WorkbookOfTwoSheets_TheFirstOnly()
    {
        var workbook = new MemoryStream();
        workbook.SaveAs(
            new Dictionary<string, object>
            {
                ["Детали"] = new[] { Row("Деталь", "Материал", "Толщина", "Длина", "Ширина", "Кол-во"), Row("Полка", "ЛДСП", 16.0, 566.0, 520.0, 2.0) },
                ["Заметки"] = new[] { Row("Not", "a", "cut", "list") },
            },
            printHeader: false);
        workbook.Position = 0;

        var result = CutListReader.Read(workbook, "two-sheets.xlsx");

        Assert.Empty(result.Errors);
        Assert.Equal("Полка", Assert.Single(result.Parts).Name);

        static Dictionary<string, object?> Row(params object?[] cells) =>
            cells.Select((value, i) => (Column: ((char)('A' + i)).ToString(), Value: value)).ToDictionary(cell => cell.Column, cell => cell.Value);
    }

    [Fact]
    public void Read_WorkbookWithBadCells_ErrorsAtTheirCells()
    {
        var workbook = Xlsx(
        [
            [null, null],
            ["Part", "Material", "Thickness", "Length", "Width", "Qty", "Grain"],
            ["Side", "Oak", 18.0, 720.0, 560.0, 2.0, "L"],
            ["Shelf", "Oak", "18мм", 720.0, 560.0, 2.0, null],
            ["Door", "Oak", 18.0, 720.0, 5001.0, 1.5, "x"],
        ]);

        var result = CutListReader.Read(workbook, "bad.xlsx");

        Assert.Equal(
            [
                (4, "Thickness", CutListProblem.NotANumber),
                (5, "Width", CutListProblem.OutOfRange),
                (5, "Qty", CutListProblem.NotAWholeNumber),
                (5, "Grain", CutListProblem.UnknownGrain),
            ],
            result.Errors.Select(error => (error.Row, error.Column, error.Problem)));
        Assert.Equal("Row 4, column 'Thickness': '18мм' is not a number; write millimetres like 18 or 18.5.", result.Errors[0].Message);
        Assert.Equal([3], result.Parts.Select(part => part.Row));
    }

    [Fact]
    public void Read_FiveThousandRowsCsv_ProgressEveryFiveHundred()
    {
        var text = new StringBuilder(RussianHeader + "\n");
        for (var i = 1; i <= 5_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Деталь {i};ЛДСП;16;{100 + (i % 4000)};300,5;1;вдоль;ПВХ;;;;\n");
        }
        var progress = new ProgressValues();

        var result = CutListReader.Read(Utf8(text.ToString()), "big.csv", progress);

        Assert.True(result.IsValid);
        Assert.Equal(5_000, result.Parts.Count);
        Assert.Equal(new CutListPart(5_001, "Деталь 5000", "ЛДСП", 16m, 1100m, 300.5m, 1, GrainDirection.Length, "ПВХ", null, null, null, null), result.Parts[^1]);
        Assert.Equal([500, 1_000, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 4_500, 5_000], progress.Values);
    }

    [Fact]
    public void Read_FiveThousandAndTwelveRowsXlsxFromAStreamThatCannotSeek_ProgressEveryFiveHundredAndAtTheEnd()
    {
        var rows = new List<object?[]> { new object?[] { "Name", "Material", "Thickness", "Length", "Width", "Quantity", "Edge L1" } };
        for (var i = 1; i <= 5_012; i++)
        {
            rows.Add([$"Part {i}", "Oak", 18.0, 100.0 + (i % 4000), 300.0, 2.0, i % 2 == 0 ? "ABS" : null]);
        }
        var progress = new ProgressValues();

        var result = CutListReader.Read(new ForwardOnly(Xlsx(rows)), "big.xlsx", progress);

        Assert.True(result.IsValid);
        Assert.Equal(5_012, result.Parts.Count);
        Assert.Equal(new CutListPart(5_013, "Part 5012", "Oak", 18m, 1112m, 300m, 2, GrainDirection.None, "ABS", null, null, null, null), result.Parts[^1]);
        Assert.Equal([500, 1_000, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 4_500, 5_000, 5_012], progress.Values);
    }

    [Theory]
    [InlineData("kitchen-cut-list.csv", 12)]
    [InlineData("wardrobe-cut-list.csv", 8)]
    public void Read_Sample_AllPartsAndProgressAtTheEnd(string sample, int parts)
    {
        using var stream = typeof(CutListReader).Assembly.GetManifestResourceStream($"DomioOps.Cloud.Production.Samples.{sample}")!;
        var progress = new ProgressValues();

        var result = CutListReader.Read(stream, sample, progress);

        Assert.Empty(result.Errors);
        Assert.Equal(parts, result.Parts.Count);
        Assert.Contains(result.Parts, part => part.IsEdged && part.Program is not null);
        Assert.Contains(result.Parts, part => !part.IsEdged && part.Program is null);
        Assert.Equal([parts], progress.Values);
    }

    private static CutListReadResult Csv(string text) => CutListReader.Read(Utf8(text), "cut.csv");

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// A workbook of these rows from A1, written by MiniExcel as Excel would store them (numbers as doubles). Every row
    /// has the columns of the widest: MiniExcel writes the columns of the first row only.
    /// </summary>
    private static MemoryStream Xlsx(IReadOnlyList<object?[]> rows)
    {
        var width = rows.Max(cells => cells.Length);
        var sheet = rows
            .Select(cells => Enumerable.Range(0, width).ToDictionary(i => ((char)('A' + i)).ToString(), i => i < cells.Length ? cells[i] : null))
            .ToList();
        var stream = new MemoryStream();
        stream.SaveAs(sheet, printHeader: false);
        stream.Position = 0;
        return stream;
    }

    /// <summary>Progress values in the order reported (synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class ProgressValues : IProgress<int>
    {
        public List<int> Values { get; } = [];

        public void Report(int value) => Values.Add(value);
    }

    /// <summary>An upload as ASP.NET Core hands it over: read forward, no seeking, no length.</summary>
    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

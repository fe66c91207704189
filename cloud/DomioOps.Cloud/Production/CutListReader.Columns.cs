using System.Globalization;
using System.Text.RegularExpressions;

namespace DomioOps.Cloud.Production;

internal static partial class CutListReader
{
    /// <summary>
    /// A header as it is matched: lower case, ё as е, '_' as space, without a unit ("Длина, мм", "Length (mm)",
    /// "Кол-во, шт"), without a trailing '.' or ':', whitespace collapsed.
    /// </summary>
    internal static string HeaderKey(string header)
    {
        var key = header.Trim().Trim('\uFEFF').ToLowerInvariant().Replace('ё', 'е').Replace('_', ' ');
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
    /// A number in millimetres or pieces: '.' or ',' as the decimal separator, an optional sign, and the no-break spaces
    /// that Excel writes between thousands. No exponent, no units.
    /// </summary>
    internal static bool TryParseNumber(string text, out decimal value)
    {
        var plain = text.Replace("\u00A0", "", StringComparison.Ordinal).Replace("\u202F", "", StringComparison.Ordinal).Replace(',', '.');
        return decimal.TryParse(plain, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }
}

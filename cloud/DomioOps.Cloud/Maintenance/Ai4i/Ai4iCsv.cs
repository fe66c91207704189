using System.Globalization;
using System.Text;

namespace DomioOps.Cloud.Maintenance.Ai4i;

/// <summary>
/// Reads AI4I 2020 CSV files: comma-separated, a header row, columns found by name in any order. Accepts a UTF-8
/// byte-order mark and both spellings of the label column (<c>Machine failure</c> as UCI publishes it,
/// <c>Machine_failure</c> as some copies write it). A bad file throws <see cref="InvalidDataException"/> naming the line
/// and the column.
/// </summary>
public static class Ai4iCsv
{
    public const string TypeColumn = "Type";
    public const string AirTemperatureColumn = "Air temperature [K]";
    public const string ProcessTemperatureColumn = "Process temperature [K]";
    public const string RotationalSpeedColumn = "Rotational speed [rpm]";
    public const string TorqueColumn = "Torque [Nm]";
    public const string ToolWearColumn = "Tool wear [min]";
    public const string ProductIdColumn = "Product ID";

    private static readonly string[] MachineFailureSpellings = ["Machine failure", "Machine_failure"];
    private static readonly (string Column, FailureModes Mode)[] ModeColumns =
        [("TWF", FailureModes.ToolWear), ("HDF", FailureModes.HeatDissipation), ("PWF", FailureModes.Power), ("OSF", FailureModes.Overstrain), ("RNF", FailureModes.Random)];

    public static IReadOnlyList<Ai4iRecord> Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, Path.GetFileName(path));
    }

    /// <param name="source">The file's name, for messages.</param>
    public static IReadOnlyList<Ai4iRecord> Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{source}: empty file; expected a header row with {TorqueColumn}, {ToolWearColumn}, Machine failure, ….");
        var names = Split(header.TrimStart('\uFEFF')).Select(n => n.Trim()).ToArray();
        int Column(params string[] spellings)
        {
            var index = Array.FindIndex(names, n => spellings.Contains(n, StringComparer.Ordinal));
            return index >= 0 ? index : throw new InvalidDataException(
                $"{source} line 1: no column '{string.Join("' or '", spellings)}' in the header (it has: {string.Join(", ", names)}).");
        }

        var type = Column(TypeColumn);
        var air = Column(AirTemperatureColumn);
        var process = Column(ProcessTemperatureColumn);
        var speed = Column(RotationalSpeedColumn);
        var torque = Column(TorqueColumn);
        var wear = Column(ToolWearColumn);
        var failure = Column(MachineFailureSpellings);
        var modes = ModeColumns.Select(m => (Index: Column(m.Column), m.Column, m.Mode)).ToArray();
        var product = Array.IndexOf(names, ProductIdColumn);

        var records = new List<Ai4iRecord>();
        var line = 1;
        for (var text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var fields = Split(text);
            if (fields.Count != names.Length)
            {
                throw new InvalidDataException($"{source} line {line}: {fields.Count} fields; the header has {names.Length}.");
            }

            double Number(int column)
            {
                var value = fields[column].Trim();
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? number
                    : throw new InvalidDataException($"{source} line {line}, column '{names[column]}': '{value}' is not a number.");
            }

            bool Flag(int column) => fields[column].Trim() switch
            {
                "0" => false,
                "1" => true,
                var value => throw new InvalidDataException($"{source} line {line}, column '{names[column]}': '{value}' is not 0 or 1."),
            };

            var kind = fields[type].Trim();
            if (kind is not ("L" or "M" or "H"))
            {
                throw new InvalidDataException($"{source} line {line}, column '{TypeColumn}': '{kind}' is not L, M or H.");
            }

            var flags = FailureModes.None;
            foreach (var (index, _, mode) in modes)
            {
                flags |= Flag(index) ? mode : FailureModes.None;
            }

            records.Add(new Ai4iRecord(line, product >= 0 ? fields[product].Trim() : "", kind[0], Number(air), Number(process), Number(speed),
                Number(torque), Number(wear), Flag(failure), flags));
        }

        return records.Count > 0 ? records : throw new InvalidDataException($"{source}: a header and no rows.");
    }

    /// <summary>One CSV line's fields (RFC 4180 quoting: a quoted field may hold commas and doubled quotes).</summary>
    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}

namespace DomioOps.Cloud.Production;

internal static partial class CutListReader
{
    /// <summary>
    /// The rows of one worksheet as they come, CSV or XLSX alike: the first row that is not blank is the header, the
    /// rows after it parts; blank rows are skipped.
    /// </summary>
    private sealed class Sheet(string fileName, IProgress<int>? rowsRead)
    {
        private readonly List<CutListPart> _parts = [];
        private readonly List<CutListError> _errors = [];
        private readonly int[] _indexes = new int[Columns.Length];
        private readonly string[] _headers = new string[Columns.Length];
        private int _headerRow;
        private int _rowsSeen;

        /// <summary>Whether the rest of the file is not read: a bad header, too many rows or too many errors.</summary>
        public bool Stopped { get; private set; }

        public void Add(int row, IReadOnlyList<string?> cells)
        {
            if (Stopped || cells.All(string.IsNullOrWhiteSpace))
            {
                return;
            }
            if (_headerRow == 0)
            {
                ReadHeader(row, cells);
                return;
            }
            if (++_rowsSeen > MaxRows)
            {
                Add(new CutListError(row, "", CutListProblem.TooManyRows, $"Row {row}: the file has more than {MaxRows} parts rows; split the cut list into files of at most {MaxRows} rows."));
                Stopped = true;
                return;
            }
            ReadPart(row, cells);
            if (_rowsSeen % ProgressEvery == 0)
            {
                rowsRead?.Report(_rowsSeen);
            }
        }

        public CutListReadResult Finish()
        {
            if (_rowsSeen % ProgressEvery != 0 && _rowsSeen <= MaxRows)
            {
                rowsRead?.Report(_rowsSeen);
            }
            if (_headerRow == 0)
            {
                Add(new CutListError(0, "", CutListProblem.Empty, $"'{fileName}' has no rows; it needs a header row (Name, Material, Thickness, Length, Width, Quantity…) and a row for each part."));
            }
            else if (_rowsSeen == 0 && _errors.Count == 0)
            {
                Add(new CutListError(0, "", CutListProblem.Empty, $"'{fileName}' has a header in row {_headerRow} but no parts below it; add a row for each part."));
            }
            return new CutListReadResult(_parts, _errors);
        }

        private void ReadHeader(int row, IReadOnlyList<string?> cells)
        {
            _headerRow = row;
            Array.Fill(_indexes, -1);
            for (var i = 0; i < cells.Count; i++)
            {
                var text = (cells[i] ?? "").Trim();
                if (!FieldsByHeader.TryGetValue(HeaderKey(text), out var field))
                {
                    continue;
                }
                var columnIndex = (int)field;
                if (_indexes[columnIndex] >= 0)
                {
                    Add(new CutListError(row, text, CutListProblem.DuplicateColumn, $"Row {row}: columns '{_headers[columnIndex]}' (column {_indexes[columnIndex] + 1}) and '{text}' (column {i + 1}) both give the {Columns[columnIndex].Name.ToLowerInvariant()}; keep one of them."));
                    continue;
                }
                _indexes[columnIndex] = i;
                _headers[columnIndex] = text;
            }
            foreach (var column in Columns.Where(column => column.Required && _indexes[(int)column.Field] < 0))
            {
                Add(new CutListError(row, column.Name, CutListProblem.MissingColumn, $"Row {row}: the required column '{column.Name}' is missing; add a column headed {column.Name} or {column.Russian} (the header row is the first row that is not blank)."));
            }
            Stopped = _errors.Count > 0;
        }

        /// <summary>A parts row: a part when all its cells are good, else an error for each bad cell.</summary>
        private void ReadPart(int row, IReadOnlyList<string?> cells)
        {
            var errorsBefore = _errors.Count;
            var name = Text(row, cells, Field.Name, MaxNameLength) ?? "";
            var material = Text(row, cells, Field.Material, MaxNameLength) ?? "";
            var thickness = Number(row, cells, Field.Thickness, 1, 100, "write millimetres like 18 or 18.5");
            var length = Number(row, cells, Field.Length, 1, 5000, "write millimetres like 720 or 719.5");
            var width = Number(row, cells, Field.Width, 1, 5000, "write millimetres like 560 or 559.5");
            var quantity = Quantity(row, cells);
            var grain = GrainOf(row, cells);
            var edgeL1 = Edge(row, cells, Field.EdgeL1);
            var edgeL2 = Edge(row, cells, Field.EdgeL2);
            var edgeW1 = Edge(row, cells, Field.EdgeW1);
            var edgeW2 = Edge(row, cells, Field.EdgeW2);
            var program = Text(row, cells, Field.Program, MaxProgramLength);
            if (_errors.Count == errorsBefore)
            {
                _parts.Add(new CutListPart(row, name, material, thickness, length, width, quantity, grain, edgeL1, edgeL2, edgeW1, edgeW2, program));
            }
        }

        /// <summary>The trimmed cell of <paramref name="field"/>, "" when the column is absent or the row short.</summary>
        private string Cell(IReadOnlyList<string?> cells, Field field)
        {
            var index = _indexes[(int)field];
            return index >= 0 && index < cells.Count ? (cells[index] ?? "").Trim() : "";
        }

        /// <summary>The text of a column, null when empty (an error when the column is required) or too long.</summary>
        private string? Text(int row, IReadOnlyList<string?> cells, Field field, int maxLength)
        {
            var text = Cell(cells, field);
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
            var text = Cell(cells, field);
            var what = Columns[(int)field].Name.ToLowerInvariant();
            if (text.Length == 0)
            {
                Error(row, field, CutListProblem.Required, $"the cell is empty; every part needs its {what}: {example}.");
                return 0;
            }
            if (!TryParseNumber(text, out var value))
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
            var text = Cell(cells, Field.Quantity);
            if (text.Length == 0)
            {
                Error(row, Field.Quantity, CutListProblem.Required, $"the cell is empty; every part needs its quantity: {Example}.");
                return 0;
            }
            if (!TryParseNumber(text, out var value))
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
            var text = Cell(cells, Field.Grain);
            var key = Whitespace().Replace(text.ToLowerInvariant().Replace('ё', 'е'), " ");
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
            var text = Cell(cells, field);
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
            var header = _headers[(int)field];
            Add(new CutListError(row, header, problem, $"Row {row}, column '{header}': {what}"));
        }

        private void Add(CutListError error)
        {
            if (Stopped)
            {
                return;
            }
            if (_errors.Count == MaxErrors)
            {
                _errors.Add(new CutListError(error.Row, "", CutListProblem.TooManyErrors, $"More than {MaxErrors} errors: the file was read up to row {error.Row}. Fix the errors listed and import it again."));
                Stopped = true;
                return;
            }
            _errors.Add(error);
        }
    }
}

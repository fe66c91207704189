namespace DomioOps.Cloud.Production;

/// <summary>The direction of a part's grain (wood texture): along its length, along its width, or none.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<GrainDirection>))]
internal enum GrainDirection
{
    None,
    Length,
    Width,
}

/// <summary>
/// One line of a cut list as <see cref="CutListReader"/> read it. <paramref name="Row"/> is the row a spreadsheet shows
/// (the header is usually row 1); sizes are millimetres as written; an edge is null where the side has no edge band,
/// otherwise the band's name or code as written (trimmed).
/// </summary>
internal sealed record CutListPart(
    int Row,
    string Name,
    string Material,
    decimal Thickness,
    decimal Length,
    decimal Width,
    int Quantity,
    GrainDirection Grain,
    string? EdgeL1,
    string? EdgeL2,
    string? EdgeW1,
    string? EdgeW2,
    string? Program)
{
    /// <summary>Whether any side is edge-banded (the part visits the edgebander).</summary>
    public bool IsEdged => EdgeL1 is not null || EdgeL2 is not null || EdgeW1 is not null || EdgeW2 is not null;
}

/// <summary>What is wrong with a cut list, or with one of its cells.</summary>
internal enum CutListProblem
{
    /// <summary>The bytes are not a file of the kind its name says (a corrupt workbook, a binary file named .csv).</summary>
    UnreadableFile,

    /// <summary>The file's extension is none of .csv, .txt, .xlsx.</summary>
    UnsupportedFormat,

    /// <summary>No header, or a header and no parts.</summary>
    Empty,

    /// <summary>A required column is not in the header.</summary>
    MissingColumn,

    /// <summary>Two columns of the header mean the same thing (Length and Длина).</summary>
    DuplicateColumn,

    /// <summary>A required cell is empty.</summary>
    Required,

    /// <summary>A size or quantity that is not a number.</summary>
    NotANumber,

    /// <summary>A number outside its range (thickness 1–100, length and width 1–5000 mm, quantity 1–100000).</summary>
    OutOfRange,

    /// <summary>A quantity with a fraction.</summary>
    NotAWholeNumber,

    /// <summary>A grain that is none of the accepted words.</summary>
    UnknownGrain,

    /// <summary>A text longer than its column allows.</summary>
    TooLong,

    /// <summary>More parts rows than one import takes.</summary>
    TooManyRows,

    /// <summary>More errors than are listed: the rest of the file was not read.</summary>
    TooManyErrors,

    /// <summary>The part needs a kind of work centre the shop does not have (found by the import, not the reader).</summary>
    NoWorkCentre,
}

/// <summary>
/// One problem of a cut list. <paramref name="Row"/> is the spreadsheet row (the header's row for header problems, 0 for
/// the file as a whole); <paramref name="Column"/> the header text as found in the file, the canonical column name when
/// the column is missing, or empty when the problem is not a column's.
/// </summary>
internal sealed record CutListError(int Row, string Column, CutListProblem Problem, string Message);

/// <summary>
/// The parts of a cut list and its problems. A file with any problem is refused whole: <see cref="IsValid"/> is false,
/// and <see cref="Errors"/> lists every problem found (at most <see cref="CutListReader.MaxErrors"/>, then one
/// <see cref="CutListProblem.TooManyErrors"/>). <see cref="Parts"/> holds the rows that were good, in file order.
/// </summary>
internal sealed record CutListReadResult(IReadOnlyList<CutListPart> Parts, IReadOnlyList<CutListError> Errors)
{
    public bool IsValid => Errors.Count == 0 && Parts.Count > 0;
}

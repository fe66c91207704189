using DomioOps.Cloud.Maintenance.Ai4i;

namespace DomioOps.Cloud.Tests.Maintenance.Ai4i;

public sealed class Ai4iCsvTests
{
    private const string Rows =
        "1,M14860,M,298.1,308.6,1551,42.8,0,0,0,0,0,0,0\n" +
        "78,L47257,L,298.8,308.9,1455,41.3,208,1,1,0,0,1,0\n";

    private static IReadOnlyList<Ai4iRecord> Read(string text) => Ai4iCsv.Read(new StringReader(text), "test.csv");

    [Theory]
    [InlineData("\uFEFFUDI,Product ID,Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],Tool wear [min],Machine_failure,TWF,HDF,PWF,OSF,RNF\n")]
    [InlineData("UDI,Product ID,Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],Tool wear [min],Machine failure,TWF,HDF,PWF,OSF,RNF\n")]
    public void Read_EitherLabelSpellingWithOrWithoutBom_ReadsEveryValue(string header)
    {
        var records = Read(header + Rows);

        Assert.Equal(
        [
            new Ai4iRecord(2, "M14860", 'M', 298.1, 308.6, 1551, 42.8, 0, false, FailureModes.None),
            new Ai4iRecord(3, "L47257", 'L', 298.8, 308.9, 1455, 41.3, 208, true, FailureModes.ToolWear | FailureModes.Overstrain),
        ], records);
    }

    [Fact]
    public void Read_ColumnsInAnotherOrderWithQuotes_FoundByName()
    {
        var records = Read("Machine failure,RNF,OSF,PWF,HDF,TWF,Tool wear [min],Torque [Nm],Rotational speed [rpm],Process temperature [K],Air temperature [K],Type,\"Product ID\"\n" +
            "1,0,0,1,0,0,5,3.8,2861,310.1,300.2,H,\"H,1\"\n");

        Assert.Equal(new Ai4iRecord(2, "H,1", 'H', 300.2, 310.1, 2861, 3.8, 5, true, FailureModes.Power), Assert.Single(records));
    }

    [Fact]
    public void Load_TrainingFile_EightThousandRowsAnd271Failures()
    {
        // The data set's README: 8,000 rows, a stratified 80 % split holding 271 of the 339 failures; UTF-8 with a BOM.
        var path = Ai4iData.TrainingFile();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, File.ReadAllBytes(path)[..3]);

        var records = Ai4iCsv.Load(path);

        Assert.Equal(8000, records.Count);
        Assert.Equal(271, records.Count(r => r.MachineFailure));
        Assert.Equal(new Ai4iRecord(2, "M14860", 'M', 298.1, 308.6, 1551, 42.8, 0, false, FailureModes.None), records[0]);
    }

    [Theory]
    [InlineData("1,M1,M,298.1,308.6,1551,abc,0,0,0,0,0,0,0", "test.csv line 3, column 'Torque [Nm]': 'abc' is not a number.")]
    [InlineData("1,M1,M,298.1,308.6,1551,42.8,0,0,0,0,0,0", "test.csv line 3: 13 fields; the header has 14.")]
    [InlineData("1,M1,X,298.1,308.6,1551,42.8,0,0,0,0,0,0,0", "test.csv line 3, column 'Type': 'X' is not L, M or H.")]
    [InlineData("1,M1,M,298.1,308.6,1551,42.8,0,2,0,0,0,0,0", "test.csv line 3, column 'Machine failure': '2' is not 0 or 1.")]
    [InlineData("1,M1,M,298.1,308.6,,42.8,0,0,0,0,0,0,0", "test.csv line 3, column 'Rotational speed [rpm]': '' is not a number.")]
    [InlineData("1,M1,M,NaN,308.6,1551,42.8,0,0,0,0,0,0,0", "test.csv line 3, column 'Air temperature [K]': 'NaN' is not a number.")]
    public void Read_BadRow_ThrowsNamingLineAndColumn(string bad, string message)
    {
        var text = "UDI,Product ID,Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],Tool wear [min],Machine failure,TWF,HDF,PWF,OSF,RNF\n" +
            "1,M14860,M,298.1,308.6,1551,42.8,0,0,0,0,0,0,0\n" + bad + "\n";

        Assert.Equal(message, Assert.Throws<InvalidDataException>(() => Read(text)).Message);
    }

    [Fact]
    public void Read_NoLabelColumn_ThrowsNamingBothSpellings()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],Tool wear [min],TWF,HDF,PWF,OSF,RNF\n"));

        Assert.StartsWith("test.csv line 1: no column 'Machine failure' or 'Machine_failure' in the header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyOrHeaderOnly_Throws()
    {
        Assert.StartsWith("test.csv: empty file", Assert.Throws<InvalidDataException>(() => Read("")).Message, StringComparison.Ordinal);
        Assert.Equal("test.csv: a header and no rows.", Assert.Throws<InvalidDataException>(() =>
            Read("Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],Tool wear [min],Machine failure,TWF,HDF,PWF,OSF,RNF\n\n")).Message);
    }
}

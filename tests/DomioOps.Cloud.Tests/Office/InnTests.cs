using DomioOps.Cloud.Office.Customers;

namespace DomioOps.Cloud.Tests.Office;

/// <summary>
/// The INN checksum on numbers worked by hand. 7707083893 (a company): weights 2 4 10 3 5 9 4 6 8 give
/// 14+28+0+21+0+72+12+48+72 = 267, 267 mod 11 = 3, mod 10 = 3, the last digit. 500100732259 (a person): weights
/// 7 2 4 10 3 5 9 4 6 8 give 148, mod 11 = 5, the 11th digit; weights 3 7 2 4 10 3 5 9 4 6 8 give 141, mod 11 = 9, the 12th.
/// </summary>
public sealed class InnTests
{
    [Theory]
    [InlineData("7707083893")]
    [InlineData("500100732259")]
    public void HasValidChecksum_WorkedExamples_AreValid(string inn) => Assert.True(Inn.HasValidChecksum(inn));

    [Theory]
    [InlineData("7707083894")]   // last digit off by one
    [InlineData("7707038893")]   // two digits swapped
    [InlineData("500100732250")] // 12th digit wrong
    [InlineData("500100732269")] // 11th digit wrong
    [InlineData("77070838")]     // neither length
    public void HasValidChecksum_Mistyped_IsInvalid(string inn) => Assert.False(Inn.HasValidChecksum(inn));

    [Fact]
    public void Problem_PersonsNumberForACompany_NamesTheLength() =>
        Assert.Equal("taxId (INN) of a company has 10 digits; got 12.", Inn.Problem("500100732259", CustomerKind.Company));

    [Fact]
    public void Problem_Letters_SaysDigitsOnly() =>
        Assert.Equal("taxId (INN) must be digits only; got '77070838O3'.", Inn.Problem("77070838O3", CustomerKind.Company));

    [Fact]
    public void Problem_ValidCompanyNumber_IsNull() => Assert.Null(Inn.Problem("7707083893", CustomerKind.Company));
}

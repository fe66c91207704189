using DomioOps.Simulators.Behaviour;
using DomioOps.Simulators.Faces;

namespace DomioOps.Simulators.Tests.Faces;

public sealed class AsciiStatusLineTests
{
    [Fact]
    public void Format_Reading_IsTheDocumentedLine()
    {
        var reading = new MachineReading
        {
            Time = new DateTimeOffset(2026, 1, 5, 6, 0, 0, TimeSpan.Zero),
            State = MachineState.Working,
            Mode = MachineMode.Automatic,
            PiecesOut = 123,
            PiecesIn = 125,
            GlueTemperature = 189.62,
            GlueSetpoint = 190,
            FeedSpeed = 20,
            TrimmingUnit = 2,
            CycleTime = 22.41,
        };

        // The example line of the README; its checksum computed independently (XOR of the characters between $ and *).
        Assert.Equal("$EB ID=eb-01 T=2026-01-05T06:00:00Z ST=WORKING MD=AUTOMATIC PCS=123 IN=125 GLUE=189.6 SET=190.0 FEED=20.0 TRIM=WORKING ALM=0 CT=22.4*5B\r\n", AsciiStatusLine.Format("eb-01", reading));
    }

    [Theory]
    [InlineData("drop", FaultKind.Drop, 0, 4)]
    [InlineData("silent", FaultKind.Silent, 0, 4)]
    [InlineData("garbage", FaultKind.Garbage, 0, 4)]
    [InlineData("exception", FaultKind.Exception, 0, 4)]
    [InlineData("exception:6", FaultKind.Exception, 0, 6)]
    [InlineData("slow:250", FaultKind.Slow, 250, 4)]
    [InlineData("none", FaultKind.None, 0, 4)]
    public void MachineFault_TryParse_KnownForms(string text, FaultKind kind, int delayMs, byte code)
    {
        Assert.True(MachineFault.TryParse(text, out var fault, out _));
        Assert.Equal(new MachineFault(kind, TimeSpan.FromMilliseconds(delayMs), code), fault);
    }

    [Theory]
    [InlineData("slow")]
    [InlineData("slow:0")]
    [InlineData("exception:300")]
    [InlineData("melt")]
    public void MachineFault_TryParse_UnknownForm_SaysWhatIsAccepted(string text)
    {
        Assert.False(MachineFault.TryParse(text, out _, out var error));
        Assert.Contains("slow:milliseconds", error, StringComparison.Ordinal);
    }
}

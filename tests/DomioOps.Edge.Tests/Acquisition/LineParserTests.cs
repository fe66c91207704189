using DomioOps.Devices.Serial;
using DomioOps.Edge.Acquisition;
using DomioOps.Models.Wire;

namespace DomioOps.Edge.Tests.Acquisition;

public sealed class LineParserTests
{
    // The edgebander's status line, from simulators/DomioOps.Simulators/README.md ("ASCII status line"); 5B is its XOR.
    private const string EdgebanderLine =
        "$EB ID=eb-01 T=2026-01-05T06:00:00Z ST=WORKING MD=AUTOMATIC PCS=123 IN=125 GLUE=189.6 SET=190.0 FEED=20.0 TRIM=WORKING ALM=0 CT=22.4*5B";

    [Fact]
    public void Parse_NmeaKeyValueLine_EveryFieldWithTextMappedToNumbers()
    {
        var parser = LineDeviceDriver.Parser(Edgebander());

        var text = parser.Unframe(EdgebanderLine);
        var values = parser.Parse(text!);

        Assert.Equal([(0, 3d), (1, 1), (2, 123), (3, 125), (4, 189.6), (5, 20), (6, 2), (7, 0), (8, 22.4)], values);
    }

    [Theory]
    [InlineData("$EB ID=eb-01 PCS=124 GLUE=189.6*5B")]
    [InlineData("EB ID=eb-01 PCS=123*5B")]
    [InlineData("$EB ID=eb-01 PCS=123")]
    [InlineData("$EB ID=eb-01 PCS=123*G1")]
    [InlineData("$EB*5")]
    public void Unframe_WrongOrMissingChecksum_IsNull(string line) => Assert.Null(LineDeviceDriver.Parser(Edgebander()).Unframe(line));

    [Fact]
    public void Parse_RegexGroups_NamedNumberedAndFirst()
    {
        var parser = LineDeviceDriver.Parser(new LineDeviceOptions
        {
            Fields =
            [
                new LineFieldOptions { Signal = Signal.SpindleSpeed, Pattern = @"S(\d+) F(\d+)", Group = "2" },
                new LineFieldOptions { Signal = Signal.Power, Pattern = @"P:(?<kw>-?\d+(\.\d+)?)kW", Group = "kw" },
                new LineFieldOptions { Signal = Signal.Alarm, Pattern = @"ALARM (\w+)", Values = new() { ["NONE"] = 0, ["JAM"] = 310 } },
                new LineFieldOptions { Signal = Signal.Vibration, Pattern = @"V=(\d+)" },
            ],
        });

        Assert.Equal([(0, 1200d), (1, -3.5), (2, 310)], parser.Parse("S18000 F1200 P:-3.5kW ALARM JAM"));
        Assert.Equal([(2, 0d)], parser.Parse("ALARM NONE"));
        Assert.Empty(parser.Parse("ALARM UNKNOWN V=x"));
    }

    [Fact]
    public void Parse_PairSeparatorsAndKeyValueSeparator_AreConfigurable()
    {
        var parser = LineDeviceDriver.Parser(new LineDeviceOptions
        {
            PairSeparators = ";",
            KeyValueSeparator = ':',
            Fields = [new LineFieldOptions { Signal = Signal.GlueTemperature, Key = "glue temp" }, new LineFieldOptions { Signal = Signal.FeedSpeed, Key = "feed" }],
        });

        Assert.Equal([(0, 191.5), (1, 12)], parser.Parse("glue temp: 191.5;feed:12;x"));
    }

    private static LineDeviceOptions Edgebander() => new()
    {
        Checksum = LineChecksum.Nmea,
        Fields =
        [
            new LineFieldOptions { Signal = Signal.MachineState, Key = "ST", Values = new() { ["OFFLINE"] = 0, ["STANDBY"] = 1, ["READY"] = 2, ["WORKING"] = 3, ["ERROR"] = 4 } },
            new LineFieldOptions { Signal = Signal.MachineMode, Key = "MD", Values = new() { ["OTHER"] = 0, ["AUTOMATIC"] = 1, ["MANUAL"] = 3 } },
            new LineFieldOptions { Signal = Signal.PieceCounter, Key = "PCS" },
            new LineFieldOptions { Signal = Signal.PiecesIn, Key = "IN" },
            new LineFieldOptions { Signal = Signal.GlueTemperature, Key = "GLUE" },
            new LineFieldOptions { Signal = Signal.FeedSpeed, Key = "FEED" },
            new LineFieldOptions { Signal = Signal.TrimmingUnit, Key = "TRIM", Values = new() { ["OFF"] = 0, ["READY"] = 1, ["WORKING"] = 2, ["FAULT"] = 3 } },
            new LineFieldOptions { Signal = Signal.Alarm, Key = "ALM" },
            new LineFieldOptions { Signal = Signal.CycleTime, Key = "CT" },
        ],
    };
}

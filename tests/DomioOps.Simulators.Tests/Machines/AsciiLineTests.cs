using System.Globalization;
using System.IO.Ports;
using System.Text;

using DomioOps.Devices.Serial;

namespace DomioOps.Simulators.Tests.Machines;

/// <summary>The edgebander's ASCII status stream read from the other end of its serial line.</summary>
public sealed class AsciiLineTests(FactoryFixture factory) : IClassFixture<FactoryFixture>
{
    [Fact]
    public async Task Edgebander_AsciiLine_PrintsChecksummedStatusLines()
    {
        var ct = TestContext.Current.CancellationToken;
        using var port = new SerialPort(factory.AsciiLine, 19200, Parity.None, 8, StopBits.One) { ReadTimeout = 5000, NewLine = "\r\n" };
        port.Open();
        port.DiscardInBuffer();
        port.ReadLine(); // the first may be a partial line

        var lines = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            lines.Add(await Task.Run(port.ReadLine, ct));
        }

        foreach (var line in lines)
        {
            Assert.StartsWith("$EB ID=eb-02 T=2026-01-0", line, StringComparison.Ordinal);
            var star = line.LastIndexOf('*');
            Assert.Equal(NmeaFraming.Checksum(line.AsSpan(1, star - 1)), byte.Parse(line[(star + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            var fields = line[1..star].Split(' ').Skip(1).Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
            Assert.Equal(["ID", "T", "ST", "MD", "PCS", "IN", "GLUE", "SET", "FEED", "TRIM", "ALM", "CT"], fields.Keys);
            Assert.Contains(fields["ST"], new[] { "OFFLINE", "STANDBY", "READY", "WORKING", "ERROR" });
            Assert.Equal("190.0", fields["SET"]);
            Assert.True(Encoding.ASCII.GetByteCount(line) == line.Length);
        }
    }
}

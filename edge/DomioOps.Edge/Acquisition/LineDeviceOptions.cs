using DomioOps.Devices.Serial;
using DomioOps.Edge.Signals;

namespace DomioOps.Edge.Acquisition;

/// <summary>
/// A device that sends ASCII text lines, over TCP (<see cref="Host"/> and <see cref="Port"/>) or a serial port
/// (<see cref="SerialLineOptions.SerialPort"/>). Each line is parsed by the <see cref="Fields"/> rules: key=value pairs,
/// or regular expression groups.
/// </summary>
public sealed class LineDeviceOptions : SerialLineOptions
{
    public string Machine { get; set; } = "";

    /// <summary>With <see cref="Port"/>: the TCP server (a device or a serial-to-Ethernet converter) sending the lines.</summary>
    public string? Host { get; set; }

    public int Port { get; set; }

    /// <summary>Text sent to ask for a line, every <see cref="RequestInterval"/> (escapes \r \n \t allowed); the device talks on its own when not set.</summary>
    public string? Request { get; set; }

    public TimeSpan RequestInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>No complete line for this long marks the device failing and reopens the connection.</summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest accepted line; longer ones are dropped as garbage.</summary>
    public int MaxLineLength { get; set; } = 1024;

    /// <summary>
    /// How a line is framed and checked: None (the whole line is parsed), or Nmea (<c>$…*hh</c>: hh is the XOR of the
    /// characters between $ and *, in hex; a line whose checksum is wrong is dropped, and $ and *hh are not parsed).
    /// </summary>
    public LineChecksum Checksum { get; set; } = LineChecksum.None;

    /// <summary>Characters separating the pairs of a key=value line.</summary>
    public string PairSeparators { get; set; } = " ;,\t";

    /// <summary>The character between a key and its value.</summary>
    public char KeyValueSeparator { get; set; } = '=';

    public List<LineFieldOptions> Fields { get; set; } = [];
}

/// <summary>
/// One value taken from a line, mapped to a signal: the value of the pair named <see cref="Key"/>, or the
/// <see cref="Group"/> (first group when not set) of <see cref="Pattern"/> when it matches the line.
/// </summary>
public sealed class LineFieldOptions : TagOptions
{
    public string? Key { get; set; }

    /// <summary>A .NET regular expression matched against each line.</summary>
    public string? Pattern { get; set; }

    /// <summary>The group of <see cref="Pattern"/> holding the value: its name or number.</summary>
    public string? Group { get; set; }

    /// <summary>Text values and the numbers they stand for, e.g. RUN → 3 (the raw value before scaling).</summary>
    public Dictionary<string, double> Values { get; set; } = new(StringComparer.Ordinal);
}

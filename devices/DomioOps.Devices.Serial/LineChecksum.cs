namespace DomioOps.Devices.Serial;

/// <summary>The framing and check of an ASCII line.</summary>
public enum LineChecksum
{
    /// <summary>No framing: the whole line is its text.</summary>
    None,

    /// <summary>NMEA 0183 style: <c>$</c>, the text, <c>*</c>, the XOR of the text's characters as two hex digits (see <see cref="NmeaFraming"/>).</summary>
    Nmea,
}

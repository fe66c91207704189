using System.Diagnostics.Metrics;

using DomioOps.Devices.Modbus.Framing;

namespace DomioOps.Devices.Modbus;

/// <summary>
/// The library's meter, <see cref="MeterName"/> (System.Diagnostics.Metrics; subscribe to it with OpenTelemetry's
/// <c>AddMeter</c> or a <see cref="MeterListener"/>). Every client instrument carries <c>modbus.transport</c>
/// (<c>tcp</c>, <c>rtu</c>, <c>ascii</c>, <c>rtu+tcp</c>, <c>ascii+tcp</c>) and <c>modbus.endpoint</c>
/// (<c>host:port</c> or the serial port's name).
/// <list type="table">
/// <listheader><term>instrument</term><description>what it counts, extra tags</description></listheader>
/// <item><term><c>modbus.client.requests</c></term><description>requests sent (a retried read counts again); <c>modbus.function</c></description></item>
/// <item><term><c>modbus.client.round_trip</c></term><description>histogram, seconds from sending a request to its answer (answered requests only); <c>modbus.function</c></description></item>
/// <item><term><c>modbus.client.exceptions</c></term><description>exception responses (§7); <c>modbus.function</c>, <c>modbus.exception_code</c>, <c>modbus.unit</c></description></item>
/// <item><term><c>modbus.client.timeouts</c></term><description>requests that got no answer within the response timeout; <c>modbus.unit</c></description></item>
/// <item><term><c>modbus.client.reconnects</c></term><description>connections or lines opened again after one was lost or closed</description></item>
/// <item><term><c>modbus.client.circuit_opens</c></term><description>a serial unit's circuit breaker opened (or reopened after a failed trial); <c>modbus.unit</c></description></item>
/// <item><term><c>modbus.checksum_errors</c></term><description>frames with a wrong CRC-16 (RTU) or LRC (ASCII); <c>modbus.framing</c>, <c>modbus.role</c> (<c>client</c>: answers, with the client tags; <c>server</c>: requests, framing and role only)</description></item>
/// </list>
/// Recording costs no allocation: tag values are interned.
/// </summary>
public static class ModbusMetrics
{
    public const string MeterName = "DomioOps.Devices.Modbus";

    internal static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>("modbus.client.requests", "{request}", "Requests sent");

    internal static readonly Histogram<double> RoundTrip = Meter.CreateHistogram(
        "modbus.client.round_trip",
        "s",
        "Time from sending a request to its answer",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    internal static readonly Counter<long> Exceptions = Meter.CreateCounter<long>("modbus.client.exceptions", "{response}", "Exception responses, by exception code");

    internal static readonly Counter<long> Timeouts = Meter.CreateCounter<long>("modbus.client.timeouts", "{request}", "Requests without an answer within the response timeout");

    internal static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("modbus.client.reconnects", "{connection}", "Connections or lines opened again after one was lost");

    internal static readonly Counter<long> CircuitOpens = Meter.CreateCounter<long>("modbus.client.circuit_opens", "{circuit}", "Unit circuit breakers opened");

    internal static readonly Counter<long> ChecksumErrors = Meter.CreateCounter<long>("modbus.checksum_errors", "{frame}", "Frames with a wrong CRC or LRC");

    /// <summary>Boxed 0..255 so that byte-valued tags (function, unit, exception code) cost no allocation.</summary>
    private static readonly object[] Bytes = [.. Enumerable.Range(0, 256).Select(i => (object)i)];

    internal static object Byte(byte value) => Bytes[value];

    /// <summary>A serial server received a request with a wrong CRC or LRC.</summary>
    internal static void ServerChecksumError(ModbusSerialFraming framing) =>
        ChecksumErrors.Add(1, new("modbus.framing", Framing(framing)), new("modbus.role", "server"));

    internal static string Framing(ModbusSerialFraming framing) => framing == ModbusSerialFraming.Rtu ? "rtu" : "ascii";
}

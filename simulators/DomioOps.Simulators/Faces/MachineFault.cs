using System.Globalization;

namespace DomioOps.Simulators.Faces;

/// <summary>How a simulated machine's face misbehaves (fault injection).</summary>
public enum FaultKind
{
    None,

    /// <summary>Close connections (Modbus TCP, OPC UA); a serial face falls silent.</summary>
    Drop,

    /// <summary>Read requests and never answer; an ASCII line stops printing.</summary>
    Silent,

    /// <summary>Answer with a Modbus exception code, or an OPC UA ServiceFault (BadDeviceFailure), or an ASCII error line.</summary>
    Exception,

    /// <summary>Answer with random bytes instead of the response (or print a garbled line).</summary>
    Garbage,

    /// <summary>Answer correctly, after a delay.</summary>
    Slow,
}

/// <summary>A fault set on a machine: <c>drop</c>, <c>silent</c>, <c>exception[:code]</c>, <c>garbage</c>, <c>slow:ms</c> or <c>none</c>.</summary>
public sealed record MachineFault(FaultKind Kind, TimeSpan Delay = default, byte ExceptionCode = 4)
{
    public static MachineFault None { get; } = new(FaultKind.None);

    /// <summary>Parses the command-line and HTTP form; false with a message naming the accepted forms.</summary>
    public static bool TryParse(string text, out MachineFault fault, out string error)
    {
        fault = None;
        error = "";
        var parts = text.Trim().Split(':', 2);
        var argument = parts.Length > 1 ? parts[1] : null;
        switch (parts[0].ToLowerInvariant())
        {
            case "none" or "" when argument is null:
                return true;
            case "drop" when argument is null:
                fault = new MachineFault(FaultKind.Drop);
                return true;
            case "silent" when argument is null:
                fault = new MachineFault(FaultKind.Silent);
                return true;
            case "garbage" when argument is null:
                fault = new MachineFault(FaultKind.Garbage);
                return true;
            case "exception" when argument is null:
                fault = new MachineFault(FaultKind.Exception);
                return true;
            case "exception" when byte.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is > 0 and < 128:
                fault = new MachineFault(FaultKind.Exception, ExceptionCode: code);
                return true;
            case "slow" when int.TryParse(argument?.Replace("ms", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is > 0 and <= 600_000:
                fault = new MachineFault(FaultKind.Slow, TimeSpan.FromMilliseconds(ms));
                return true;
            default:
                error = $"'{text}' is not a fault. Use none, drop, silent, garbage, exception[:code 1-127] or slow:milliseconds (1-600000).";
                return false;
        }
    }

    public override string ToString() => Kind switch
    {
        FaultKind.Exception => $"exception:{ExceptionCode}",
        FaultKind.Slow => $"slow:{(int)Delay.TotalMilliseconds}",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

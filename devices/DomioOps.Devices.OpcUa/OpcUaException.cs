namespace DomioOps.Devices.OpcUa;

/// <summary>An OPC UA failure that carries the StatusCode the specification assigns to it.</summary>
public class OpcUaException : Exception
{
    public OpcUaException()
        : this(StatusCode.BadUnexpectedError, "OPC UA error.")
    {
    }

    public OpcUaException(string message)
        : this(StatusCode.BadUnexpectedError, message)
    {
    }

    public OpcUaException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = StatusCode.BadUnexpectedError;
    }

    public OpcUaException(StatusCode statusCode, string message, Exception? innerException = null)
        : base($"{message} ({statusCode})", innerException)
    {
        StatusCode = statusCode;
    }

    public StatusCode StatusCode { get; }
}

/// <summary>Malformed, truncated or oversized bytes on the wire (OPC 10000-6 §5, §7).</summary>
public sealed class OpcUaProtocolException : OpcUaException
{
    public OpcUaProtocolException()
        : base(StatusCode.BadDecodingError, "Malformed OPC UA message.")
    {
    }

    public OpcUaProtocolException(string message)
        : base(StatusCode.BadDecodingError, message)
    {
    }

    public OpcUaProtocolException(string message, Exception innerException)
        : base(StatusCode.BadDecodingError, message, innerException)
    {
    }

    public OpcUaProtocolException(StatusCode statusCode, string message)
        : base(statusCode, message)
    {
    }
}

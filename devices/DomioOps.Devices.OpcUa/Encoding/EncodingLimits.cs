namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>Upper bounds the decoder enforces so that a lying length field cannot make it allocate or recurse without bound.</summary>
internal sealed record EncodingLimits(
    int MaxStringLength = 16 * 1024 * 1024,
    int MaxByteStringLength = 16 * 1024 * 1024,
    int MaxArrayLength = 1024 * 1024,
    int MaxNestingDepth = 64)
{
    public static readonly EncodingLimits Default = new();
}

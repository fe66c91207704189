using System.Buffers.Binary;
using System.Text;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>
/// UA Binary decoder for the built-in types (OPC 10000-6 §5.2.2): little-endian integers, IEEE floats, Int32-length
/// prefixed strings and arrays (-1 = null). The reader works on one complete message body: reading past its end,
/// a length beyond <see cref="EncodingLimits"/> or an invalid encoding byte throws <see cref="OpcUaProtocolException"/>
/// (BadDecodingError / BadEncodingLimitsExceeded); it never reads past the span it was given.
/// </summary>
internal ref partial struct UaBinaryReader
{
    private static readonly UTF8Encoding Utf8 = new(false, true);
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly EncodingLimits _limits;
    private int _position;
    private int _depth;

    public UaBinaryReader(ReadOnlySpan<byte> buffer, EncodingLimits? limits = null)
    {
        _buffer = buffer;
        _limits = limits ?? EncodingLimits.Default;
        _position = 0;
        _depth = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly EncodingLimits Limits => _limits;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _buffer.Length - _position)
        {
            throw new OpcUaProtocolException(StatusCode.BadDecodingError, $"Message ends after {_buffer.Length} bytes; {count} more needed at offset {_position}.");
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    public bool ReadBoolean() => Take(1)[0] != 0;

    public sbyte ReadSByte() => (sbyte)Take(1)[0];

    public byte ReadByte() => Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public StatusCode ReadStatusCode() => new(ReadUInt32());

    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    /// <summary>§5.2.2.4: Int32 byte count (-1 = null) then UTF-8 without terminator.</summary>
    public string? ReadString()
    {
        var length = ReadInt32();
        if (length < 0)
        {
            return null;
        }

        if (length > _limits.MaxStringLength)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"String of {length} bytes exceeds {_limits.MaxStringLength}.");
        }

        var bytes = Take(length);
        try
        {
            return Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new OpcUaProtocolException("String is not valid UTF-8.", ex);
        }
    }

    /// <summary>§5.2.2.5: Int64 count of 100 ns intervals since 1601-01-01 UTC; 0 and below is MinValue, Int64.MaxValue is MaxValue.</summary>
    public DateTime ReadDateTime()
    {
        var ticks = ReadInt64();
        if (ticks <= 0)
        {
            return DateTime.MinValue;
        }

        if (ticks >= DateTime.MaxValue.Ticks - UaBinaryWriter.Epoch1601Ticks)
        {
            return DateTime.MaxValue;
        }

        return new DateTime(ticks + UaBinaryWriter.Epoch1601Ticks, DateTimeKind.Utc);
    }

    /// <summary>§5.2.2.6: UInt32, UInt16, UInt16, 8 bytes, i.e. the little-endian layout of <see cref="Guid"/>.</summary>
    public Guid ReadGuid() => new(Take(16));

    /// <summary>§5.2.2.7: Int32 length (-1 = null) then the bytes.</summary>
    public byte[]? ReadByteString()
    {
        var length = ReadInt32();
        if (length < 0)
        {
            return null;
        }

        if (length > _limits.MaxByteStringLength)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"ByteString of {length} bytes exceeds {_limits.MaxByteStringLength}.");
        }

        return Take(length).ToArray();
    }

    public XmlElement ReadXmlElement() => new(ReadString());

    /// <summary>An array length: -1 is null (returned as -1), above the limit or below -1 throws.</summary>
    public int ReadArrayLength()
    {
        var length = ReadInt32();
        if (length < -1)
        {
            throw new OpcUaProtocolException($"Array length {length} is invalid.");
        }

        if (length > _limits.MaxArrayLength)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"Array of {length} elements exceeds {_limits.MaxArrayLength}.");
        }

        // Every element takes at least one byte: a length beyond the bytes left is a lie, refused before allocating.
        if (length > Remaining)
        {
            throw new OpcUaProtocolException(StatusCode.BadDecodingError, $"Array of {length} elements cannot fit in {Remaining} bytes.");
        }

        return length;
    }

    /// <summary>Reads an Int32-length-prefixed array of structures (null arrays read as empty).</summary>
    public T[] ReadArray<T>(ElementReader<T> read)
    {
        var length = ReadArrayLength();
        if (length <= 0)
        {
            return [];
        }

        var array = new T[length];
        for (var i = 0; i < length; i++)
        {
            array[i] = read(ref this);
        }

        return array;
    }

    public T ReadEncodeable<T>(EncodeableDecoder decoder)
        where T : IEncodeable
    {
        Enter();
        var value = (T)decoder(ref this);
        _depth--;
        return value;
    }

    private void Enter()
    {
        if (++_depth > _limits.MaxNestingDepth)
        {
            throw new OpcUaProtocolException(StatusCode.BadEncodingLimitsExceeded, $"Nesting deeper than {_limits.MaxNestingDepth}.");
        }
    }
}

/// <summary>Reads one element of an array.</summary>
internal delegate T ElementReader<T>(ref UaBinaryReader reader);

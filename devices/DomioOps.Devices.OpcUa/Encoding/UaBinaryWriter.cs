using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DomioOps.Devices.OpcUa.Encoding;

/// <summary>
/// UA Binary encoder for the built-in types (OPC 10000-6 §5.2.2) into an <see cref="IBufferWriter{T}"/>.
/// The layouts are the mirror of <see cref="UaBinaryReader"/>; each method's comment there names its section.
/// </summary>
internal sealed partial class UaBinaryWriter
{
    /// <summary>Ticks from 0001-01-01 to 1601-01-01, the UA DateTime epoch.</summary>
    internal const long Epoch1601Ticks = 504911232000000000;

    private static readonly UTF8Encoding Utf8 = new(false, false);
    private IBufferWriter<byte> _output;

    public UaBinaryWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    /// <summary>Points the writer at another buffer so one instance can serve many messages.</summary>
    public void Reset(IBufferWriter<byte> output) => _output = output;

    public long Written { get; private set; }

    private Span<byte> Get(int count) => _output.GetSpan(count);

    private void Advance(int count)
    {
        _output.Advance(count);
        Written += count;
    }

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteSByte(sbyte value) => WriteByte((byte)value);

    public void WriteByte(byte value)
    {
        Get(1)[0] = value;
        Advance(1);
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(Get(2), value);
        Advance(2);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Get(2), value);
        Advance(2);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Get(4), value);
        Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Get(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Get(8), value);
        Advance(8);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Get(8), value);
        Advance(8);
    }

    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(Get(4), value);
        Advance(4);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Get(8), value);
        Advance(8);
    }

    public void WriteStatusCode(StatusCode value) => WriteUInt32(value.Code);

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Get(bytes.Length));
        Advance(bytes.Length);
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var count = Utf8.GetByteCount(value);
        WriteInt32(count);
        var span = Get(count);
        Utf8.GetBytes(value, span);
        Advance(count);
    }

    public void WriteDateTime(DateTime value)
    {
        if (value == DateTime.MinValue || value.ToUniversalTime().Ticks <= Epoch1601Ticks)
        {
            WriteInt64(0);
            return;
        }

        if (value == DateTime.MaxValue)
        {
            WriteInt64(long.MaxValue);
            return;
        }

        WriteInt64(value.ToUniversalTime().Ticks - Epoch1601Ticks);
    }

    public void WriteGuid(Guid value)
    {
        _ = value.TryWriteBytes(Get(16));
        Advance(16);
    }

    public void WriteByteString(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(value.Length);
        WriteRaw(value);
    }

    public void WriteByteString(byte[]? value) => WriteByteString(value, value is null);

    public void WriteXmlElement(XmlElement value) => WriteString(value.Value);

    /// <summary>Int32 length (-1 for null) then each element.</summary>
    public void WriteArray<T>(IReadOnlyList<T>? items, Action<UaBinaryWriter, T> write)
    {
        if (items is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            write(this, items[i]);
        }
    }
}

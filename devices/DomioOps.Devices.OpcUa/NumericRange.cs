using System.Globalization;

namespace DomioOps.Devices.OpcUa;

/// <summary>
/// An IndexRange of one dimension (OPC 10000-4 §7.27 NumericRange): <c>"i"</c> or <c>"first:last"</c> with first &lt; last,
/// applied to a one-dimensional array, a String (by character) or a ByteString (by byte).
/// </summary>
internal readonly record struct NumericRange(int First, int Last)
{
    /// <summary>Parses "i" or "a:b"; false for anything else (more dimensions, a ≥ b, negatives), which is BadIndexRangeInvalid.</summary>
    public static bool TryParse(string text, out NumericRange range)
    {
        range = default;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            if (!TryIndex(text, out int index))
            {
                return false;
            }

            range = new NumericRange(index, index);
            return true;
        }

        if (!TryIndex(text[..colon], out int first) || !TryIndex(text[(colon + 1)..], out int last) || last <= first)
        {
            return false;
        }

        range = new NumericRange(first, last);
        return true;
    }

    private static bool TryIndex(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>The part of a value within the range (OPC 10000-4 §7.27: a range past the end is cut at the end).</summary>
    public StatusCode TrySlice(Variant value, out Variant slice)
    {
        slice = Variant.Null;
        switch (value.Value)
        {
            case string s when !value.IsArray:
                if (First >= s.Length)
                {
                    return StatusCode.BadIndexRangeNoData;
                }

                slice = new Variant(s[First..(Math.Min(Last, s.Length - 1) + 1)]);
                return StatusCode.Good;
            case byte[] bytes when !value.IsArray:
                if (First >= bytes.Length)
                {
                    return StatusCode.BadIndexRangeNoData;
                }

                slice = new Variant(bytes[First..(Math.Min(Last, bytes.Length - 1) + 1)]);
                return StatusCode.Good;
            case Array array when value.IsArray && value.ArrayDimensions is null:
                if (First >= array.Length)
                {
                    return StatusCode.BadIndexRangeNoData;
                }

                Array part = Array.CreateInstance(array.GetType().GetElementType()!, Math.Min(Last, array.Length - 1) - First + 1);
                Array.Copy(array, First, part, 0, part.Length);
                slice = new Variant(value.Type, part, true, null);
                return StatusCode.Good;
            default:
                return StatusCode.BadIndexRangeNoData;
        }
    }

    /// <summary>
    /// The current value with the range replaced by <paramref name="patch"/>, which must have exactly the range's length
    /// and the same type (OPC 10000-4 §5.10.4); the range must lie within the current value.
    /// </summary>
    public StatusCode TryPatch(Variant current, Variant patch, out Variant patched)
    {
        patched = Variant.Null;
        int length = Last - First + 1;
        if (patch.Type != current.Type || patch.IsArray != current.IsArray)
        {
            return StatusCode.BadTypeMismatch;
        }

        switch (current.Value)
        {
            case string s when !current.IsArray && patch.Value is string p:
                if (Last >= s.Length)
                {
                    return StatusCode.BadIndexRangeNoData;
                }

                if (p.Length != length)
                {
                    return StatusCode.BadIndexRangeInvalid;
                }

                patched = new Variant(string.Concat(s.AsSpan(0, First), p, s.AsSpan(Last + 1)));
                return StatusCode.Good;
            case byte[] bytes when !current.IsArray && patch.Value is byte[] p:
                if (Last >= bytes.Length)
                {
                    return StatusCode.BadIndexRangeNoData;
                }

                if (p.Length != length)
                {
                    return StatusCode.BadIndexRangeInvalid;
                }

                byte[] copy = (byte[])bytes.Clone();
                p.CopyTo(copy, First);
                patched = new Variant(copy);
                return StatusCode.Good;
            case Array array when current.IsArray && current.ArrayDimensions is null && patch.Value is Array p:
                if (Last >= array.Length)
                {
                    return StatusCode.BadIndexRangeNoData;
                }

                if (p.Length != length)
                {
                    return StatusCode.BadIndexRangeInvalid;
                }

                Array whole = (Array)array.Clone();
                Array.Copy(p, 0, whole, First, length);
                patched = new Variant(current.Type, whole, true, null);
                return StatusCode.Good;
            default:
                return StatusCode.BadIndexRangeNoData;
        }
    }

    public override string ToString() => First == Last ? First.ToString(CultureInfo.InvariantCulture) : $"{First}:{Last}";
}

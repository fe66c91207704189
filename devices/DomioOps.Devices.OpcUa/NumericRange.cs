using System.Globalization;

namespace DomioOps.Devices.OpcUa;

/// <summary>
/// An IndexRange (OPC 10000-4 §7.27 NumericRange): one <c>"i"</c> or <c>"first:last"</c> (first &lt; last) per dimension,
/// separated by commas ("1:2,0:3"). One dimension applies to a one-dimensional array, a String (by character) or a
/// ByteString (by byte); a matrix takes one per dimension, in the order of its ArrayDimensions.
/// </summary>
internal readonly record struct NumericRange
{
    private readonly (int First, int Last)[] _dimensions;

    private NumericRange((int First, int Last)[] dimensions) => _dimensions = dimensions;

    /// <summary>The range of the first dimension.</summary>
    public int First => _dimensions[0].First;

    public int Last => _dimensions[0].Last;

    /// <summary>Parses "i", "a:b", or several of them separated by ','; false for anything else (a ≥ b, negatives, blanks), which is BadIndexRangeInvalid.</summary>
    public static bool TryParse(string text, out NumericRange range)
    {
        range = default;
        var parts = text.Split(',');
        var dimensions = new (int, int)[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseDimension(parts[i], out dimensions[i]))
            {
                return false;
            }
        }

        range = new NumericRange(dimensions);
        return true;
    }

    private static bool TryParseDimension(string text, out (int First, int Last) dimension)
    {
        dimension = default;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            if (!TryIndex(text, out var index))
            {
                return false;
            }

            dimension = (index, index);
            return true;
        }

        if (!TryIndex(text[..colon], out var first) || !TryIndex(text[(colon + 1)..], out var last) || last <= first)
        {
            return false;
        }

        dimension = (first, last);
        return true;
    }

    private static bool TryIndex(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>The part of a value within the range (OPC 10000-4 §7.27: a range past the end is cut at the end).</summary>
    public StatusCode TrySlice(Variant value, out Variant slice)
    {
        slice = Variant.Null;
        if (value.ArrayDimensions is { } shape)
        {
            return TrySliceMatrix(value, shape, out slice);
        }

        if (_dimensions.Length != 1)
        {
            // Valid syntax, but not the value's number of dimensions (OPC 10000-4 §7.27: all dimensions are specified).
            return StatusCode.BadIndexRangeNoData;
        }

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

                var part = Array.CreateInstance(array.GetType().GetElementType()!, Math.Min(Last, array.Length - 1) - First + 1);
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
        var length = Last - First + 1;
        if (patch.Type != current.Type || patch.IsArray != current.IsArray)
        {
            return StatusCode.BadTypeMismatch;
        }

        if (current.ArrayDimensions is { } shape)
        {
            return TryPatchMatrix(current, shape, patch, out patched);
        }

        if (_dimensions.Length != 1)
        {
            return StatusCode.BadIndexRangeNoData;
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

                var copy = (byte[])bytes.Clone();
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

                var whole = (Array)array.Clone();
                Array.Copy(p, 0, whole, First, length);
                patched = new Variant(current.Type, whole, true, null);
                return StatusCode.Good;
            default:
                return StatusCode.BadIndexRangeNoData;
        }
    }

    /// <summary>A block of a matrix (row-major): a lower bound past a dimension is no data, an upper bound past it is cut.</summary>
    private StatusCode TrySliceMatrix(Variant value, IReadOnlyList<int> shape, out Variant slice)
    {
        slice = Variant.Null;
        if (_dimensions.Length != shape.Count)
        {
            return StatusCode.BadIndexRangeNoData;
        }

        var counts = new int[shape.Count];
        for (var d = 0; d < shape.Count; d++)
        {
            if (_dimensions[d].First >= shape[d])
            {
                return StatusCode.BadIndexRangeNoData;
            }

            counts[d] = Math.Min(_dimensions[d].Last, shape[d] - 1) - _dimensions[d].First + 1;
        }

        var source = (Array)value.Value!;
        var part = Array.CreateInstance(source.GetType().GetElementType()!, counts.Aggregate(1, (a, b) => a * b));
        CopyBlock(shape, counts, (offset, i) => part.SetValue(source.GetValue(offset), i));
        slice = Variant.Matrix(part, counts);
        return StatusCode.Good;
    }

    /// <summary>
    /// A matrix with a block replaced: the block lies within the matrix (else no data) and the patch has exactly its
    /// element count, as a matrix of the block's dimensions or a flat array (else BadIndexRangeInvalid).
    /// </summary>
    private StatusCode TryPatchMatrix(Variant current, IReadOnlyList<int> shape, Variant patch, out Variant patched)
    {
        patched = Variant.Null;
        if (_dimensions.Length != shape.Count)
        {
            return StatusCode.BadIndexRangeNoData;
        }

        var counts = new int[shape.Count];
        for (var d = 0; d < shape.Count; d++)
        {
            if (_dimensions[d].Last >= shape[d])
            {
                return StatusCode.BadIndexRangeNoData;
            }

            counts[d] = _dimensions[d].Last - _dimensions[d].First + 1;
        }

        var values = (Array)patch.Value!;
        if (values.Length != counts.Aggregate(1, (a, b) => a * b) || (patch.ArrayDimensions is { } given && !given.SequenceEqual(counts)))
        {
            return StatusCode.BadIndexRangeInvalid;
        }

        var whole = (Array)((Array)current.Value!).Clone();
        CopyBlock(shape, counts, (offset, i) => whole.SetValue(values.GetValue(i), offset));
        patched = Variant.Matrix(whole, [.. shape]);
        return StatusCode.Good;
    }

    /// <summary>Visits the block's elements in row-major order: (flat offset in the matrix, index in the block).</summary>
    private void CopyBlock(IReadOnlyList<int> shape, int[] counts, Action<int, int> copy)
    {
        var index = new int[counts.Length];
        var total = counts.Aggregate(1, (a, b) => a * b);
        for (var i = 0; i < total; i++)
        {
            var offset = 0;
            for (var d = 0; d < shape.Count; d++)
            {
                offset = (offset * shape[d]) + _dimensions[d].First + index[d];
            }

            copy(offset, i);
            for (var d = counts.Length - 1; d >= 0 && ++index[d] == counts[d]; d--)
            {
                index[d] = 0;
            }
        }
    }

    public override string ToString() =>
        string.Join(',', _dimensions.Select(d => d.First == d.Last ? d.First.ToString(CultureInfo.InvariantCulture) : $"{d.First}:{d.Last}"));
}

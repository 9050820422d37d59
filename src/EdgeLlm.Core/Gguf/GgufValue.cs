namespace EdgeLlm.Core.Gguf;

/// <summary>One metadata value: a scalar, a string, or an array (possibly of arrays).</summary>
/// <remarks>
/// Scalars are stored widened (integers as long/ulong, floats as double) and arrays as typed .NET
/// arrays, so that accessors can convert between the integer widths a converter happened to pick.
/// </remarks>
public sealed class GgufValue
{
    private readonly object _value;

    internal GgufValue(GgufValueType type, object value, GgufValueType elementType = GgufValueType.UInt8)
    {
        Type = type;
        ElementType = elementType;
        _value = value;
    }

    public GgufValueType Type { get; }

    /// <summary>For arrays, the type of the elements.</summary>
    public GgufValueType ElementType { get; }

    public bool IsInteger => Type is GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.UInt16 or GgufValueType.Int16
        or GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.UInt64 or GgufValueType.Int64;

    public bool IsFloat => Type is GgufValueType.Float32 or GgufValueType.Float64;

    /// <summary>The value as a signed 64-bit integer; null when it is not an integer or does not fit.</summary>
    public long? AsInt64() => _value switch
    {
        long l => l,
        ulong u when u <= long.MaxValue => (long)u,
        bool b => b ? 1 : 0,
        _ => null,
    };

    public double? AsDouble() => _value switch
    {
        double d => d,
        long l => l,
        ulong u => u,
        _ => null,
    };

    public bool? AsBool() => _value is bool b ? b : null;

    public string? AsString() => _value as string;

    /// <summary>Array elements of the given .NET type (e.g. string[], float[], int[], GgufValue[] for nested arrays).</summary>
    public T[]? AsArray<T>() => _value as T[];

    /// <summary>Number of elements of an array value, 0 for scalars.</summary>
    public int ArrayLength => _value is Array a ? a.Length : 0;

    /// <summary>Integer array elements widened to long (any integer element type), or null.</summary>
    public long[]? AsInt64Array() => _value switch
    {
        long[] a => a,
        byte[] a => Array.ConvertAll(a, x => (long)x),
        sbyte[] a => Array.ConvertAll(a, x => (long)x),
        ushort[] a => Array.ConvertAll(a, x => (long)x),
        short[] a => Array.ConvertAll(a, x => (long)x),
        uint[] a => Array.ConvertAll(a, x => (long)x),
        int[] a => Array.ConvertAll(a, x => (long)x),
        ulong[] a => Array.ConvertAll(a, x => unchecked((long)x)),
        _ => null,
    };

    /// <summary>Float array elements (float32 or float64 elements), or null.</summary>
    public float[]? AsFloatArray() => _value switch
    {
        float[] a => a,
        double[] a => Array.ConvertAll(a, x => (float)x),
        _ => null,
    };

    public override string ToString() => _value switch
    {
        string s => s,
        Array a => $"[{ElementType} x {a.Length}]",
        _ => Convert.ToString(_value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace EdgeLlm.Core.Model.Ops;

/// <summary>Rotary position embedding as llama.cpp computes it, in either pairing (<see cref="RopeStyle"/>).</summary>
/// <remarks>
/// Pair i turns by pos · base^(-2i/dims) · freqScale / freqFactor[i]. The power is a running product in float, the way
/// ggml does it, because the last bits of the angle matter for logit parity at long positions. Normal style rotates
/// elements (2i, 2i+1); NeoX rotates (i, i + dims/2). Dimensions past <see cref="Dimensions"/> pass through.
/// </remarks>
public sealed class Rope
{
    private readonly int _dims;
    private readonly float _thetaScale;
    private readonly float _freqScale;
    private readonly float[]? _freqFactors;
    private readonly bool _neox;

    public Rope(RopeSettings settings)
    {
        _dims = settings.Dimensions;
        _thetaScale = MathF.Pow(settings.FreqBase, -2.0f / _dims);
        _freqScale = settings.FreqScale;
        _freqFactors = settings.FreqFactors;
        _neox = settings.Style == RopeStyle.Neox;
        if (_freqFactors is { } f && f.Length != _dims / 2)
            throw new ArgumentException($"{f.Length} frequency factors for {_dims / 2} rotary pairs", nameof(settings));
    }

    /// <summary>Rotates each head of <paramref name="heads"/> (headCount × headDim floats) in place for position <paramref name="pos"/>.</summary>
    public void Apply(Span<float> heads, int headCount, int headDim, int pos, Span<float> anglesScratch)
    {
        Angles(pos, anglesScratch);
        Rotate(heads, headCount, headDim, anglesScratch);
    }

    /// <summary>Rotary dimensions.</summary>
    public int Dimensions => _dims;

    /// <summary>Floats <see cref="Angles"/> writes per position: a cosine and a signed sine for every rotated element.</summary>
    public int AnglesLength => 2 * _dims;

    /// <summary>
    /// The rotation of position <paramref name="pos"/>, once for every head and layer of that position, laid out so that
    /// rotating is multiplies and adds with no shuffle of the angles: cos[e] then sin[e] for every rotated element e (the sine
    /// negated for the pair's first element), i.e. x'[e] = x[e]·cos[e] + x[partner(e)]·sin[e].
    /// </summary>
    public void Angles(int pos, Span<float> angles)
    {
        var cos = angles[.._dims];
        var sin = angles.Slice(_dims, _dims);
        int half = _dims / 2;
        float theta = pos;
        for (int i = 0; i < half; i++)
        {
            // As ggml: divide by the pair's factor, then scale (rope_yarn with no extrapolation mix).
            float angle = _freqFactors is { } f ? theta / f[i] : theta;
            if (_freqScale != 1f) angle *= _freqScale;
            float c = MathF.Cos(angle), s = MathF.Sin(angle);
            int a = _neox ? i : 2 * i, b = _neox ? i + half : 2 * i + 1;
            cos[a] = c; cos[b] = c;
            sin[a] = -s; sin[b] = s;
            theta *= _thetaScale;
        }
    }

    /// <summary>Rotates each head in place by angles from <see cref="Angles"/>.</summary>
    public void Rotate(Span<float> heads, int headCount, int headDim, ReadOnlySpan<float> angles) =>
        Rotate(heads, headCount, headDim, angles, Vector128.IsHardwareAccelerated);

    /// <summary>
    /// <see cref="Rotate(Span{float}, int, int, ReadOnlySpan{float})"/> with or without 128-bit vectors; both give the same
    /// bits: each element is x·cos + partner·(±sin), two rounded products and one rounded sum either way (x0·c − x1·s equals
    /// x0·c + x1·(−s) exactly).
    /// </summary>
    internal void Rotate(Span<float> heads, int headCount, int headDim, ReadOnlySpan<float> angles, bool vector)
    {
        if (angles.Length < AnglesLength || heads.Length < headCount * headDim || headDim < _dims)
            throw new ArgumentException("heads or angles too short for the rotary dimensions");
        int half = _dims / 2;
        ref float cos = ref MemoryMarshal.GetReference(angles);
        ref float sin = ref Unsafe.Add(ref cos, _dims);
        for (int h = 0; h < headCount; h++)
        {
            ref float x = ref MemoryMarshal.GetReference(heads.Slice(h * headDim, headDim));
            int e = 0;
            if (vector && _neox)
            {
                // Pairs (e, e + half): four pairs per step from the two halves, no shuffle.
                for (; e + 4 <= half; e += 4)
                {
                    Vector128<float> a = Vector128.LoadUnsafe(ref x, (nuint)e), b = Vector128.LoadUnsafe(ref x, (nuint)(e + half));
                    (a * Vector128.LoadUnsafe(ref cos, (nuint)e) + b * Vector128.LoadUnsafe(ref sin, (nuint)e)).StoreUnsafe(ref x, (nuint)e);
                    (b * Vector128.LoadUnsafe(ref cos, (nuint)(e + half)) + a * Vector128.LoadUnsafe(ref sin, (nuint)(e + half))).StoreUnsafe(ref x, (nuint)(e + half));
                }
            }
            else if (vector)
            {
                // Pairs (e, e + 1): two pairs per vector, the partner is the same vector with each pair swapped.
                for (; e + 4 <= _dims; e += 4)
                {
                    Vector128<float> v = Vector128.LoadUnsafe(ref x, (nuint)e);
                    (v * Vector128.LoadUnsafe(ref cos, (nuint)e) + SwapPairs(v) * Vector128.LoadUnsafe(ref sin, (nuint)e)).StoreUnsafe(ref x, (nuint)e);
                }
                e /= 2; // pairs done
            }
            RotateScalar(ref x, ref cos, ref sin, e, half);
        }
    }

    /// <summary>Pairs [first, half) one element at a time.</summary>
    private void RotateScalar(ref float x, ref float cos, ref float sin, int first, int half)
    {
        for (int i = first; i < half; i++)
        {
            int a = _neox ? i : 2 * i, b = _neox ? i + half : 2 * i + 1;
            float x0 = Unsafe.Add(ref x, a), x1 = Unsafe.Add(ref x, b);
            Unsafe.Add(ref x, a) = x0 * Unsafe.Add(ref cos, a) + x1 * Unsafe.Add(ref sin, a);
            Unsafe.Add(ref x, b) = x1 * Unsafe.Add(ref cos, b) + x0 * Unsafe.Add(ref sin, b);
        }
    }

    /// <summary>[x0 x1 x2 x3] → [x1 x0 x3 x2]: one rev64 on arm64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SwapPairs(Vector128<float> v) =>
        AdvSimd.IsSupported ? AdvSimd.ReverseElement32(v.AsInt64()).AsSingle() : Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2));
}

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
    public void Apply(Span<float> heads, int headCount, int headDim, int pos, Span<float> cosSinScratch)
    {
        Angles(pos, cosSinScratch);
        Rotate(heads, headCount, headDim, cosSinScratch);
    }

    /// <summary>Rotary dimensions (cos, sin interleaved) <see cref="Angles"/> writes.</summary>
    public int Dimensions => _dims;

    /// <summary>cos/sin of each pair at position <paramref name="pos"/>, to rotate every head (and layer) of that position.</summary>
    public void Angles(int pos, Span<float> cosSin)
    {
        var cs = cosSin[.._dims];
        float theta = pos;
        for (int i = 0; i < _dims; i += 2)
        {
            // As ggml: divide by the pair's factor, then scale (rope_yarn with no extrapolation mix).
            float angle = _freqFactors is { } f ? theta / f[i / 2] : theta;
            if (_freqScale != 1f) angle *= _freqScale;
            cs[i] = MathF.Cos(angle);
            cs[i + 1] = MathF.Sin(angle);
            theta *= _thetaScale;
        }
    }

    /// <summary>Rotates each head in place by angles from <see cref="Angles"/>.</summary>
    public void Rotate(Span<float> heads, int headCount, int headDim, ReadOnlySpan<float> cosSin)
    {
        var cs = cosSin[.._dims];
        int half = _dims / 2;
        for (int h = 0; h < headCount; h++)
        {
            var x = heads.Slice(h * headDim, headDim);
            for (int i = 0; i < _dims; i += 2)
            {
                // Pair i/2 is (i, i+1) in normal style and (i/2, i/2 + dims/2) in NeoX style.
                int a = _neox ? i / 2 : i, b = _neox ? i / 2 + half : i + 1;
                float x0 = x[a], x1 = x[b];
                float c = cs[i], s = cs[i + 1];
                x[a] = x0 * c - x1 * s;
                x[b] = x0 * s + x1 * c;
            }
        }
    }
}

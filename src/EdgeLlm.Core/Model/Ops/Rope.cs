namespace EdgeLlm.Core.Model.Ops;

/// <summary>Rotary position embedding in llama.cpp's "normal" pairing: adjacent elements (2i, 2i+1) rotate together.</summary>
/// <remarks>
/// The angle for pair i is pos · base^(-2i/dims). It is computed as a running product in float, the way
/// ggml does it, because the last bits of the angle matter for logit parity at long positions.
/// </remarks>
public sealed class Rope
{
    private readonly int _dims;
    private readonly float _thetaScale;

    public Rope(int rotaryDims, float freqBase)
    {
        _dims = rotaryDims;
        _thetaScale = MathF.Pow(freqBase, -2.0f / rotaryDims);
    }

    /// <summary>Rotates each head of <paramref name="heads"/> (headCount × headDim floats) in place for position <paramref name="pos"/>.</summary>
    public void Apply(Span<float> heads, int headCount, int headDim, int pos, Span<float> cosSinScratch)
    {
        Angles(pos, cosSinScratch);
        Rotate(heads, headCount, headDim, cosSinScratch);
    }

    /// <summary>Rotary dimensions (cos, sin interleaved) <see cref="Angles"/> writes.</summary>
    public int Dimensions => _dims;

    /// <summary>cos/sin pairs of position <paramref name="pos"/>, to rotate every head (and layer) of that position.</summary>
    public void Angles(int pos, Span<float> cosSin)
    {
        var cs = cosSin[.._dims];
        float theta = pos;
        for (int i = 0; i < _dims; i += 2)
        {
            cs[i] = MathF.Cos(theta);
            cs[i + 1] = MathF.Sin(theta);
            theta *= _thetaScale;
        }
    }

    /// <summary>Rotates each head in place by angles from <see cref="Angles"/>.</summary>
    public void Rotate(Span<float> heads, int headCount, int headDim, ReadOnlySpan<float> cosSin)
    {
        var cs = cosSin[.._dims];
        for (int h = 0; h < headCount; h++)
        {
            var x = heads.Slice(h * headDim, headDim);
            for (int i = 0; i < _dims; i += 2)
            {
                float x0 = x[i], x1 = x[i + 1];
                float c = cs[i], s = cs[i + 1];
                x[i] = x0 * c - x1 * s;
                x[i + 1] = x0 * s + x1 * c;
            }
        }
    }
}

using System.Runtime.InteropServices;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Tests.Model;

/// <summary>
/// A plain forward pass in double precision over an all-F32 GGUF file, written from the published math of each block
/// variant, independent of the engine's code: the reference for architectures llama.cpp gave us no logits for (phi3),
/// and a second opinion on the others. One token at a time, no batching, no SIMD, no KV rounding.
/// </summary>
internal sealed class ScalarReferenceForward
{
    private readonly GgufFile _file;
    private readonly string _arch;
    private readonly int _embd, _layers, _heads, _kvHeads, _headDim, _ff, _rot, _window, _vocab;
    private readonly double _eps, _base;
    private readonly float[]? _freqFactors;
    private readonly bool _neox;
    private readonly List<double[]>[] _keys, _values;

    public ScalarReferenceForward(GgufFile file)
    {
        _file = file;
        _arch = file.GetString("general.architecture");
        long Int(string k, long fallback) => file.TryGetInteger($"{_arch}.{k}", out long v) ? v : fallback;
        _embd = (int)Int("embedding_length", 0);
        _layers = (int)Int("block_count", 0);
        _heads = (int)Int("attention.head_count", 0);
        _kvHeads = (int)Int("attention.head_count_kv", _heads);
        _headDim = (int)Int("attention.key_length", _embd / _heads);
        _ff = (int)Int("feed_forward_length", 0);
        _rot = (int)Int("rope.dimension_count", _headDim);
        _window = (int)Int("attention.sliding_window", 0);
        _eps = file.GetFloat32($"{_arch}.attention.layer_norm_rms_epsilon", 1e-5f);
        _base = file.GetFloat32($"{_arch}.rope.freq_base", 10000f);
        _freqFactors = file.FindTensor("rope_freqs.weight") is { } f ? Floats(f.Name) : null;
        _neox = _arch is "qwen2" or "qwen3" or "phi3";
        _vocab = (int)file.GetTensor("token_embd.weight").Dimensions[1];
        _keys = new List<double[]>[_layers];
        _values = new List<double[]>[_layers];
        for (int l = 0; l < _layers; l++) { _keys[l] = []; _values[l] = []; }
    }

    /// <summary>Feeds the next token and returns the logits after it.</summary>
    public double[] Next(int token)
    {
        int pos = _keys[0].Count;
        var x = Row("token_embd.weight", token, _embd);
        for (int l = 0; l < _layers; l++)
        {
            string b = $"blk.{l}.";
            var h = RmsNorm(x, Floats(b + "attn_norm.weight"));
            double[] q, k, v;
            int qDim = _heads * _headDim, kvDim = _kvHeads * _headDim;
            if (_file.FindTensor(b + "attn_qkv.weight") is not null)
            {
                var qkv = MatVec(b + "attn_qkv.weight", h);
                q = qkv[..qDim]; k = qkv[qDim..(qDim + kvDim)]; v = qkv[(qDim + kvDim)..];
            }
            else
            {
                q = MatVec(b + "attn_q.weight", h); k = MatVec(b + "attn_k.weight", h); v = MatVec(b + "attn_v.weight", h);
            }
            AddBias(q, b + "attn_q.bias"); AddBias(k, b + "attn_k.bias"); AddBias(v, b + "attn_v.bias");
            if (_file.FindTensor(b + "attn_q_norm.weight") is not null)
            {
                HeadNorm(q, Floats(b + "attn_q_norm.weight"));
                HeadNorm(k, Floats(b + "attn_k_norm.weight"));
            }
            Rotate(q, pos); Rotate(k, pos);
            _keys[l].Add(k); _values[l].Add(v);

            var attn = new double[qDim];
            int first = _window > 0 ? Math.Max(0, pos + 1 - _window) : 0;
            for (int head = 0; head < _heads; head++)
            {
                int kvHead = head / (_heads / _kvHeads);
                var scores = new double[pos + 1 - first];
                for (int p = first; p <= pos; p++)
                {
                    double dot = 0;
                    for (int d = 0; d < _headDim; d++) dot += q[head * _headDim + d] * _keys[l][p][kvHead * _headDim + d];
                    scores[p - first] = dot / Math.Sqrt(_headDim);
                }
                double max = scores.Max(), sum = 0;
                for (int i = 0; i < scores.Length; i++) { scores[i] = Math.Exp(scores[i] - max); sum += scores[i]; }
                for (int p = first; p <= pos; p++)
                    for (int d = 0; d < _headDim; d++)
                        attn[head * _headDim + d] += scores[p - first] / sum * _values[l][p][kvHead * _headDim + d];
            }
            Add(x, MatVec(b + "attn_output.weight", attn));

            h = RmsNorm(x, Floats(b + "ffn_norm.weight"));
            double[] gate, up;
            if (_file.FindTensor(b + "ffn_gate.weight") is null)
            {
                var gateUp = MatVec(b + "ffn_up.weight", h); // Phi-3: gate rows first, then up
                gate = gateUp[.._ff]; up = gateUp[_ff..];
            }
            else
            {
                gate = MatVec(b + "ffn_gate.weight", h); up = MatVec(b + "ffn_up.weight", h);
            }
            for (int i = 0; i < _ff; i++) gate[i] = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
            Add(x, MatVec(b + "ffn_down.weight", gate));
        }
        var final = RmsNorm(x, Floats("output_norm.weight"));
        return MatVec(_file.FindTensor("output.weight") is null ? "token_embd.weight" : "output.weight", final);
    }

    public int VocabSize => _vocab;

    private void Rotate(double[] vec, int pos)
    {
        for (int h = 0; h < vec.Length / _headDim; h++)
            for (int i = 0; i < _rot / 2; i++)
            {
                double theta = pos * Math.Pow(_base, -2.0 * i / _rot) / (_freqFactors?[i] ?? 1.0);
                int a = h * _headDim + (_neox ? i : 2 * i), b = h * _headDim + (_neox ? i + _rot / 2 : 2 * i + 1);
                double x0 = vec[a], x1 = vec[b];
                vec[a] = x0 * Math.Cos(theta) - x1 * Math.Sin(theta);
                vec[b] = x0 * Math.Sin(theta) + x1 * Math.Cos(theta);
            }
    }

    private double[] RmsNorm(double[] x, float[] w)
    {
        double ss = x.Sum(v => v * v) / x.Length, scale = 1 / Math.Sqrt(ss + _eps);
        return x.Select((v, i) => v * scale * w[i]).ToArray();
    }

    private void HeadNorm(double[] vec, float[] w)
    {
        for (int h = 0; h < vec.Length / _headDim; h++)
        {
            var normed = RmsNorm(vec[(h * _headDim)..((h + 1) * _headDim)], w);
            normed.CopyTo(vec, h * _headDim);
        }
    }

    private void AddBias(double[] x, string name)
    {
        if (_file.FindTensor(name) is null) return;
        var b = Floats(name);
        for (int i = 0; i < x.Length; i++) x[i] += b[i];
    }

    private static void Add(double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) x[i] += y[i];
    }

    private double[] MatVec(string name, double[] input)
    {
        var t = _file.GetTensor(name);
        int cols = (int)t.Dimensions[0], rows = (int)t.Dimensions[1];
        var w = MemoryMarshal.Cast<byte, float>(_file.TensorBytes(t));
        var result = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += w[r * cols + c] * input[c];
            result[r] = sum;
        }
        return result;
    }

    private double[] Row(string name, int row, int width)
    {
        var w = MemoryMarshal.Cast<byte, float>(_file.TensorBytes(_file.GetTensor(name)));
        return w.Slice(row * width, width).ToArray().Select(v => (double)v).ToArray();
    }

    private float[] Floats(string name) => MemoryMarshal.Cast<byte, float>(_file.TensorBytes(_file.GetTensor(name))).ToArray();
}

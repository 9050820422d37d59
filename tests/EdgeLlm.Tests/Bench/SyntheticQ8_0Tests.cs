using EdgeLlm.Bench;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Tests.Bench;

/// <summary>
/// Synthetic Q8_0 files (the <c>1b-q8_0</c> preset's type): valid blocks as llama-quantize writes them (finite scales,
/// quants within ±127), Q8_0 throughout including the output matrix, and a model that loads and runs.
/// </summary>
public sealed class SyntheticQ8_0Tests
{
    [Fact]
    public void A_q8_0_file_has_valid_blocks_and_runs()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgellm-synth-q8-{Guid.NewGuid():N}.gguf");
        try
        {
            using (var stream = File.Create(path))
                SyntheticModel.Write(new SyntheticPreset("t", "llama", 300, 64, 2, 4, 2, 96, GgmlType.Q8_0, 7), stream, seed: 3);
            using var file = GgufFile.Open(path);
            Assert.Equal(GgmlType.Q8_0, file.FindTensor("output.weight")!.Type);
            Assert.Equal(GgmlType.Q8_0, file.FindTensor("token_embd.weight")!.Type);
            foreach (var tensor in file.Tensors.Where(t => t.Type == GgmlType.Q8_0))
            {
                var bytes = file.TensorBytes(tensor);
                for (int b = 0; b < bytes.Length; b += 34)
                {
                    float d = Fp16.ToSingle(BitConverter.ToUInt16(bytes.Slice(b, 2)));
                    Assert.True(float.IsFinite(d) && d > 0, $"{tensor.Name}: block {b / 34} scale {d}");
                    for (int i = 2; i < 34; i++) Assert.NotEqual(0x80, bytes[b + i]);
                }
            }
            using var model = TransformerModel.Load(file, new ModelOptions { ContextLength = 16, Threads = 1, MaxBatch = 4 });
            var logits = new float[model.Config.VocabSize];
            model.Forward([1, 17, 250, 33], 0, logits);
            Assert.All(logits, v => Assert.True(float.IsFinite(v)));
            Assert.True(logits.Max() - logits.Min() > 1e-3f, "the logits are degenerate");
        }
        finally { File.Delete(path); }
    }
}

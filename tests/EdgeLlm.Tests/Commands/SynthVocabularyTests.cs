using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Tests.Commands;

/// <summary><c>edgellm synth --vocab</c>: a llama-architecture random model with another file's tokenizer (large-vocabulary benchmarks).</summary>
[Collection("console")]
public sealed class SynthVocabularyTests
{
    [Fact]
    public void Synthetic_model_takes_the_vocabulary_of_another_file_and_answers_under_a_grammar()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgellm-synth-{Guid.NewGuid():N}.gguf");
        try
        {
            var (exit, _, stderr) = Cli.Run("synth", "--preset", "tiny-q4_0", "--vocab", Fixtures.Tokenizer("ggml-vocab-gpt-2.gguf"), "--out", path);
            Assert.True(exit == 0, stderr);
            using (var file = GgufFile.Open(path))
            using (var vocab = GgufFile.Open(Fixtures.Tokenizer("ggml-vocab-gpt-2.gguf")))
            {
                var tokenizer = Tokenizer.FromGguf(file);
                Assert.Equal("gpt2", tokenizer.ModelType);
                Assert.Equal(Tokenizer.FromGguf(vocab).VocabSize, tokenizer.VocabSize);
                Assert.Equal((long)tokenizer.VocabSize, file.Find("llama.vocab_size")!.AsInt64());
            }
            string stdout;
            (exit, stdout, stderr) = Cli.Run("run", "--model", path, "--prompt", "x", "--template", "raw", "--temp", "1", "--seed", "3",
                "--format", "json", "--max-tokens", "16", "--threads", "1");
            Assert.True(exit == 0, stderr);
            Assert.NotEqual("", stdout.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }
}

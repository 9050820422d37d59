using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Model.Ops;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Commands;

/// <summary>The token ids of an eval run, printed as JSON.</summary>
public sealed record EvalOutput(
    [property: JsonPropertyName("prompt_tokens")] int[] PromptTokens,
    [property: JsonPropertyName("greedy_tokens")] int[] GreedyTokens);

/// <summary>
/// <c>edgellm eval --model M --prompt-file F --n-gen N --dump-logits OUT.f32 [--kv-type f16|f32] [--json]</c>:
/// the parity harness. Tokenizes with BOS, decodes the prompt as one batch, then N greedy tokens one at a
/// time, and writes the float32 logits of every position (prompt, then generated) like llama.cpp's references.
/// </summary>
internal static class EvalCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "json" }, CliAliases.Eval);
        var modelArgs = ModelArgs.Read(a);
        string promptPath = a.Require("prompt-file");
        int nGen = a.GetInt("n-gen", 16, 0, 1 << 16);
        int batch = a.GetInt("batch", new ModelOptions().MaxBatch, 1, 4096);
        string? dump = a.Get("dump-logits");
        bool json = a.Flag("json");
        a.RejectUnknown();

        string prompt = InputFiles.ReadUtf8(promptPath);
        using var file = modelArgs.Open();
        var tokenizer = Tokenizer.FromGguf(file);
        int[] promptTokens = tokenizer.Encode(prompt, addBos: tokenizer.BosId >= 0, parseSpecial: false);
        if (promptTokens.Length == 0) throw new CliException("the prompt is empty");
        int context = modelArgs.ContextLength > 0 ? modelArgs.ContextLength : Math.Max(promptTokens.Length + nGen, 1);
        if (promptTokens.Length + nGen > context)
            throw new CliException($"the prompt ({promptTokens.Length} tokens) plus --n-gen {nGen} exceed the context of {context} tokens");

        using var model = TransformerModel.Load(file, modelArgs.ToOptions(context) with { MaxBatch = batch });
        int vocab = model.Config.VocabSize;
        using var output = dump is null ? null : OpenDump(dump);

        // Every prompt row only when they are dumped: the output matrix over a long prompt costs as much as its layers
        // on a small-vocabulary shape, and instruction counts (tests/arm/count-insns.sh) must see what llama.cpp does.
        bool allRows = output is not null;
        var logits = new float[(allRows ? promptTokens.Length : 1) * vocab];
        model.Forward(promptTokens, 0, logits, allLogits: allRows);
        WriteRows(output, logits);

        var greedy = new int[nGen];
        var last = logits.AsSpan(logits.Length - vocab, vocab).ToArray();
        for (int i = 0; i < nGen; i++)
        {
            greedy[i] = VectorMath.ArgMax(last);
            model.Forward([greedy[i]], promptTokens.Length + i, last);
            WriteRows(output, last);
        }

        var result = new EvalOutput(promptTokens, greedy);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Default.EvalOutput));
        }
        else
        {
            Console.WriteLine($"prompt tokens ({promptTokens.Length}): {string.Join(' ', promptTokens)}");
            Console.WriteLine($"greedy tokens ({nGen}): {string.Join(' ', greedy)}");
            Console.WriteLine($"text: {tokenizer.Decode(greedy, stripLeadingSpace: false)}");
            if (dump is not null) Console.WriteLine($"logits: {promptTokens.Length + nGen} rows x {vocab} floats -> {dump}");
        }
        return 0;
    }

    private static FileStream OpenDump(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"cannot write '{path}': {e.Message}");
        }
    }

    private static void WriteRows(FileStream? output, ReadOnlySpan<float> rows)
    {
        if (output is null) return;
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("logits dumps are little-endian");
        output.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(rows));
    }
}

using System.Text;
using EdgeLlm.Core.Prompts;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Generation;

/// <summary>Turns a rendered chat prompt into token ids.</summary>
/// <remarks>
/// Control tokens are recognised only inside template segments. Text runs between control tokens are
/// tokenized as one piece even when they span template and user text, which is what llama.cpp does with
/// the same string, so token ids (and the SentencePiece space prefix after each control token) match it.
/// </remarks>
public static class PromptEncoder
{
    /// <param name="maxTokens">
    /// A token budget: once the ids are more than this, encoding stops after the word that crossed it and the ids so far
    /// are returned (more than <paramref name="maxTokens"/> of them, fewer than the whole prompt's). The default has none.
    /// </param>
    public static int[] Encode(Tokenizer tokenizer, RenderedPrompt prompt, bool addBos, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompt);
        var output = new List<int>();
        if (addBos && tokenizer.BosId >= 0) output.Add(tokenizer.BosId);
        var run = new StringBuilder();

        void FlushRun()
        {
            if (run.Length == 0 || output.Count > maxTokens) return;
            tokenizer.Encode(run.ToString(), output, addBos: false, parseSpecial: false, maxTokens);
            run.Clear();
        }

        foreach (var segment in prompt.Segments)
        {
            if (!segment.IsTemplate)
            {
                run.Append(segment.Text);
                continue;
            }
            foreach (var fragment in SpecialTokenSplitter.Split(tokenizer.Vocabulary, segment.Text, parseSpecial: true))
            {
                if (fragment.IsText)
                {
                    run.Append(segment.Text, fragment.Start, fragment.Length);
                }
                else
                {
                    FlushRun();
                    if (output.Count > maxTokens) return [.. output];
                    output.Add(fragment.TokenId);
                }
            }
        }
        FlushRun();
        return [.. output];
    }
}

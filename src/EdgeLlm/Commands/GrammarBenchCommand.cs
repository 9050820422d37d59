using EdgeLlm.Bench;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Sampling.Grammar;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm bench --grammar json|FILE.gbnf (--model F [--threads N] | --vocab F) [--tg 128] [--reps 3]</c>: generation speed
/// with and without a grammar on a model, or the sampler's added time per token on a vocabulary file with random logits.
/// </summary>
internal static class GrammarBenchCommand
{
    public static int Run(ArgReader a)
    {
        string grammar = a.Require("grammar");
        string? model = a.Get("model");
        string? vocab = a.Get("vocab");
        int threads = a.GetThreads();
        int tg = a.GetInt("tg", 128, 1, 4096);
        int reps = a.GetInt("reps", 3, 1, 100);
        a.RejectUnknown();
        if ((model is null) == (vocab is null)) throw new CliException("bench --grammar needs exactly one of --model F and --vocab F");

        OutputConstraint constraint;
        try
        {
            constraint = grammar == "json" ? OutputConstraint.Json : OutputConstraint.FromGbnf(InputFiles.ReadUtf8(grammar));
        }
        catch (GrammarException e)
        {
            throw new CliException($"{grammar}: {e.Message}");
        }
        if (model is not null) GrammarBench.RunModel(model, threads, tg, reps, constraint, Console.WriteLine);
        else GrammarBench.RunVocabulary(vocab!, tg, reps, constraint, Console.WriteLine);
        return 0;
    }
}

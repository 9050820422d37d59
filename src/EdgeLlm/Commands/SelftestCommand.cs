using System.Diagnostics;
using System.Runtime.InteropServices;
using EdgeLlm.Core.Diagnostics;
using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Commands;

/// <summary><c>edgellm selftest [--fixtures DIR]</c>: reports the CPU features in use and runs every built-in check.</summary>
/// <remarks>Meant to be run on the target device (or under qemu) to prove the SIMD paths it picked are correct there.</remarks>
internal static class SelftestCommand
{
    public static int Run(string[] args) => Run(args, FixturePaths.Find);

    /// <param name="findFixtures">Finds the fixtures from the --fixtures value (null: search); tests pass a finder.</param>
    internal static int Run(string[] args, Func<string?, string?> findFixtures)
    {
        var a = new ArgReader(args, new HashSet<string>());
        string? fixturesOption = a.Get("fixtures");
        a.RejectUnknown();
        bool fixturesAsked = fixturesOption is not null || Environment.GetEnvironmentVariable("EDGELLM_FIXTURES") is { Length: > 0 };

        Console.WriteLine($"runtime:      {RuntimeInformation.FrameworkDescription} ({(Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? "JIT" : "NativeAOT")})");
        Console.WriteLine($"os/arch:      {RuntimeInformation.OSDescription} / {RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"cpu features: {CpuFeatures.Describe()}");
        Console.WriteLine($"kernels:      {CpuFeatures.KernelIsa}");

        string? fixtures = findFixtures(fixturesOption);
        var checks = new List<(string Name, Action Check)>();
        checks.AddRange(KernelParity.Checks());
        checks.AddRange(FixtureChecks(fixtures));
        checks.AddRange(ReferenceChecks(fixtures));

        int failed = 0;
        foreach (var (name, check) in checks)
        {
            var sw = Stopwatch.StartNew();
            try
            {
                check();
                Console.WriteLine($"  ok    {name} ({sw.ElapsedMilliseconds} ms)");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"  FAIL  {name}: {e.Message}");
            }
        }

        // On a Pi with only the binary there are no fixtures: their checks are not run, which is no failure. Fixtures
        // asked for by name and missing are.
        bool missingAsked = fixtures is null && fixturesAsked;
        if (missingAsked)
        {
            failed++;
            Console.WriteLine($"  FAIL  fixtures: {fixturesOption ?? Environment.GetEnvironmentVariable("EDGELLM_FIXTURES")} not found");
        }
        else if (fixtures is null)
        {
            Console.WriteLine("  skip  fixture and llama.cpp parity checks: not run (no shared/fixtures found; give --fixtures DIR or EDGELLM_FIXTURES)");
        }
        Console.WriteLine($"selftest: {checks.Count + (missingAsked ? 1 : 0) - failed} passed, {failed} failed{(fixtures is null && !missingAsked ? ", fixture checks not run" : "")}");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// Logits of every fixture model against llama.cpp's, on this CPU's kernels; models with interleavable matrices again
    /// with the interleaved weight cache (built in a temporary directory), when this CPU has those kernels.
    /// </summary>
    private static IEnumerable<(string, Action)> ReferenceChecks(string? fixtures)
    {
        if (fixtures is null) yield break;
        string refs = Path.Combine(fixtures, "refs");
        foreach (string name in ReferenceCase.Names(refs))
        {
            var (reference, error) = TryLoad(refs, name);
            if (reference is null)
            {
                yield return ($"logits parity {name}", () => throw new InvalidDataException(error));
                continue;
            }
            string model = Path.Combine(fixtures, "models", reference.ModelFile);
            yield return ($"logits parity {name}", () => Check(reference, model, null));
            if (Core.Tensors.InterleavedDot.Supported(Core.Tensors.GgmlType.Q4_0) && (model.Contains("q4_0") || model.Contains("q4_k")))
                yield return ($"logits parity {name}, interleaved weights", () =>
                {
                    string dir = Path.Combine(Path.GetTempPath(), $"edgellm-selftest-{Environment.ProcessId}-{Guid.NewGuid():N}");
                    try { Check(reference, model, dir); }
                    finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
                });
        }

        static (ReferenceCase?, string?) TryLoad(string refs, string name)
        {
            try { return (ReferenceCase.Load(refs, name), null); }
            catch (Exception e) { return (null, $"reference {name} cannot be read: {e.Message}"); } // reported as a failed check
        }

        static void Check(ReferenceCase reference, string model, string? cacheDirectory)
        {
            var result = LogitsParity.Check(reference, model, WorkerPool.DefaultThreadCount, cacheDirectory);
            if (!result.Passed) throw new InvalidOperationException(result.ToString());
            if (cacheDirectory != null && (!Directory.Exists(cacheDirectory) || Directory.GetFiles(cacheDirectory, "*.interleaved").Length != 1))
                throw new InvalidOperationException("no interleaved weight cache was built");
        }
    }

    private static IEnumerable<(string, Action)> FixtureChecks(string? fixtures)
    {
        if (fixtures is null) yield break;
        foreach (string model in Directory.GetFiles(Path.Combine(fixtures, "models"), "*.gguf").Order(StringComparer.Ordinal))
        {
            yield return ($"open and validate {Path.GetFileName(model)}", () =>
            {
                using var file = GgufFile.Open(model);
                if (file.Tensors.Count == 0) throw new InvalidOperationException("no tensors");
                var summary = ModelFileSummary.From(file);
                if (summary.TensorBytes > file.FileLength) throw new InvalidOperationException("tensor bytes exceed file size");
            });
        }
        // The prompt cache's warm results against cold ones on this CPU's kernels (PromptCacheExactness). The two
        // 15M-parameter F16 fixtures run the same kernels as the smaller F16 ones and take minutes under qemu; the
        // unit tests check them on x64.
        string[] slowTwins = ["tiny-f16.gguf", "tiny-tied-f16.gguf"];
        foreach (string model in Directory.GetFiles(Path.Combine(fixtures, "models"), "*.gguf").Order(StringComparer.Ordinal))
        {
            if (slowTwins.Contains(Path.GetFileName(model))) continue;
            yield return ($"prompt cache exact {Path.GetFileName(model)}", () => PromptCacheExactness.Check(model, WorkerPool.DefaultThreadCount, null));
            if (Core.Tensors.InterleavedDot.Supported(Core.Tensors.GgmlType.Q4_0) && (model.Contains("q4_0") || model.Contains("q4_k")))
                yield return ($"prompt cache exact {Path.GetFileName(model)}, interleaved weights", () =>
                {
                    string dir = Path.Combine(Path.GetTempPath(), $"edgellm-selftest-{Environment.ProcessId}-{Guid.NewGuid():N}");
                    try { PromptCacheExactness.Check(model, WorkerPool.DefaultThreadCount, dir); }
                    finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
                });
        }
    }
}

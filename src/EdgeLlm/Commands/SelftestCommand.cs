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
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string>());
        string? fixturesOption = a.Get("fixtures");
        a.RejectUnknown();

        Console.WriteLine($"runtime:      {RuntimeInformation.FrameworkDescription} ({(Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? "JIT" : "NativeAOT")})");
        Console.WriteLine($"os/arch:      {RuntimeInformation.OSDescription} / {RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"cpu features: {CpuFeatures.Describe()}");
        Console.WriteLine($"kernels:      {CpuFeatures.KernelIsa}");

        string? fixtures = FixturePaths.Find(fixturesOption);
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

        if (fixtures is null)
        {
            failed++;
            Console.WriteLine("  FAIL  fixtures: shared/fixtures not found (use --fixtures DIR or EDGELLM_FIXTURES)");
        }
        Console.WriteLine($"selftest: {checks.Count + (fixtures is null ? 1 : 0) - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Logits of every fixture model against llama.cpp's, on this CPU's kernels.</summary>
    private static IEnumerable<(string, Action)> ReferenceChecks(string? fixtures)
    {
        if (fixtures is null) yield break;
        string refs = Path.Combine(fixtures, "refs");
        foreach (string name in ReferenceCase.Names(refs))
        {
            yield return ($"logits parity {name}", () =>
            {
                var reference = ReferenceCase.Load(refs, name);
                var result = LogitsParity.Check(reference, Path.Combine(fixtures, "models", reference.ModelFile), WorkerPool.DefaultThreadCount);
                if (!result.Passed) throw new InvalidOperationException(result.ToString());
            });
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
    }
}

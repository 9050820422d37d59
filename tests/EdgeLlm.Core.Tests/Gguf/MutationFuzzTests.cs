using System.Diagnostics;
using EdgeLlm.Core.Gguf;

namespace EdgeLlm.Core.Tests.Gguf;

/// <summary>Randomised mutations of valid files: the parser either accepts or throws GgufException, fast, every time.</summary>
public class MutationFuzzTests
{
    [Theory]
    [InlineData("synthetic", 6000)]
    [InlineData("stories260K.gguf", 3000)]
    public void Mutated_files_never_crash_or_hang(string source, int mutations)
    {
        byte[] original = source == "synthetic"
            ? GgufTestFile.Minimal().Build()
            : File.ReadAllBytes(Fixtures.Model(source));
        // Mutate the header region (metadata and tensor infos), where all parsing decisions are made.
        int headerBytes = (int)Math.Min(original.Length, GgufTestFile.Parse(original).DataOffset);
        var rng = new Random(20261128);
        var total = Stopwatch.StartNew();
        int accepted = 0, rejected = 0;
        for (int i = 0; i < mutations; i++)
        {
            byte[] mutated = Mutate(original, headerBytes, rng);
            var one = Stopwatch.StartNew();
            try
            {
                GgufTestFile.Parse(mutated);
                accepted++;
            }
            catch (GgufException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                rejected++;
            }
            Assert.True(one.ElapsedMilliseconds < 2000, $"mutation {i} took {one.ElapsedMilliseconds} ms");
        }
        Assert.True(rejected > mutations / 10, $"only {rejected} of {mutations} mutations were rejected: the mutator is too gentle");
        Assert.True(total.Elapsed < TimeSpan.FromSeconds(60));
    }

    private static byte[] Mutate(byte[] original, int headerBytes, Random rng)
    {
        byte[] m = (byte[])original.Clone();
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = rng.Next(headerBytes);
            switch (rng.Next(6))
            {
                case 0: m[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: m[at] = (byte)rng.Next(256); break;
                case 2: m[at] = 0xFF; break;
                case 3: // plant a plausible-but-wrong 64-bit length or count
                    if (at + 8 <= m.Length) BitConverter.TryWriteBytes(m.AsSpan(at), (ulong)rng.NextInt64(0, long.MaxValue) >> rng.Next(64));
                    break;
                case 4: // plant a small 32-bit type/dimension value
                    if (at + 4 <= m.Length) BitConverter.TryWriteBytes(m.AsSpan(at), (uint)rng.Next(40));
                    break;
                default: // truncate
                    return m[..at];
            }
        }
        return m;
    }
}

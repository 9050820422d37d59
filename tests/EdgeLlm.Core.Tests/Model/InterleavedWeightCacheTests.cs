using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Model;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Model;

/// <summary>The interleaved weight cache file: built once, reused, rebuilt when stale, and never in the way when unusable.</summary>
public sealed unsafe class InterleavedWeightCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgellm-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static bool Supported => InterleavedDot.Supported(GgmlType.Q4_0);

    private static TransformerModel Load(GgufFile file, string dir, List<string>? log = null) =>
        TransformerModel.Load(file, new ModelOptions { ContextLength = 16, Threads = 1, InterleavedCacheDirectory = dir, Log = log == null ? null : log.Add });

    [Fact]
    public void Built_once_then_reused_and_holds_the_interleaved_rows()
    {
        if (!Supported) return; // this CPU has no interleaved kernel: the cache is never built (checked below)
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        var log = new List<string>();
        using (var model = Load(file, _dir, log))
        {
            Assert.Contains(log, l => l.StartsWith("interleaving "));
            var q4 = model.Weights.Matrices.Where(m => m.Type == GgmlType.Q4_0 && m.Rows % 8 == 0).ToList();
            Assert.NotEmpty(q4);
            Assert.All(q4, m => Assert.True(m.IsInterleaved, m.Name));
            var w = q4[0];
            var expected = new byte[InterleavedDot.GroupBytes(w.Type, w.Columns)];
            InterleavedDot.Interleave(w.Type, w.RowSpan(8, 8), w.Columns, expected);
            Assert.Equal(expected, w.GroupSpan(1, 1).ToArray());
        }
        string path = Directory.GetFiles(_dir).Single();
        var written = File.GetLastWriteTimeUtc(path);
        log.Clear();
        using (var again = Load(file, _dir, log))
        {
            Assert.Empty(log);
            Assert.Contains(again.Weights.Matrices, m => m.IsInterleaved);
        }
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("entry")]
    [InlineData("truncated")]
    public void A_damaged_or_stale_file_is_rebuilt(string damage)
    {
        if (!Supported) return;
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        using (Load(file, _dir)) { }
        string path = Directory.GetFiles(_dir).Single();
        long length = new FileInfo(path).Length;
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case "header": f.Position = 16; f.WriteByte(0xFF); break; // the source length no longer matches
                case "entry": f.Position = InterleavedWeightCache.HeaderBytes + 8; f.WriteByte(0x01); break; // offset out of place
                case "truncated": f.SetLength(length - 100); break;
            }
        }
        var log = new List<string>();
        using var model = Load(file, _dir, log);
        Assert.Contains(log, l => l.Contains("stale"));
        Assert.Contains(model.Weights.Matrices, m => m.IsInterleaved);
        Assert.Equal(length, new FileInfo(path).Length);
    }

    [Fact]
    public void An_unwritable_directory_leaves_the_model_row_major_with_a_reason()
    {
        if (!Supported) return;
        Directory.CreateDirectory(_dir);
        string notADirectory = Path.Combine(_dir, "file");
        File.WriteAllText(notADirectory, "x");
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        var log = new List<string>();
        using var model = Load(file, Path.Combine(notADirectory, "cache"), log);
        Assert.Contains(log, l => l.StartsWith("interleaved weight cache not used"));
        Assert.DoesNotContain(model.Weights.Matrices, m => m.IsInterleaved);
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind
        var logits = new float[model.Config.VocabSize];
        model.Forward([1, 2, 3], 0, logits);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_disk_without_room_to_spare_is_left_alone()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        var tensors = file.Tensors.Where(t => t.Type == GgmlType.Q4_0 && t.Dimensions.Length == 2).ToList();
        string path = Path.Combine(_dir, InterleavedWeightCache.FileNameFor(file.Path));
        string? error = InterleavedWeightCacheBuilder.Build(file, tensors, path, null, keepFree: long.MaxValue / 4);
        Assert.NotNull(error);
        Assert.StartsWith("not enough disk space in ", error);
        Assert.Empty(Directory.GetFiles(_dir)); // nothing written, no temporary file
        Assert.True(InterleavedWeightCacheBuilder.KeepFreeBytes(32L << 30) >= 512L << 20);
    }

    [Fact]
    public void A_matrix_with_a_non_finite_scale_stays_row_major()
    {
        if (!Supported) return;
        Directory.CreateDirectory(_dir);
        string copy = Path.Combine(_dir, "model.gguf");
        File.Copy(Fixtures.Model("tiny-q4_0.gguf"), copy);
        long at;
        using (var original = GgufFile.Open(copy))
        {
            var t = original.GetTensor("blk.0.attn_q.weight");
            Assert.Equal(GgmlType.Q4_0, t.Type);
            at = original.DataOffset + t.Offset + 5 * 18; // the scale of the sixth block
        }
        using (var f = new FileStream(copy, FileMode.Open, FileAccess.Write)) { f.Position = at; f.Write([0x00, 0x7C]); } // +inf
        using var file = GgufFile.Open(copy);
        var log = new List<string>();
        using var model = Load(file, Path.Combine(_dir, "cache"), log);
        Assert.Contains(log, l => l.Contains("blk.0.attn_q.weight stays row-major"));
        Assert.False(model.Weights.Layers[0].Query.IsInterleaved);
        Assert.True(model.Weights.Layers[0].Key.IsInterleaved || model.Weights.Layers[0].Key.Type != GgmlType.Q4_0);
    }

    [Fact]
    public void Mapped_ranges_cover_the_cache_and_skip_the_replaced_matrices()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        using (var plain = TransformerModel.Load(file, new ModelOptions { ContextLength = 16 }))
            Assert.Equal([((nint)file.BasePointer, file.FileLength)], plain.MappedRanges());
        if (!Supported) return;
        using var model = Load(file, _dir);
        var ranges = model.MappedRanges();
        Assert.Equal(((nint)model.InterleavedCache!.BasePointer, model.InterleavedCache.Length), ranges[0]);
        var replaced = model.Weights.Matrices.Where(m => m.IsInterleaved && m.Name != model.Weights.TokenEmbedding.Name)
            .Select(m => file.GetTensor(m.Name)).DistinctBy(t => t.Name).ToList();
        Assert.NotEmpty(replaced);
        foreach (var t in replaced)
        {
            // No range reaches into a whole page inside a replaced tensor.
            long first = (file.DataOffset + t.Offset + 4095) / 4096 * 4096, end = (file.DataOffset + t.Offset + t.ByteSize) / 4096 * 4096;
            foreach (var (start, length) in ranges.Skip(1))
            {
                long s = start - (nint)file.BasePointer, e = s + length;
                Assert.True(e <= first || s >= end, $"range [{s}, {e}) overlaps {t.Name} [{first}, {end})");
            }
        }
        long fileBytes = ranges.Skip(1).Sum(r => r.Length), replacedBytes = replaced.Sum(t => t.ByteSize);
        Assert.InRange(fileBytes, file.FileLength - replacedBytes, file.FileLength - replacedBytes + 2 * 4096 * replaced.Count);
    }

    [Fact]
    public void Cache_names_differ_per_model_path()
    {
        Assert.NotEqual(InterleavedWeightCache.FileNameFor("/a/model.gguf"), InterleavedWeightCache.FileNameFor("/b/model.gguf"));
        Assert.StartsWith("model.gguf.", InterleavedWeightCache.FileNameFor("/a/model.gguf"));
    }

    [Fact]
    public void No_cache_is_built_without_an_interleaved_kernel_or_when_off()
    {
        using var file = GgufFile.Open(Fixtures.Model("tiny-q8_0.gguf"));
        using (var model = Load(file, _dir)) Assert.DoesNotContain(model.Weights.Matrices, m => m.IsInterleaved);
        Assert.False(Directory.Exists(_dir) && Directory.GetFiles(_dir).Length > 0);
        using var q4 = GgufFile.Open(Fixtures.Model("tiny-q4_0.gguf"));
        using (var model = TransformerModel.Load(q4, new ModelOptions { ContextLength = 16 })) Assert.DoesNotContain(model.Weights.Matrices, m => m.IsInterleaved);
    }
}

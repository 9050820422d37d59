using EdgeLlm.Core.Gguf;
using EdgeLlm.Core.Tensors;

namespace EdgeLlm.Core.Tests.Gguf;

/// <summary>Every class of broken model file gives one clear GgufException, never a crash or an over-read.</summary>
public class MalformedFileTests
{
    private static string Rejects(byte[] bytes)
    {
        var ex = Assert.Throws<GgufException>(() => GgufTestFile.Parse(bytes));
        Assert.DoesNotContain('\n', ex.Message);
        return ex.Message;
    }

    private static string Rejects(GgufTestFile file) => Rejects(file.Build());

    [Fact]
    public void Minimal_file_is_valid()
    {
        var h = GgufTestFile.Parse(GgufTestFile.Minimal().Build());
        Assert.Equal(2, h.Tensors.Count);
        Assert.Equal(4, h.Metadata.Count);
        Assert.Equal(0, h.DataOffset % 32);
        Assert.Equal(4, h.Metadata.Single(kv => kv.Key == "tokenizer.ggml.tokens").Value.ArrayLength);
    }

    [Fact]
    public void Wrong_magic() => Assert.Contains("bad magic", Rejects(new GgufTestFile { Magic = 0x12345678 }));

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0x03000000u)]
    public void Unsupported_version(uint version) =>
        Assert.Contains($"unsupported GGUF version {version}", Rejects(new GgufTestFile { Version = version }));

    [Fact]
    public void Version_2_is_accepted() =>
        GgufTestFile.Parse(new GgufTestFile { Version = 2 }.String("general.architecture", "llama").Build());

    [Fact]
    public void Every_truncation_is_rejected()
    {
        byte[] full = GgufTestFile.Minimal().Build();
        for (int length = 0; length < full.Length; length++)
        {
            var ex = Assert.Throws<GgufException>(() => GgufTestFile.Parse(full[..length]));
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        }
    }

    [Fact]
    public void Truncated_tensor_data_names_the_tensor()
    {
        byte[] full = GgufTestFile.Minimal().Build();
        string message = Rejects(full[..^1]);
        Assert.Contains("b.weight", message);
        Assert.Contains("beyond the end of the file", message);
    }

    [Fact]
    public void String_length_larger_than_file() =>
        Assert.Contains("string length", Rejects(new GgufTestFile().Raw("k", w =>
        {
            w.Write((uint)GgufValueType.String);
            w.Write(ulong.MaxValue / 2);
        })));

    [Fact]
    public void Array_count_larger_than_file() =>
        Assert.Contains("array length", Rejects(new GgufTestFile().Raw("k", w =>
        {
            w.Write((uint)GgufValueType.Array);
            w.Write((uint)GgufValueType.UInt32);
            w.Write(1UL << 40);
        })));

    [Fact]
    public void Metadata_count_larger_than_file()
    {
        byte[] bytes = GgufTestFile.Minimal().Build();
        BitConverter.TryWriteBytes(bytes.AsSpan(16), 1UL << 50);
        Assert.Contains("metadata count", Rejects(bytes));
    }

    [Fact]
    public void Tensor_count_larger_than_file()
    {
        byte[] bytes = GgufTestFile.Minimal().Build();
        BitConverter.TryWriteBytes(bytes.AsSpan(8), 1UL << 50);
        Assert.Contains("tensor count", Rejects(bytes));
    }

    [Fact]
    public void Unknown_value_type() =>
        Assert.Contains("unknown value type 13", Rejects(new GgufTestFile().Raw("k", w => w.Write(13u))));

    [Fact]
    public void Unknown_array_element_type() =>
        Assert.Contains("unknown value type 99", Rejects(new GgufTestFile().Raw("k", w =>
        {
            w.Write((uint)GgufValueType.Array);
            w.Write(99u);
            w.Write(0UL);
        })));

    [Fact]
    public void Arrays_nested_too_deep_are_refused_without_recursion_blowup() =>
        Assert.Contains("nested deeper", Rejects(new GgufTestFile().Raw("k", w =>
        {
            w.Write((uint)GgufValueType.Array);
            for (int i = 0; i < 10_000; i++)
            {
                w.Write((uint)GgufValueType.Array);
                w.Write(1UL);
            }
        })));

    [Fact]
    public void Nested_arrays_within_the_limit_are_read()
    {
        var h = GgufTestFile.Parse(new GgufTestFile().Raw("k", w =>
        {
            w.Write((uint)GgufValueType.Array);
            w.Write((uint)GgufValueType.Array);
            w.Write(2UL);
            for (int i = 0; i < 2; i++)
            {
                w.Write((uint)GgufValueType.Int32);
                w.Write(3UL);
                w.Write(1); w.Write(2); w.Write(3 + i);
            }
        }).Build());
        var outer = h.Metadata[0].Value.AsArray<GgufValue>()!;
        Assert.Equal(2, outer.Length);
        Assert.Equal(new long[] { 1, 2, 4 }, outer[1].AsInt64Array());
    }

    [Fact]
    public void Invalid_utf8_in_key() =>
        Assert.Contains("UTF-8", Rejects(new GgufTestFile().Raw("\uFFFF", w => w.Write(0u)).Build().Select(b => b == 0xBF ? (byte)0xFF : b).ToArray()));

    [Fact]
    public void Duplicate_keys() =>
        Assert.Contains("duplicate metadata key 'k'", Rejects(new GgufTestFile().UInt32("k", 1).UInt32("k", 2)));

    [Fact]
    public void Duplicate_tensor_names() =>
        Assert.Contains("duplicate tensor name 't'", Rejects(new GgufTestFile().Tensor("t", GgmlType.F32, [4]).Tensor("t", GgmlType.F32, [4])));

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Dimension_count_out_of_range(int n) =>
        Assert.Contains($"{n} dimensions", Rejects(new GgufTestFile().Tensor("t", GgmlType.F32, Enumerable.Repeat(2L, n).ToArray(), dataBytes: 64)));

    [Fact]
    public void Zero_dimension() =>
        Assert.Contains("invalid dimension 0", Rejects(new GgufTestFile().Tensor("t", GgmlType.F32, [4, 0], dataBytes: 16)));

    [Fact]
    public void Dimension_product_overflow() =>
        Assert.Contains("overflows", Rejects(new GgufTestFile().Tensor("t", GgmlType.F32, [1L << 32, 1L << 32, 4], dataBytes: 64)));

    [Fact]
    public void Byte_size_overflow() =>
        Assert.Contains("overflow", Rejects(new GgufTestFile().Tensor("t", GgmlType.F32, [1L << 31, 1L << 31], dataBytes: 64)));

    [Fact]
    public void Unaligned_offset() =>
        Assert.Contains("not a multiple of the alignment 32", Rejects(new GgufTestFile().Tensor("t", GgmlType.F32, [4], offset: 4)));

    [Fact]
    public void Offset_beyond_end_of_file() =>
        Assert.Contains("beyond the end", Rejects(new GgufTestFile().Tensor("t", GgmlType.F32, [4], offset: 1L << 40, dataBytes: 0)));

    [Fact]
    public void Overlapping_tensors() =>
        Assert.Contains("overlap", Rejects(new GgufTestFile().Tensor("a", GgmlType.F32, [64]).Tensor("b", GgmlType.F32, [64], offset: 128)));

    [Fact]
    public void Unknown_ggml_type() =>
        Assert.Contains("unknown ggml type 99", Rejects(new GgufTestFile().Tensor("t", (GgmlType)99, [32])));

    [Fact]
    public void Known_but_unsupported_ggml_type_is_named() =>
        Assert.Contains("IQ2_XXS", Rejects(new GgufTestFile().Tensor("t", GgmlType.IQ2_XXS, [256])));

    [Fact]
    public void Row_not_a_whole_number_of_blocks() =>
        Assert.Contains("not a multiple of the Q4_0 block size 32", Rejects(new GgufTestFile().Tensor("t", GgmlType.Q4_0, [48], dataBytes: 64)));

    [Theory]
    [InlineData(0u)]
    [InlineData(24u)]
    public void Alignment_not_a_power_of_two(uint alignment) =>
        Assert.Contains("general.alignment", Rejects(new GgufTestFile().UInt32("general.alignment", alignment)));

    [Fact]
    public void Custom_alignment_is_honoured()
    {
        var file = new GgufTestFile { Alignment = 64 }.UInt32("general.alignment", 64).Tensor("a", GgmlType.F32, [4]).Tensor("b", GgmlType.F32, [4]);
        var h = GgufTestFile.Parse(file.Build());
        Assert.Equal(64, h.Alignment);
        Assert.Equal(0, h.DataOffset % 64);
        Assert.Equal(64, h.Tensors[1].Offset);
    }

    [Fact]
    public void Open_reports_missing_and_tiny_files()
    {
        Assert.Contains("cannot open", Assert.Throws<GgufException>(() => GgufFile.Open("/nonexistent/model.gguf")).Message);
        string path = Path.GetTempFileName();
        try
        {
            Assert.Contains("too small", Assert.Throws<GgufException>(() => GgufFile.Open(path)).Message);
            File.WriteAllBytes(path, GgufTestFile.Minimal().Build());
            using var f = GgufFile.Open(path);
            Assert.Equal(2, f.Tensors.Count);
            Assert.Equal(8 * 2 * 4, f.TensorBytes(f.GetTensor("a.weight")).Length);
        }
        finally { File.Delete(path); }
    }
}

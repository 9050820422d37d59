using System.Text;
using EdgeLlm.Core.Tokenizers;

namespace EdgeLlm.Core.Tests.Tokenizers;

public class DecodingTests
{
    public static TheoryData<string> Texts() =>
    [
        "Hello world",
        "Bonjour, ça va ? L'élève à l'école a déjà vu « Noël ».",
        "日本語のテキストと中文，还有한국어도。",
        "emoji 🦙🚀 and a family 👨‍👩‍👧 and 😶‍🌫️!",
        "line one\nline two\r\n\n\ttabbed\n",
        " leading space",
        "   three leading spaces",
        "multiple    spaces   inside  and trailing  ",
        " ",
        "\n",
        "",
        "Привет, мир! Ελληνικά. नमस्ते. مرحبا",
        "numbers 1234567 and 3.14159, symbols $€£ ~^|<=>",
        "it's we'll they'RE O'Neil's",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Llama_spm_round_trips(string text)
    {
        var tok = TokenizerFixtures.LlamaSpm;
        Assert.Equal(text, tok.Decode(tok.Encode(text, addBos: false, parseSpecial: false), stripLeadingSpace: true));
        // BOS renders as nothing, so the space to strip is on the first piece after it.
        Assert.Equal(text, tok.Decode(tok.Encode(text, addBos: true, parseSpecial: false), stripLeadingSpace: true));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Gpt2_round_trips(string text)
    {
        var tok = TokenizerFixtures.Gpt2;
        Assert.Equal(text, tok.Decode(tok.Encode(text, addBos: false, parseSpecial: false), stripLeadingSpace: false));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Streaming_equals_whole_decoding_and_never_splits_a_character(string text)
    {
        foreach (var tok in new[] { TokenizerFixtures.LlamaSpm, TokenizerFixtures.Gpt2 })
        {
            var decoder = tok.CreateDecoder(stripLeadingSpace: tok.AddSpacePrefix);
            var streamed = new StringBuilder();
            foreach (int id in tok.Encode(text, addBos: tok.AddBos, parseSpecial: false))
            {
                string piece = decoder.Append(id);
                Assert.False(piece.Length > 0 && char.IsLowSurrogate(piece[0]), "a piece starts inside a surrogate pair");
                Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), "a piece ends inside a surrogate pair");
                Assert.DoesNotContain('\uFFFD', piece);
                streamed.Append(piece);
            }
            Assert.Equal("", decoder.Flush());
            Assert.Equal(text, streamed.ToString());
        }
    }

    [Fact]
    public void Character_split_over_byte_tokens_comes_out_whole()
    {
        var tok = TokenizerFixtures.LlamaSpm;
        int[] ids = tok.Encode("🦙", addBos: true, parseSpecial: false);
        int[] byteIds = [.. ids.Where(id => tok.KindOf(id) == TokenKind.Byte)];
        Assert.Equal(4, byteIds.Length);
        Assert.Equal([0xF0, 0x9F, 0xA6, 0x99], byteIds.Select(id => tok.TokenBytes(id).ToArray().Single()));

        var decoder = tok.CreateDecoder(stripLeadingSpace: true);
        var pieces = ids.Select(decoder.Append).ToList();
        Assert.Equal("🦙", pieces[^1]);
        Assert.All(pieces.Take(pieces.Count - 1), p => Assert.Equal("", p));
    }

    [Fact]
    public void Invalid_byte_sequences_become_replacement_characters_without_stalling()
    {
        var tok = TokenizerFixtures.LlamaSpm;
        int Byte(int b) => tok.FindToken($"<0x{b:X2}>")!.Value;
        var decoder = tok.CreateDecoder(stripLeadingSpace: false);

        Assert.Equal("", decoder.Append(Byte(0xE4)));          // start of a 3-byte character: held
        Assert.Equal("\uFFFDA", decoder.Append(Byte(0x41)));   // 'A' proves it broken: released at once
        Assert.Equal("\uFFFD", decoder.Append(Byte(0x80)));    // a lone continuation byte
        Assert.Equal("", decoder.Append(Byte(0xF0)));
        Assert.Equal("\uFFFD", decoder.Flush());                // end of stream with a character pending
        Assert.Equal("é", decoder.Append(Byte(0xC3)) + decoder.Append(Byte(0xA9)));
    }

    [Fact]
    public void Token_bytes_of_each_kind()
    {
        var spm = TokenizerFixtures.LlamaSpm;
        Assert.True(spm.TokenBytes(spm.BosId).IsEmpty);
        Assert.True(spm.TokenBytes(spm.UnknownId).IsEmpty);
        Assert.Equal("A"u8.ToArray(), spm.TokenBytes(spm.FindToken("<0x41>")!.Value).ToArray());
        Assert.Equal(" Hello"u8.ToArray(), spm.TokenBytes(spm.FindToken("▁Hello")!.Value).ToArray());

        var bpe = TokenizerFixtures.Gpt2;
        Assert.True(bpe.TokenBytes(50256).IsEmpty);
        Assert.Equal(" Hello"u8.ToArray(), bpe.TokenBytes(bpe.FindToken("ĠHello")!.Value).ToArray());
        Assert.Equal("\n"u8.ToArray(), bpe.TokenBytes(bpe.FindToken("Ċ")!.Value).ToArray());
    }

    [Fact]
    public void Strip_applies_once_to_the_first_visible_piece()
    {
        var tok = TokenizerFixtures.LlamaSpm;
        int hello = tok.FindToken("▁Hello")!.Value;
        var decoder = tok.CreateDecoder(stripLeadingSpace: true);
        Assert.Equal("", decoder.Append(tok.BosId));
        Assert.Equal("Hello", decoder.Append(hello));
        Assert.Equal(" Hello", decoder.Append(hello));
        Assert.Equal(" Hello", tok.CreateDecoder(stripLeadingSpace: false).Append(hello));
    }
}

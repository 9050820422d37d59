using System.Globalization;

namespace EdgeLlm.Core.Tokenizers;

/// <summary>The coarse Unicode classes the pre-tokenizers split on (\p{L}, \p{N}, \p{P}, \s...).</summary>
/// <remarks>
/// <see cref="None"/> (zero) stands for "outside the text being split": the splitters look one code point
/// past a fragment and must see nothing there, which is not the same as an unassigned code point
/// (<see cref="Other"/>, which still counts as a non-letter, non-digit character).
/// </remarks>
[Flags]
internal enum CodepointClass : ushort
{
    None = 0,
    Other = 1 << 0,
    Letter = 1 << 1,
    Number = 1 << 2,
    Punctuation = 1 << 3,
    Symbol = 1 << 4,
    Mark = 1 << 5,
    Separator = 1 << 6,
    Control = 1 << 7,
    Whitespace = 1 << 8,
}

internal static class Codepoints
{
    private static readonly CodepointClass[] Ascii = BuildAscii();

    public static CodepointClass Classify(int codepoint)
    {
        if ((uint)codepoint < 128) return Ascii[codepoint];
        if ((uint)codepoint > 0x10FFFF) return CodepointClass.Other;
        var cls = FromCategory(CharUnicodeInfo.GetUnicodeCategory(codepoint));
        return IsWhitespace(codepoint) ? cls | CodepointClass.Whitespace : cls;
    }

    /// <summary>The Unicode White_Space property, which is what \s means to the reference tokenizer.</summary>
    /// <remarks>Spelled out rather than taken from <see cref="char.IsWhiteSpace(char)"/> so the set can't drift.</remarks>
    public static bool IsWhitespace(int c) =>
        c is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A)
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    private static CodepointClass FromCategory(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CodepointClass.Letter,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CodepointClass.Mark,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CodepointClass.Number,
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => CodepointClass.Separator,
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse => CodepointClass.Control,
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => CodepointClass.Punctuation,
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
            or UnicodeCategory.OtherSymbol => CodepointClass.Symbol,
        _ => CodepointClass.Other,
    };

    private static CodepointClass[] BuildAscii()
    {
        var table = new CodepointClass[128];
        for (int c = 0; c < 128; c++)
        {
            var cls = FromCategory(CharUnicodeInfo.GetUnicodeCategory(c));
            table[c] = IsWhitespace(c) ? cls | CodepointClass.Whitespace : cls;
        }
        return table;
    }
}

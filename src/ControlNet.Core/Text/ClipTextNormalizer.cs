using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;

namespace ControlNet.Core.Text;

/// <summary>
/// The text clean-up CLIP applies before splitting a prompt into words, from OpenAI CLIP's
/// <c>simple_tokenizer.py</c>: <c>whitespace_clean(basic_clean(text)).lower()</c> where
/// <c>basic_clean</c> is <c>html.unescape(html.unescape(ftfy.fix_text(text))).strip()</c> and
/// <c>whitespace_clean</c> is <c>re.sub(r'\s+', ' ', text).strip()</c>.
/// </summary>
/// <remarks>
/// ftfy 6.x <c>fix_text</c> with its default configuration is reproduced except for:
/// <list type="bullet">
/// <item>mojibake repair (<c>fix_encoding</c>: re-decoding "cafÃ©" as "café", <c>restore_byte_a0</c>,
/// <c>replace_lossy_sequences</c>, <c>decode_inconsistent_utf8</c>) — heuristic and table-heavy;</item>
/// <item>NFC normalisation where the process runs with <c>InvariantGlobalization</c> (this repository's
/// default): .NET then leaves non-ASCII text unnormalised, so decomposed accents ("e" + U+0301) stay two
/// code points, and halfwidth katakana with a voicing mark ("ｶﾞ") do not compose;</item>
/// <item>named HTML entities outside HTML 4 (HTML5-only names such as <c>&amp;check;</c>), and ftfy's
/// all-caps entity spellings for characters whose upper case is more than one character
/// (<c>&amp;SZLIG;</c> gives "ß", not "SS").</item>
/// </list>
/// Everything else — HTML entity decoding (ftfy's, then <c>html.unescape</c> twice), C1 controls read as
/// Windows-1252, Latin ligatures, full/halfwidth forms, curly quotes, line breaks, lone surrogates,
/// terminal escapes, control characters, whitespace, and Python's <c>str.lower</c> (final sigma, "İ") —
/// follows the reference.
/// </remarks>
public static class ClipTextNormalizer
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string fixedText = FixText(text);
        string unescaped = PythonHtmlUnescape(PythonHtmlUnescape(fixedText));
        return PythonLower(CollapseWhitespace(unescaped));
    }

    // ftfy.fix_text: the text is fixed one line at a time; once a line holds a literal '<' (it looks like
    // HTML), entity decoding is switched off for it and for every later line.
    static string FixText(string text)
    {
        if (IsPlainAscii(text))
            return text;
        var output = new StringBuilder(text.Length);
        bool unescapeHtml = true;
        int position = 0;
        while (position < text.Length)
        {
            int lineBreak = text.IndexOf('\n', position);
            int end = lineBreak < 0 ? text.Length : lineBreak + 1;
            string segment = text[position..end];
            if (segment.Contains('<'))
                unescapeHtml = false;
            output.Append(FixSegment(segment, unescapeHtml));
            position = end;
        }
        return output.ToString();
    }

    // ASCII letters, digits, spaces and punctuation other than '&' and ESC are left alone by every ftfy fixer.
    static bool IsPlainAscii(string text)
    {
        foreach (char c in text)
            if (c >= 0x7F || (c < 0x20 && c != ' ' && c != '\t' && c != '\n') || c == '&' || c == '\r')
                return false;
        return true;
    }

    // ftfy.fix_and_explain: apply the fixers in ftfy's order until the text stops changing.
    static string FixSegment(string text, bool unescapeHtml)
    {
        while (true)
        {
            string original = text;
            if (unescapeHtml)
                text = FtfyUnescapeHtml(text);
            text = FixC1Controls(text);
            text = MapCharacters(text);
            text = FixLineBreaks(text);
            text = FixSurrogates(text);
            text = RemoveTerminalEscapes(text);
            text = RemoveControlCharacters(text);
            text = text.Normalize(NormalizationForm.FormC);
            if (text == original)
                return text;
        }
    }

    // ftfy.fixes.unescape_html: only "&name;" / "&#123;" forms of 1–24 alphanumerics, so that informal
    // text such as "this&not that" is left alone.
    static string FtfyUnescapeHtml(string text) => ReplaceReferences(text, AppendFtfyReference);

    // At `start` (just after '&'): appends the decoded "name;" / "#123;" and returns the characters consumed,
    // or appends the '&' alone and returns 0.
    static int AppendFtfyReference(string text, int start, StringBuilder output)
    {
        bool numeric = start < text.Length && text[start] == '#';
        int nameStart = numeric ? start + 1 : start;
        int nameEnd = nameStart;
        while (nameEnd < text.Length && nameEnd - nameStart < 24 && char.IsAsciiLetterOrDigit(text[nameEnd]))
            nameEnd++;
        if (nameEnd == nameStart || nameEnd >= text.Length || text[nameEnd] != ';')
        {
            output.Append('&');
            return 0;
        }
        string entity = text[(start - 1)..(nameEnd + 1)];
        output.Append(numeric ? FtfyNumericEntity(entity) : FtfyNamedEntity(text[nameStart..nameEnd]) ?? entity);
        return nameEnd + 1 - start;
    }

    /// <summary>
    /// Copies <paramref name="text"/>, letting <paramref name="appendReference"/> decode what follows each '&amp;'
    /// (it appends the replacement and returns how many characters after the '&amp;' it consumed).
    /// </summary>
    static string ReplaceReferences(string text, Func<string, int, StringBuilder, int> appendReference)
    {
        if (!text.Contains('&'))
            return text;
        var output = new StringBuilder(text.Length);
        int position = 0;
        while (position < text.Length)
        {
            int amp = text.IndexOf('&', position);
            if (amp < 0)
                break;
            output.Append(text, position, amp - position);
            position = amp + 1 + appendReference(text, amp + 1, output);
        }
        output.Append(text, position, text.Length - position);
        return output.ToString();
    }

    static string FtfyNumericEntity(string entity)
    {
        string unescaped = PythonHtmlUnescape(entity);
        return unescaped.Contains(';') ? entity : unescaped;
    }

    static string? FtfyNamedEntity(string name)
    {
        if (LookUpEntity(name + ";") is { } value)
            return value;
        // ftfy also decodes upper-cased spellings of lower-case entity names ("P&EACUTE;REZ" → "PÉREZ").
        string lower = name.ToLowerInvariant();
        if (lower != name && name.ToUpperInvariant() == name && LookUpEntity(lower + ";") is { } lowerValue)
            return lowerValue.ToUpperInvariant();
        return null;
    }

    // A named HTML entity ("amp;") → its text, or null. Legacy names are HTML5's semicolon-less spellings.
    static string? LookUpEntity(string nameWithOptionalSemicolon)
    {
        if (!nameWithOptionalSemicolon.EndsWith(';'))
            return LegacyEntities.GetValueOrDefault(nameWithOptionalSemicolon);
        string name = nameWithOptionalSemicolon[..^1];
        if (LegacyEntities.TryGetValue(name, out string? legacy))
            return legacy;
        string entity = "&" + nameWithOptionalSemicolon;
        string decoded = WebUtility.HtmlDecode(entity);
        return decoded == entity ? null : decoded;
    }

    /// <summary>Python's <c>html.unescape</c>, character for character.</summary>
    static string PythonHtmlUnescape(string text) => ReplaceReferences(text, AppendCharacterReference);

    // Matches html's _charref = r'&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)' at `start`
    // (just after '&'), appends the replacement and returns how many characters after '&' it consumed.
    static int AppendCharacterReference(string text, int start, StringBuilder output)
    {
        int i = start;
        if (i < text.Length && text[i] == '#')
        {
            bool hex = i + 1 < text.Length && (text[i + 1] == 'x' || text[i + 1] == 'X');
            int digitsStart = hex ? i + 2 : i + 1;
            int digitsEnd = digitsStart;
            while (digitsEnd < text.Length && (hex ? char.IsAsciiHexDigit(text[digitsEnd]) : char.IsAsciiDigit(text[digitsEnd])))
                digitsEnd++;
            if (digitsEnd == digitsStart)
            {
                output.Append('&');
                return 0;
            }
            output.Append(NumericCharacterReference(text.AsSpan(digitsStart, digitsEnd - digitsStart), hex));
            int end = digitsEnd < text.Length && text[digitsEnd] == ';' ? digitsEnd + 1 : digitsEnd;
            return end - start;
        }

        int nameEnd = i;
        while (nameEnd < text.Length && nameEnd - i < 32 && text[nameEnd] is not ('\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';'))
            nameEnd++;
        if (nameEnd == i)
        {
            output.Append('&');
            return 0;
        }
        if (nameEnd < text.Length && text[nameEnd] == ';')
            nameEnd++;
        string name = text[i..nameEnd];
        if (LookUpEntity(name) is { } value)
        {
            output.Append(value);
            return nameEnd - start;
        }
        // The longest legacy (semicolon-less) entity that prefixes the name: "&copy2024" → "©2024".
        for (int length = name.Length - 1; length > 1; length--)
        {
            if (LegacyEntities.TryGetValue(name[..length], out string? legacy))
            {
                output.Append(legacy).Append(name, length, name.Length - length);
                return nameEnd - start;
            }
        }
        output.Append('&').Append(name);
        return nameEnd - start;
    }

    static string NumericCharacterReference(ReadOnlySpan<char> digits, bool hex)
    {
        const int Overflow = 0x110000;
        int number = 0;
        foreach (char d in digits)
        {
            int value = hex ? (char.IsAsciiDigit(d) ? d - '0' : (d | 0x20) - 'a' + 10) : d - '0';
            number = Math.Min(Overflow, number * (hex ? 16 : 10) + value);
        }
        if (number == 0)
            return "\uFFFD";
        if (number == 0x0D)
            return "\r";
        if (number is >= 0x80 and <= 0x9F)
            return Windows1252[number - 0x80] == '\0' ? ((char)number).ToString() : Windows1252[number - 0x80].ToString();
        if (number is >= 0xD800 and <= 0xDFFF || number >= Overflow)
            return "\uFFFD";
        if (number is >= 0x01 and <= 0x08 or 0x0B or >= 0x0E and <= 0x1F or 0x7F
            || number is >= 0xFDD0 and <= 0xFDEF || (number & 0xFFFE) == 0xFFFE)
            return "";
        return char.ConvertFromUtf32(number);
    }

    // ftfy.fixes.fix_c1_controls: U+0080–U+009F read as "sloppy" Windows-1252 (undefined bytes stay as they are).
    static string FixC1Controls(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\u0080', '\u009F'))
            return text;
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (chars[i] is >= '\u0080' and <= '\u009F' && Windows1252[chars[i] - 0x80] != '\0')
                chars[i] = Windows1252[chars[i] - 0x80];
        return new string(chars);
    }

    // Windows-1252 for bytes 0x80–0x9F; '\0' where the code page leaves the byte undefined.
    const string Windows1252 =
        "\u20AC\0\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\0\u017D\0" +
        "\0\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\0\u017E\u0178";

    // ftfy's fix_latin_ligatures, fix_character_width and uncurl_quotes: one character to its plain form.
    static string MapCharacters(string text)
    {
        StringBuilder? output = null;
        for (int i = 0; i < text.Length; i++)
        {
            string? replacement = PlainForm(text[i]);
            if (replacement is null)
            {
                output?.Append(text[i]);
                continue;
            }
            output ??= new StringBuilder(text.Length).Append(text, 0, i);
            output.Append(replacement);
        }
        return output?.ToString() ?? text;
    }

    static string? PlainForm(char c) => c switch
    {
        '\u02BC' or (>= '\u2018' and <= '\u201B') => "'",
        >= '\u201C' and <= '\u201F' => "\"",
        '\u3000' => " ",
        >= '\uFF01' and <= '\uFF5E' => ((char)(c - 0xFEE0)).ToString(),
        '\uFFE3' => " \u0304",
        >= '\uFF5F' and <= '\uFFEE' when HalfAndFullwidthForms[c - 0xFF5F] != '\0' => HalfAndFullwidthForms[c - 0xFF5F].ToString(),
        >= '\u0100' and <= '\u01FF' or >= '\uFB00' and <= '\uFB06' => Ligatures.GetValueOrDefault(c),
        _ => null,
    };

    static readonly Dictionary<char, string> Ligatures = new()
    {
        ['Ĳ'] = "IJ", ['ĳ'] = "ij", ['ŉ'] = "ʼn",
        ['Ǳ'] = "DZ", ['ǲ'] = "Dz", ['ǳ'] = "dz", ['Ǆ'] = "DŽ", ['ǅ'] = "Dž", ['ǆ'] = "dž",
        ['Ǉ'] = "LJ", ['ǈ'] = "Lj", ['ǉ'] = "lj", ['Ǌ'] = "NJ", ['ǋ'] = "Nj", ['ǌ'] = "nj",
        ['ﬀ'] = "ff", ['ﬁ'] = "fi", ['ﬂ'] = "fl", ['ﬃ'] = "ffi", ['ﬄ'] = "ffl", ['ﬅ'] = "ſt", ['ﬆ'] = "st",
    };

    // NFKC of U+FF5F–U+FFEE (ftfy.chardata.WIDTH_MAP); '\0' where the character has no narrower form.
    const string HalfAndFullwidthForms =
        "\u2985\u2986\u3002\u300C\u300D\u3001\u30FB\u30F2\u30A1\u30A3\u30A5\u30A7\u30A9\u30E3\u30E5\u30E7" +
        "\u30C3\u30FC\u30A2\u30A4\u30A6\u30A8\u30AA\u30AB\u30AD\u30AF\u30B1\u30B3\u30B5\u30B7\u30B9\u30BB" +
        "\u30BD\u30BF\u30C1\u30C4\u30C6\u30C8\u30CA\u30CB\u30CC\u30CD\u30CE\u30CF\u30D2\u30D5\u30D8\u30DB" +
        "\u30DE\u30DF\u30E0\u30E1\u30E2\u30E4\u30E6\u30E8\u30E9\u30EA\u30EB\u30EC\u30ED\u30EF\u30F3\u3099" +
        "\u309A\u1160\u1100\u1101\u11AA\u1102\u11AC\u11AD\u1103\u1104\u1105\u11B0\u11B1\u11B2\u11B3\u11B4" +
        "\u11B5\u111A\u1106\u1107\u1108\u1121\u1109\u110A\u110B\u110C\u110D\u110E\u110F\u1110\u1111\u1112" +
        "\0\0\0\u1161\u1162\u1163\u1164\u1165\u1166\0\0\u1167\u1168\u1169\u116A\u116B\u116C\0\0" +
        "\u116D\u116E\u116F\u1170\u1171\u1172\0\0\u1173\u1174\u1175\0\0\0\u00A2\u00A3\u00AC\0" +
        "\u00A6\u00A5\u20A9\0\u2502\u2190\u2191\u2192\u2193\u25A0\u25CB";

    static string FixLineBreaks(string text) =>
        text.AsSpan().IndexOfAny("\r\u2028\u2029\u0085") < 0
            ? text
            : text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');

    // ftfy.fixes.fix_surrogates: a surrogate that is not half of a pair becomes U+FFFD.
    static string FixSurrogates(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
            return text;
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                i++;
            else if (char.IsSurrogate(chars[i]))
                chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    // ftfy.fixes.remove_terminal_escapes: "\x1b[" digits-or-semicolons, then one ASCII letter.
    static string RemoveTerminalEscapes(string text)
    {
        if (!text.Contains('\u001B'))
            return text;
        var output = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\u001B' && i + 1 < text.Length && text[i + 1] == '[')
            {
                int j = i + 2;
                while (j < text.Length && (char.IsAsciiDigit(text[j]) || text[j] == ';'))
                    j++;
                if (j < text.Length && char.IsAsciiLetter(text[j]))
                {
                    i = j;
                    continue;
                }
            }
            output.Append(text[i]);
        }
        return output.ToString();
    }

    // ftfy.chardata.CONTROL_CHARS: C0 controls except \t \n \f \r, DEL, deprecated Arabic format
    // characters, interlinear annotation, object replacement and the byte-order mark.
    static string RemoveControlCharacters(string text)
    {
        StringBuilder? output = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool remove = c is <= '\u0008' or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F'
                or (>= '\u206A' and <= '\u206F') or '\uFEFF' or (>= '\uFFF9' and <= '\uFFFC');
            if (!remove)
            {
                output?.Append(c);
                continue;
            }
            output ??= new StringBuilder(text.Length).Append(text, 0, i);
        }
        return output?.ToString() ?? text;
    }

    // re.sub(r'\s+', ' ', text).strip(): the `regex` module's \s is Unicode White_Space, the same set as
    // char.IsWhiteSpace; str.strip() would also strip U+001C–U+001F, which ftfy has removed by then.
    static string CollapseWhitespace(string text)
    {
        var output = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = output.Length > 0;
                continue;
            }
            if (pendingSpace)
                output.Append(' ');
            pendingSpace = false;
            output.Append(c);
        }
        return output.ToString();
    }

    // Python's str.lower uses full case mapping: "İ" → "i̇" (two code points), and a capital sigma that ends
    // a word becomes "ς". .NET's ToLowerInvariant maps one UTF-16 unit to one.
    static string PythonLower(string text)
    {
        string lower = text.ToLowerInvariant();
        if (!text.AsSpan().ContainsAny('\u0130', '\u03A3'))
            return lower;
        var output = new StringBuilder(text.Length + 4);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\u0130')
                output.Append("i\u0307");
            else if (text[i] == '\u03A3' && IsFinalSigma(text, i))
                output.Append('\u03C2');
            else
                output.Append(lower[i]);
        }
        return output.ToString();
    }

    // Unicode's Final_Sigma condition as CPython applies it: a cased letter before the sigma (skipping
    // case-ignorables) and no cased letter after it. Read by code point: 𝐀 (U+1D400) is a cased letter.
    static bool IsFinalSigma(string text, int index)
    {
        int before = index;
        Rune rune = default;
        while (before > 0 && Rune.DecodeLastFromUtf16(text.AsSpan(0, before), out rune, out int width) == OperationStatus.Done
            && IsCaseIgnorable(rune))
            before -= width;
        if (before == 0 || !IsCased(rune))
            return false;
        int after = index + 1;
        while (after < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(after), out rune, out int width);
            if (!IsCaseIgnorable(rune))
                return !IsCased(rune);
            after += width;
        }
        return true;
    }

    // DerivedCoreProperties "Cased": Lu, Ll, Lt, Other_Lowercase and Other_Uppercase.
    static bool IsCased(Rune rune)
    {
        if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
            return true;
        foreach (var (first, last) in OtherCasedRanges)
            if (rune.Value >= first && rune.Value <= last)
                return true;
        return false;
    }

    static readonly (int First, int Last)[] OtherCasedRanges =
    [
        (0x00AA, 0x00AA), (0x00BA, 0x00BA), (0x02B0, 0x02B8), (0x02C0, 0x02C1), (0x02E0, 0x02E4), (0x0345, 0x0345),
        (0x037A, 0x037A), (0x1D2C, 0x1D6A), (0x1D78, 0x1D78), (0x1D9B, 0x1DBF), (0x2071, 0x2071), (0x207F, 0x207F),
        (0x2090, 0x209C), (0x2160, 0x217F), (0x24B6, 0x24E9), (0x2C7C, 0x2C7D), (0xA69C, 0xA69D), (0xA770, 0xA770),
        (0xA7F8, 0xA7F9), (0xAB5C, 0xAB5F), (0x10780, 0x10780), (0x10783, 0x10785), (0x10787, 0x107B0),
        (0x107B2, 0x107BA), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189),
    ];

    // DerivedCoreProperties "Case_Ignorable": Mn, Me, Cf, Lm, Sk and Word_Break MidLetter, MidNumLet, Single_Quote.
    static bool IsCaseIgnorable(Rune rune) =>
        rune.Value is '\'' or '.' or ':' or 0x00B7 or 0x0387 or 0x055F or 0x05F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    // html.entities.html5's semicolon-less names (the legacy ones browsers still accept without ';').
    static readonly Dictionary<string, string> LegacyEntities = new(StringComparer.Ordinal)
    {
        ["Aacute"] = "Á", ["aacute"] = "á", ["Acirc"] = "Â", ["acirc"] = "â", ["acute"] = "´", ["AElig"] = "Æ",
        ["aelig"] = "æ", ["Agrave"] = "À", ["agrave"] = "à", ["AMP"] = "&", ["amp"] = "&", ["Aring"] = "Å",
        ["aring"] = "å", ["Atilde"] = "Ã", ["atilde"] = "ã", ["Auml"] = "Ä", ["auml"] = "ä", ["brvbar"] = "¦",
        ["Ccedil"] = "Ç", ["ccedil"] = "ç", ["cedil"] = "¸", ["cent"] = "¢", ["COPY"] = "©", ["copy"] = "©",
        ["curren"] = "¤", ["deg"] = "°", ["divide"] = "÷", ["Eacute"] = "É", ["eacute"] = "é", ["Ecirc"] = "Ê",
        ["ecirc"] = "ê", ["Egrave"] = "È", ["egrave"] = "è", ["ETH"] = "Ð", ["eth"] = "ð", ["Euml"] = "Ë",
        ["euml"] = "ë", ["frac12"] = "½", ["frac14"] = "¼", ["frac34"] = "¾", ["GT"] = ">", ["gt"] = ">",
        ["Iacute"] = "Í", ["iacute"] = "í", ["Icirc"] = "Î", ["icirc"] = "î", ["iexcl"] = "¡", ["Igrave"] = "Ì",
        ["igrave"] = "ì", ["iquest"] = "¿", ["Iuml"] = "Ï", ["iuml"] = "ï", ["laquo"] = "«", ["LT"] = "<",
        ["lt"] = "<", ["macr"] = "¯", ["micro"] = "µ", ["middot"] = "·", ["nbsp"] = "\u00A0", ["not"] = "¬",
        ["Ntilde"] = "Ñ", ["ntilde"] = "ñ", ["Oacute"] = "Ó", ["oacute"] = "ó", ["Ocirc"] = "Ô", ["ocirc"] = "ô",
        ["Ograve"] = "Ò", ["ograve"] = "ò", ["ordf"] = "ª", ["ordm"] = "º", ["Oslash"] = "Ø", ["oslash"] = "ø",
        ["Otilde"] = "Õ", ["otilde"] = "õ", ["Ouml"] = "Ö", ["ouml"] = "ö", ["para"] = "¶", ["plusmn"] = "±",
        ["pound"] = "£", ["QUOT"] = "\"", ["quot"] = "\"", ["raquo"] = "»", ["REG"] = "®", ["reg"] = "®",
        ["sect"] = "§", ["shy"] = "\u00AD", ["sup1"] = "¹", ["sup2"] = "²", ["sup3"] = "³", ["szlig"] = "ß",
        ["THORN"] = "Þ", ["thorn"] = "þ", ["times"] = "×", ["Uacute"] = "Ú", ["uacute"] = "ú", ["Ucirc"] = "Û",
        ["ucirc"] = "û", ["Ugrave"] = "Ù", ["ugrave"] = "ù", ["uml"] = "¨", ["Uuml"] = "Ü", ["uuml"] = "ü",
        ["Yacute"] = "Ý", ["yacute"] = "ý", ["yen"] = "¥", ["yuml"] = "ÿ",
    };
}

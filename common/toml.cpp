#include "common/toml.h"

#include "common/error.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

// toml++ 3.3 (Debian 12) asks is_non_ascii_horizontal_whitespace() about a character beyond
// ASCII wherever it might be a blank, and for most code points (U+00A1-U+0499 among them: any
// accented letter) that function reaches __builtin_unreachable(), undefined behaviour (toml++
// issues #190 and #295, fixed upstream after 3.4; fuzz-monitor_config found it here). It does so
// for such a character anywhere but inside a string or a comment, which is not valid TOML, and
// for one that begins a line after a multi-line string's line-ending backslash, which is.
//
// So the text is first parsed with every character beyond ASCII replaced by '@', which is
// ordinary in strings and comments and an error everywhere else: toml++ never meets one where it
// would ask, and reports a misplaced one at its position. Once that parse succeeds the text is
// valid TOML, every such character is in a string or comment, and a scan of its strings finds
// the one valid case toml++ cannot read. Only then is the text itself parsed.
namespace mogu {
namespace {

constexpr char kStandIn = '@';

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// One '@' per code point (per lead byte): lines and columns stay where they were.
std::string ascii_stand_in(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c < 0x80) out += static_cast<char>(c);
        else if (!continuation(c)) out += kStandIn;
    }
    return out;
}

// The character of `text` at a 1-based line and column (code points), "" past the end.
std::string character_at(const std::string& text, size_t line, size_t column) {
    size_t l = 1, col = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (continuation(c)) continue;
        if (c == '\n') {
            ++l;
            col = 0;
            continue;
        }
        if (l == line && ++col == column) {
            size_t n = 1;
            while (i + n < text.size() && continuation(static_cast<unsigned char>(text[i + n]))) ++n;
            return text.substr(i, n);
        }
    }
    return "";
}

[[noreturn]] void throw_parse_error(const toml::parse_error& e, const std::string& text, const std::string& source) {
    auto line = e.source().begin.line, column = e.source().begin.column;
    std::string description(e.description());
    std::string there = character_at(text, line, column);
    if (!there.empty() && static_cast<unsigned char>(there[0]) >= 0x80) {
        // toml++ saw the stand-in: name what the file has.
        for (size_t at; (at = description.find(std::string(1, kStandIn) + "'")) != std::string::npos;)
            description.replace(at, 1, there);
        description += " (the file has a character beyond ASCII there: TOML allows those only inside strings and comments, and not after a backslash)";
    }
    throw Error("{}:{}:{}: {}", source, line, column, description);
}

// In valid TOML: a character beyond ASCII that begins a line after a line-ending backslash in a
// multi-line basic string ("""..."""). Strings are where a valid document has them, so a scan
// that knows comments and the four kinds of string suffices.
void refuse_after_line_ending_backslash(const std::string& text, const std::string& source) {
    enum class In { code, comment, basic, literal, multi_basic, multi_literal } in = In::code;
    size_t line = 1, column = 0;
    bool trimming = false;  // after a line-ending backslash
    auto at = [&](size_t i, std::string_view s) { return text.compare(i, s.size(), s) == 0; };
    // A multi-line string's closing delimiter may follow one or two quotes of its content: the
    // last three of a run of up to five close it.
    auto skip_closing = [&](size_t& i, char quote) {
        size_t run = 0;
        while (run < 5 && i + run < text.size() && text[i + run] == quote) ++run;
        i += run - 1;
        column += run - 1;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (!continuation(c)) ++column;
        if (c == '\n') {
            ++line;
            column = 0;
            if (in == In::comment) in = In::code;
            continue;
        }
        switch (in) {
            case In::code:
                if (c == '#') in = In::comment;
                else if (at(i, "\"\"\"")) in = In::multi_basic, i += 2, column += 2;
                else if (at(i, "'''")) in = In::multi_literal, i += 2, column += 2;
                else if (c == '"') in = In::basic;
                else if (c == '\'') in = In::literal;
                break;
            case In::comment: break;
            case In::basic:
                if (c == '\\') ++i, ++column;
                else if (c == '"') in = In::code;
                break;
            case In::literal:
                if (c == '\'') in = In::code;
                break;
            case In::multi_basic:
                if (trimming) {
                    if (c == ' ' || c == '\t' || c == '\r') break;
                    trimming = false;
                    if (c >= 0x80)
                        throw Error("{}:{}:{}: a character beyond ASCII first on a line after a line-ending backslash: toml++ 3.3 "
                                    "cannot read that (escape it as \\uXXXX or keep it on the backslash's line)",
                                    source, line, column);
                }
                if (c == '\\') {
                    size_t j = i + 1;
                    while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
                    if (j < text.size() && text[j] == '\n') trimming = true;
                    else ++i, ++column;  // an escape: its next character is part of it
                } else if (at(i, "\"\"\"")) {
                    in = In::code;
                    skip_closing(i, '"');
                }
                break;
            case In::multi_literal:
                if (at(i, "'''")) in = In::code, skip_closing(i, '\'');
                break;
        }
    }
}

toml::table parse_checked(const std::string& text, const std::string& shown, const std::string& source) {
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        throw_parse_error(e, shown, source);
    } catch (const TomlCheckFailed& e) {
        throw Error("{}: not valid TOML (the parser stopped on its own check `{}`; look for a key or table name that begins with a "
                    "character TOML does not allow)",
                    source, e.what());
    }
}

}  // namespace

void toml_check_failed(const char* check) { throw TomlCheckFailed(check); }

void toml_unreachable(const char* file, int line) noexcept {
    fprintf(stderr, "mogu: toml++ reached a point it holds unreachable (%s:%d): stopping rather than going on undefined\n", file, line);
    abort();
}

toml::table parse_toml(const std::string& text, const std::string& source) {
    std::string ascii = ascii_stand_in(text);
    if (ascii.size() == text.size()) return parse_checked(text, text, source);  // nothing beyond ASCII
    parse_checked(ascii, text, source);
    refuse_after_line_ending_backslash(text, source);
    return parse_checked(text, text, source);
}

}  // namespace mogu

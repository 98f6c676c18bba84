// Utf8Normalizer (UTF-8 / UTF-8 BOM / UTF-16 LE and BE -> UTF-8) and trimUnicodeSpace.
#include <catch2/catch.hpp>

#include <string>

#include "formats/encoding.hpp"
#include "vpshunt/problem.hpp"

using namespace vpshunt;

namespace {

struct Normalized {
  std::string text;
  std::string encoding;
  uint64_t replacements = 0;
};

Normalized normalizeInChunks(const std::string& in, size_t chunk) {
  Utf8Normalizer n;
  Normalized r;
  for (size_t i = 0; i < in.size(); i += chunk) n.feed(in.data() + i, std::min(chunk, in.size() - i), r.text);
  n.finish(r.text);
  r.encoding = std::string(n.encodingName());
  r.replacements = n.replacements();
  return r;
}

Normalized normalizeSplit(const std::string& in, size_t at) {
  Utf8Normalizer n;
  Normalized r;
  n.feed(in.data(), at, r.text);
  n.feed(in.data() + at, in.size() - at, r.text);
  n.finish(r.text);
  r.encoding = std::string(n.encodingName());
  r.replacements = n.replacements();
  return r;
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// "ab" as UTF-16LE / BE code units.
std::string utf16le(const std::u16string& s) {
  std::string out;
  for (char16_t c : s) {
    out.push_back(static_cast<char>(c & 0xFF));
    out.push_back(static_cast<char>(c >> 8));
  }
  return out;
}
std::string utf16be(const std::u16string& s) {
  std::string out;
  for (char16_t c : s) {
    out.push_back(static_cast<char>(c >> 8));
    out.push_back(static_cast<char>(c & 0xFF));
  }
  return out;
}

const std::string kFFFD = "\xEF\xBF\xBD";

}  // namespace

TEST_CASE("Utf8Normalizer detects the encoding and converts to UTF-8") {
  struct Case {
    const char* name;
    std::string input;
    const char* encoding;
    std::string expected;
    uint64_t replacements;
  };
  const std::u16string text = u"Time,IP\r\n2024,1.2.3.4 \u00e9\u20ac\U0001F600\n";
  const std::string textUtf8 = "Time,IP\r\n2024,1.2.3.4 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n";
  const Case cases[] = {
      {"plain UTF-8", textUtf8, "utf-8", textUtf8, 0},
      {"UTF-8 with BOM (Excel 'CSV UTF-8')", "\xEF\xBB\xBF" + textUtf8, "utf-8-bom", textUtf8, 0},
      {"UTF-16LE with BOM (PowerShell Export-Csv, Excel 'Unicode text')", "\xFF\xFE" + utf16le(text), "utf-16le", textUtf8, 0},
      {"UTF-16BE with BOM", "\xFE\xFF" + utf16be(text), "utf-16be", textUtf8, 0},
      {"UTF-16LE without BOM", utf16le(u"ab,c\n"), "utf-16le", "ab,c\n", 0},
      {"UTF-16BE without BOM", utf16be(u"ab,c\n"), "utf-16be", "ab,c\n", 0},
      {"empty input", "", "utf-8", "", 0},
      {"one byte", "x", "utf-8", "x", 0},
      {"two bytes", "xy", "utf-8", "xy", 0},
      {"a BOM alone", "\xEF\xBB\xBF", "utf-8-bom", "", 0},
      {"a UTF-16LE BOM alone", "\xFF\xFE", "utf-16le", "", 0},
      {"UTF-8: overlong C0 80", "a" + bytes({0xC0, 0x80}) + "b", "utf-8", "a" + kFFFD + kFFFD + "b", 2},
      {"UTF-8: encoded surrogate ED A0 80", "a" + bytes({0xED, 0xA0, 0x80}) + "b", "utf-8", "a" + kFFFD + kFFFD + kFFFD + "b", 3},
      {"UTF-8: F5 lead byte", "a" + bytes({0xF5, 0x80}) + "b", "utf-8", "a" + kFFFD + kFFFD + "b", 2},
      {"UTF-8: stray continuation byte", "ab" + bytes({0x80}) + "c", "utf-8", "ab" + kFFFD + "c", 1},
      {"UTF-8: truncated sequence at the end", "abc" + bytes({0xE2, 0x82}), "utf-8", "abc" + kFFFD, 1},
      {"UTF-8: truncated sequence before ASCII", "abc" + bytes({0xE2, 0x82}) + "d", "utf-8", "abc" + kFFFD + "d", 1},
      {"UTF-8: Latin-1 byte (a CP1252 file)", "caf" + bytes({0xE9}) + " ok", "utf-8", "caf" + kFFFD + " ok", 1},
      {"UTF-16LE: lone high surrogate before a letter", "\xFF\xFE" + bytes({0x3D, 0xD8, 0x41, 0x00}), "utf-16le", kFFFD + "A", 1},
      {"UTF-16LE: lone low surrogate", "\xFF\xFE" + bytes({0x00, 0xDC, 0x41, 0x00}), "utf-16le", kFFFD + "A", 1},
      {"UTF-16LE: high surrogate at the end", "\xFF\xFE" + bytes({0x41, 0x00, 0x3D, 0xD8}), "utf-16le", "A" + kFFFD, 1},
      {"UTF-16LE: odd trailing byte", "\xFF\xFE" + bytes({0x41, 0x00, 0x42}), "utf-16le", "A" + kFFFD, 1},
      {"UTF-16LE: NUL character passes", "\xFF\xFE" + bytes({0x00, 0x00, 0x41, 0x00}), "utf-16le", std::string("\0A", 2), 0},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto whole = normalizeInChunks(c.input, c.input.size() ? c.input.size() : 1);
      CHECK(whole.encoding == c.encoding);
      CHECK(whole.text == c.expected);
      CHECK(whole.replacements == c.replacements);
      SECTION("every split offset gives the same text") {
        for (size_t at = 0; at <= c.input.size(); ++at) {
          INFO("split at " << at);
          auto s = normalizeSplit(c.input, at);
          REQUIRE(s.text == c.expected);
          REQUIRE(s.encoding == c.encoding);
          REQUIRE(s.replacements == c.replacements);
        }
      }
      SECTION("byte at a time") {
        auto s = normalizeInChunks(c.input, 1);
        CHECK(s.text == c.expected);
        CHECK(s.replacements == c.replacements);
      }
    }
  }
}

TEST_CASE("Utf8Normalizer::convert avoids copying valid UTF-8") {
  Utf8Normalizer n;
  std::string scratch;
  std::string first = "abc";  // the first call decides the encoding (a copy)
  CHECK(n.convert(first.data(), first.size(), scratch) == "abc");
  SECTION("valid UTF-8: a view into the input") {
    std::string chunk = "h\xC3\xA9llo,1.2.3.4\n";
    std::string_view v = n.convert(chunk.data(), chunk.size(), scratch);
    CHECK(v == chunk);
    CHECK(v.data() == chunk.data());
  }
  SECTION("invalid bytes: a corrected copy") {
    std::string chunk = "a\xFF" "b";
    std::string_view v = n.convert(chunk.data(), chunk.size(), scratch);
    CHECK(v == "a" + kFFFD + "b");
    CHECK(n.replacements() == 1);
  }
  SECTION("a sequence split across calls is carried") {
    std::string a = "x\xE2\x82", b = "\xAC" "y";
    std::string out(n.convert(a.data(), a.size(), scratch));
    out += n.convert(b.data(), b.size(), scratch);
    CHECK(out == "x\xE2\x82\xACy");
    CHECK(n.replacements() == 0);
  }
}

TEST_CASE("validUtf8Prefix") {
  CHECK(validUtf8Prefix("") == 0);
  CHECK(validUtf8Prefix("abc") == 3);
  CHECK(validUtf8Prefix("ab\xC3\xA9") == 4);
  CHECK(validUtf8Prefix("ab\xC3") == 2);
  CHECK(validUtf8Prefix("0123456789\x80") == 10);
}

TEST_CASE("trimUnicodeSpace") {
  struct Case {
    const char* name;
    std::string input, expected;
  };
  const Case cases[] = {
      {"ASCII spaces and tabs", " \t1.2.3.4 \r\n", "1.2.3.4"},
      {"trailing NO-BREAK SPACE (Microsoft IOC CSV)", "cdnappservice.web.app\xC2\xA0", "cdnappservice.web.app"},
      {"several NO-BREAK SPACEs", "\xC2\xA0\xC2\xA0x\xC2\xA0\xC2\xA0", "x"},
      {"ideographic space U+3000", "\xE3\x80\x80x\xE3\x80\x80", "x"},
      {"en quad U+2000 and zero width space U+200B", "\xE2\x80\x80x\xE2\x80\x8B", "x"},
      {"a BOM left inside a value", "\xEF\xBB\xBFTimestamp", "Timestamp"},
      {"narrow no-break space U+202F", "x\xE2\x80\xAF", "x"},
      {"inner spaces are kept", "a \xC2\xA0 b", "a \xC2\xA0 b"},
      {"only whitespace", " \xC2\xA0\xE3\x80\x80 ", ""},
      {"empty", "", ""},
      {"a non-space multi-byte character is kept", "\xC3\xA9t\xC3\xA9", "\xC3\xA9t\xC3\xA9"},
      {"ZERO WIDTH NON-JOINER U+200C is not whitespace", "x\xE2\x80\x8C", "x\xE2\x80\x8C"},
      {"a lone C2 at the end is kept", "x\xC2", "x\xC2"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) { CHECK(std::string(trimUnicodeSpace(c.input)) == c.expected); }
  }
}

TEST_CASE("appendUtf8") {
  std::string s;
  appendUtf8(s, 'A');
  appendUtf8(s, 0xE9);
  appendUtf8(s, 0x20AC);
  appendUtf8(s, 0x1F600);
  appendUtf8(s, 0xD800);
  appendUtf8(s, 0x110000);
  CHECK(s == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" + kFFFD + kFFFD);
}

// How messages cut the values they quote (problem.hpp): never inside a character, so that the
// message stays valid UTF-8 (a session fuzz finding: the CLI printed half a character, the page's
// JSON a U+FFFD, and the two summaries differed).
TEST_CASE("cutUtf8 cuts on a character boundary") {
  CHECK(vpshunt::cutUtf8("abc", 5) == "abc");
  CHECK(vpshunt::cutUtf8("abcdef", 3) == "abc");
  CHECK(vpshunt::cutUtf8("a\xC3\xA9", 2) == "a");                 // é would be cut after its lead byte
  CHECK(vpshunt::cutUtf8("a\xC3\xA9", 3) == "a\xC3\xA9");
  CHECK(vpshunt::cutUtf8("\xE2\x82\xAC\xE2\x82\xAC", 5) == "\xE2\x82\xAC");  // €€ at 5 bytes: one €
  CHECK(vpshunt::cutUtf8("\xF0\x9F\x98\x80z", 3).empty());       // inside the first character: nothing
  CHECK(vpshunt::cutUtf8("", 0).empty());
  for (size_t n = 0; n <= 12; ++n) {
    const std::string_view cut = vpshunt::cutUtf8("x\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80y", n);
    INFO(n);
    CHECK(cut.size() <= n);
    CHECK(vpshunt::validUtf8Prefix(cut) == cut.size());
  }
}

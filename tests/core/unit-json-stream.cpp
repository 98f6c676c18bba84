// The streaming JSON tokenizer: tokens, positions, chunking, errors, limits, garbage.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "formats/json_stream.hpp"

using namespace vpshunt::json;

namespace {

// Renders every token as `kind[@depth]:text` (positions when asked) and every error as `ERR(...)`.
struct Recorder : Handler {
  bool positions = false;
  std::string out;
  void onToken(const Token& t) override {
    if (!out.empty()) out += ' ';
    switch (t.kind) {
      case TokenKind::BeginObject: out += '{'; break;
      case TokenKind::EndObject: out += '}'; break;
      case TokenKind::BeginArray: out += '['; break;
      case TokenKind::EndArray: out += ']'; break;
      case TokenKind::Key: out += "k:" + std::string(t.text); break;
      case TokenKind::String: out += "s:" + std::string(t.text); break;
      case TokenKind::Number: out += "n:" + std::string(t.text); break;
      case TokenKind::True: out += "true"; break;
      case TokenKind::False: out += "false"; break;
      case TokenKind::Null: out += "null"; break;
    }
    out += '@' + std::to_string(t.depth);
    if (positions) out += "(" + std::to_string(t.line) + ":" + std::to_string(t.column) + ")";
  }
  void onError(const Error& e) override {
    if (!out.empty()) out += ' ';
    out += "ERR(" + e.what() + ")";
  }
};

std::string tokenize(const std::string& input, bool positions = false, Options o = {}) {
  Recorder r;
  r.positions = positions;
  Stream s(r, o);
  s.feed(input.data(), input.size());
  s.finish();
  return r.out;
}

// Feeds `input` in two chunks split at `split` (each chunk its own buffer, so views into a previous
// chunk would show up as garbage).
std::string tokenizeSplit(const std::string& input, size_t split, bool positions, Options o = {}) {
  Recorder r;
  r.positions = positions;
  Stream s(r, o);
  std::string a = input.substr(0, split), b = input.substr(split);
  s.feed(a.data(), a.size());
  a.assign(a.size(), '#');
  s.feed(b.data(), b.size());
  s.finish();
  return r.out;
}

std::string tokenizeBytewise(const std::string& input, bool positions, Options o = {}) {
  Recorder r;
  r.positions = positions;
  Stream s(r, o);
  for (char c : input) {
    char one = c;
    s.feed(&one, 1);
    one = '#';
  }
  s.finish();
  return r.out;
}

struct Case {
  const char* name;
  std::string input;
  std::string expected;
};

}  // namespace

TEST_CASE("json stream: values and structure", "[json-stream]") {
  std::vector<Case> cases = {
      {"empty input", "", ""},
      {"whitespace only", " \r\n\t ", ""},
      {"empty object", "{}", "{@0 }@0"},
      {"empty array", "[]", "[@0 ]@0"},
      {"scalars in an array", R"([1, -2.5e+3, "x", true, false, null])",
       "[@0 n:1@1 n:-2.5e+3@1 s:x@1 true@1 false@1 null@1 ]@0"},
      {"nested depth", R"({"a":{"b":[{"c":0}]}})", "{@0 k:a@1 {@1 k:b@2 [@2 {@3 k:c@4 n:0@4 }@3 ]@2 }@1 }@0"},
      {"top-level scalars", "1 \"two\" true null", "n:1@0 s:two@0 true@0 null@0"},
      {"json lines with CRLF", "{\"a\":1}\r\n{\"a\":2}\r\n", "{@0 k:a@1 n:1@1 }@0 {@0 k:a@1 n:2@1 }@0"},
      {"concatenated without separator", "{}{}[]", "{@0 }@0 {@0 }@0 [@0 ]@0"},
      {"number at end of input", "42", "n:42@0"},
      {"negative zero and exponent", "[-0, 0.5, 1E9, 2e-7]", "[@0 n:-0@1 n:0.5@1 n:1E9@1 n:2e-7@1 ]@0"},
      {"escapes", R"(["a\"b\\c\/d\b\f\n\r\t"])", "[@0 s:a\"b\\c/d\b\f\n\r\t@1 ]@0"},
      {"unicode escapes", R"(["\u00ae\u20AC\ud83d\ude00"])", "[@0 s:\xC2\xAE\xE2\x82\xAC\xF0\x9F\x98\x80@1 ]@0"},
      {"lone surrogates become U+FFFD", R"(["\ud83dx\ude00"])", "[@0 s:\xEF\xBF\xBDx\xEF\xBF\xBD@1 ]@0"},
      {"raw UTF-8 passes through", "[\"Microsoft\xC2\xAE\"]", "[@0 s:Microsoft\xC2\xAE@1 ]@0"},
      {"UTF-8 BOM skipped", "\xEF\xBB\xBF{\"a\":1}", "{@0 k:a@1 n:1@1 }@0"},
      {"tab inside a string is an error", "[\"a\tb\"]",
       "[@0 ERR(line 1, column 4: unescaped control character byte 0x09 inside a string)"},
      {"escaped key", R"({"a\u0062":1})", "{@0 k:ab@1 n:1@1 }@0"},
      {"pretty printed with tabs", "{\n\t\"a\": [\n\t\t1\n\t]\n}\n", "{@0 k:a@1 [@1 n:1@2 ]@1 }@0"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) { CHECK(tokenize(c.input) == c.expected); }
  }
}

TEST_CASE("json stream: line and column of each token", "[json-stream]") {
  CHECK(tokenize("{\"a\": 1,\r\n \"bb\" : [true]}", true) ==
        "{@0(1:1) k:a@1(1:2) n:1@1(1:7) k:bb@1(2:2) [@1(2:9) true@2(2:10) ]@1(2:14) }@0(2:15)");
  CHECK(tokenize("\xEF\xBB\xBF[1]", true) == "[@0(1:1) n:1@1(1:2) ]@0(1:3)");
  CHECK(tokenize("\n\n  \"x\"", true) == "s:x@0(3:3)");
}

TEST_CASE("json stream: errors name line, column and what was expected", "[json-stream]") {
  std::vector<Case> cases = {
      {"missing comma in object", "{\"a\":1 x}", "ERR(line 1, column 8: expected ',' or '}' after an object member, found 'x')"},
      {"missing comma in array", "[1 2]", "ERR(line 1, column 4: expected ',' or ']' after an array element, found '2')"},
      {"wrong closer", "[1}", "ERR(line 1, column 3: expected ',' or ']' after an array element, found '}')"},
      {"missing colon", "{\"a\" 1}", "ERR(line 1, column 6: expected ':' after an object key, found '1')"},
      {"unquoted key", "{a:1}", "ERR(line 1, column 2: expected a string key or '}', found 'a')"},
      {"trailing comma in object", "{\"a\":1,}", "ERR(line 1, column 8: expected a string key after ',', found '}')"},
      {"trailing comma in array", "[1,]", "ERR(line 1, column 4: expected a value, found ']')"},
      {"stray closer at top", "}", "ERR(line 1, column 1: expected a value, found '}')"},
      {"bad literal", "[tru]", "ERR(line 1, column 5: expected 'true', found ']')"},
      {"bad number", "[01]", "ERR(line 1, column 2: invalid number '01')"},
      {"bad number minus", "[-]", "ERR(line 1, column 2: invalid number '-')"},
      {"bad escape", R"(["\q"])", "ERR(line 1, column 4: invalid escape '\\q' in a string)"},
      {"bad unicode escape", R"(["\u12G4"])", "ERR(line 1, column 7: invalid \\u escape: expected a hex digit, found 'G')"},
      {"line break in string", "{\"a\":\"x\ny\"}", "ERR(line 1, column 8: unexpected line break inside a string)"},
      {"control byte", "\x01", "ERR(line 1, column 1: expected a value, found byte 0x01)"},
      {"unterminated string", "{\"a\":\"xyz", "ERR(line 1, column 10: unexpected end of input inside a string)"},
      {"unterminated key", "{\"ab", "ERR(line 1, column 5: unexpected end of input inside an object key)"},
      {"unterminated object", "{\"a\":1,\n \"b\":2", "ERR(line 2, column 7: unexpected end of input inside an object)"},
      {"unterminated array", "[[1]", "ERR(line 1, column 5: unexpected end of input inside an array)"},
      {"truncated literal", "[nul", "ERR(line 1, column 5: unexpected end of input inside 'null')"},
      {"error on a later line", "{\"a\":1}\n{\"a\":1,,}", "ERR(line 2, column 8: expected a string key after ',', found ',')"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      std::string got = tokenize(c.input);
      // Only the error matters here: tokens before it are covered elsewhere.
      auto at = got.find("ERR(");
      REQUIRE(at != std::string::npos);
      CHECK(got.substr(at) == c.expected);
    }
  }
}

TEST_CASE("json stream: every split offset gives identical tokens and errors", "[json-stream]") {
  std::vector<std::string> docs = {
      R"({"time":"2026-01-01T00:00:00Z","properties":{"RemoteIP":"1.2.3.4","RemotePort":443,"Add":{"x":[1,2.5e-3,null]},"B":true,"C":false}})"
      "\r\n{\"s\":\"\\u00ae \\ud83d\\ude00 \\\"q\\\" caf\xC3\xA9\",\"n\":-12.75E+2}\n",
      "\xEF\xBB\xBF[ {\"a\" : \"\\t\\n\\\\\"} , 12345678901234567890 , \"long string without escapes 0123456789\" ]",
      "{\"a\":1}\n{\"a\":[1,}\n",  // an error
      "{\"unterminated\":\"abc",
      "123",
      "[true,false,null]",
  };
  for (size_t d = 0; d < docs.size(); ++d) {
    const std::string& doc = docs[d];
    std::string whole = tokenize(doc, true);
    INFO("document " << d << ": " << whole);
    CHECK(tokenizeBytewise(doc, true) == whole);
    for (size_t split = 0; split <= doc.size(); ++split) {
      INFO("split at " << split);
      REQUIRE(tokenizeSplit(doc, split, true) == whole);
    }
  }
}

TEST_CASE("json stream: resync at newline keeps reading JSON Lines after a bad line", "[json-stream]") {
  Options o;
  o.resyncAtNewline = true;
  std::string in = "{\"a\":1}\n{\"a\":1 2}\n{\"a\":\"unterminated\n{\"a\":3}\n";
  std::string expected =
      "{@0 k:a@1 n:1@1 }@0 {@0 k:a@1 n:1@1 ERR(line 2, column 8: expected ',' or '}' after an object member, found "
      "'2') {@0 k:a@1 ERR(line 3, column 19: unexpected line break inside a string) {@0 k:a@1 n:3@1 }@0";
  CHECK(tokenize(in, false, o) == expected);
  for (size_t split = 0; split <= in.size(); ++split) REQUIRE(tokenizeSplit(in, split, false, o) == expected);
}

TEST_CASE("json stream: depth limit is an error, not a stack overflow", "[json-stream]") {
  Options o;
  o.maxDepth = 4;
  CHECK(tokenize("[[[[1]]]]", false, o) == "[@0 [@1 [@2 [@3 n:1@4 ]@3 ]@2 ]@1 ]@0");
  CHECK(tokenize("[[[[[1]]]]]", false, o) == "[@0 [@1 [@2 [@3 ERR(line 1, column 5: nesting deeper than 4 levels)");
  std::string deep(1000000, '[');
  Recorder r;
  Stream s(r);
  CHECK_FALSE(s.feed(deep.data(), deep.size()));
  CHECK(s.error().what() == "line 1, column 257: nesting deeper than 256 levels");
}

TEST_CASE("json stream: string length limit", "[json-stream]") {
  Options o;
  o.maxStringBytes = 8;
  CHECK(tokenizeBytewise("[\"12345678\"]", false, o) == "[@0 s:12345678@1 ]@0");
  std::string got = tokenizeBytewise("[\"123456789\"]", false, o);
  CHECK(got == "[@0 ERR(line 1, column 2: string longer than 8 bytes)");  // at the opening quote
  // Fed whole, the string lies in one chunk (the zero-copy path): the same limit and location
  // (issue 14: it once passed unchecked there; tests/fixtures/malformed/defender-json/oversized-string.json.gz).
  CHECK(tokenize("[\"123456789\"]", false, o) == got);
  CHECK(tokenize("[\"12345678\"]", false, o) == "[@0 s:12345678@1 ]@0");
}

TEST_CASE("json stream: stop() from a callback", "[json-stream]") {
  struct Stopper : Handler {
    Stream* s = nullptr;
    int n = 0;
    void onToken(const Token&) override {
      if (++n == 2) s->stop();
    }
  } h;
  Stream s(h);
  h.s = &s;
  CHECK_FALSE(s.feed(std::string_view("[1,2,3]")));
  CHECK(h.n == 2);
  CHECK_FALSE(s.failed());
}

TEST_CASE("json stream: garbage and truncations never crash", "[json-stream]") {
  std::mt19937 rng(12345);
  const std::string seed =
      R"({"records":[{"time":"t","properties":{"RemoteIP":"1.2.3.4","P":[1,2,{"x":null}],"U":"\u00e9\\"}}]})";
  const std::string alphabet = "{}[]\",:\\u0123456789.eE+-tfnrsal \n\r\t\x80\xff";
  struct Counter : Handler {
    uint64_t tokens = 0, errors = 0;
    void onToken(const Token& t) override {
      tokens += t.text.size() + 1;
    }
    void onError(const Error&) override { ++errors; }
  };
  for (int iter = 0; iter < 3000; ++iter) {
    std::string doc;
    switch (iter % 3) {
      case 0: {  // random bytes
        size_t len = rng() % 200;
        for (size_t k = 0; k < len; ++k) doc += static_cast<char>(rng() & 0xff);
        break;
      }
      case 1: {  // random tokens-ish text
        size_t len = rng() % 200;
        for (size_t k = 0; k < len; ++k) doc += alphabet[rng() % alphabet.size()];
        break;
      }
      default: {  // a truncated or mutated valid document
        doc = seed.substr(0, rng() % (seed.size() + 1));
        if (!doc.empty() && (rng() & 1)) doc[rng() % doc.size()] = alphabet[rng() % alphabet.size()];
      }
    }
    Options o;
    o.resyncAtNewline = iter & 1;
    Counter c;
    Stream s(c, o);
    size_t pos = 0;
    while (pos < doc.size()) {
      size_t len = 1 + rng() % 16;
      if (pos + len > doc.size()) len = doc.size() - pos;
      s.feed(doc.data() + pos, len);
      pos += len;
    }
    s.finish();
    CHECK(s.bytesFed() == doc.size());
  }
}

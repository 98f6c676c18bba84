// Shared by the libFuzzer targets in tests/fuzz: how a target reads the fuzzer's bytes, a RecordSink
// that checks what readers promise (record.hpp) and logs every call, and the split oracle.
//
// Input layout of every reader-style target: the whole input is the file's content. The last byte
// (when there is one) also picks how the content is cut into chunks for the second feed, and the
// bytes before it where: so a fixture used as a seed is read as it is, and mutating the tail of an
// input explores other cuts. Chunks are copied into heap buffers that are freed after each feed, so
// a reader that keeps a view into a chunk past its feed() reads freed memory under ASan.
//
// Failures abort(): libFuzzer saves the input and scripts/fuzz.sh reports it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/encoding.hpp"
#include "formats/record.hpp"
#include "formats/registry.hpp"

namespace vpshunt::fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "\nvpshunt fuzz: INVARIANT BROKEN: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}
#define VPSHUNT_FUZZ_CHECK(cond, detail) \
  do {                                   \
    if (!(cond)) ::vpshunt::fuzz::fail(#cond, detail); \
  } while (0)

// Cut points into [0, n) for the split feed, chosen by the input's own bytes: the last byte's low
// three bits give the number of cuts (0-6), the bytes before the last supply 16-bit offsets (mod
// n+1); sorted, may repeat (empty chunks). With 7, chunks of a fixed small width (1 to 8 bytes, from
// the byte before the last): a record split at every few bytes.
inline std::vector<size_t> chooseCuts(const uint8_t* data, size_t size, size_t n) {
  std::vector<size_t> cuts;
  if (size == 0 || n == 0) return cuts;
  unsigned k = data[size - 1] & 7u;
  if (k == 7) {
    size_t width = size >= 2 ? 1 + (data[size - 2] & 7u) : 1;
    for (size_t i = width; i < n; i += width) cuts.push_back(i);
    return cuts;
  }
  size_t src = size - 1;
  for (unsigned i = 0; i < k; ++i) {
    uint32_t v = 0;
    for (int b = 0; b < 2; ++b) {
      src = src == 0 ? size - 1 : src - 1;
      v = (v << 8) | data[src];
    }
    cuts.push_back(v % (n + 1));
  }
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

// Calls feed(ptr, len) for each chunk of `text` between `cuts`, each from its own heap copy that is
// poisoned and freed after the call.
template <class Feed>
void feedChunks(std::string_view text, const std::vector<size_t>& cuts, Feed&& feed) {
  size_t from = 0;
  auto one = [&](size_t to) {
    size_t len = to - from;
    std::unique_ptr<char[]> copy(new char[len ? len : 1]);
    if (len) std::memcpy(copy.get(), text.data() + from, len);
    feed(copy.get(), len);
    std::memset(copy.get(), 0x01, len ? len : 1);
    from = to;
  };
  for (size_t c : cuts) one(c < from ? from : c);
  one(text.size());
}

// The engine's normalisation (encoding.hpp), whole: what a reader is handed.
inline std::string normalize(const uint8_t* data, size_t size) {
  Utf8Normalizer n;
  std::string out;
  n.feed(reinterpret_cast<const char*>(data), size, out);
  n.finish(out);
  return out;
}

inline bool isValidUtf8(std::string_view s) { return validUtf8Prefix(s) == s.size(); }

// Every byte of a view is read (ASan reports a view into freed or foreign memory).
inline uint64_t touch(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Checks the reader contract on every call and logs each call as text (the split oracle compares
// the logs). Invariants:
//  - a field view is readable, valid UTF-8 (readers are handed valid UTF-8 and must not make it
//    invalid) and no longer than the input;
//  - record and problem lines are 1-based and within the input's line count (LF, CR and CRLF all
//    counted as line ends; +1 for a record the end of input completes);
//  - records are only of the reader's kind (sign-ins come from events readers), and none is
//    reported after fatal();
//  - at most one fatal() per file;
//  - every message, reason, note and column name said is valid UTF-8 (values quoted in a message
//    are cut on a character boundary: cutUtf8).
class CheckingSink : public RecordSink {
 public:
  CheckingSink(FileKind readerKind, std::string_view input) : kind_(readerKind), inputSize_(input.size()) {
    lines_ = 1;  // an upper bound whichever line ends a reader counts (LF, CRLF, a lone CR)
    for (char c : input) lines_ += c == '\n' || c == '\r';
  }

  std::string log;
  uint64_t events = 0, indicators = 0, signIns = 0, skips = 0, fatals = 0;
  uint64_t sum = 0;

  void onEvent(const RawEvent& e) override {
    VPSHUNT_FUZZ_CHECK(kind_ == FileKind::Events, "event from an intel reader");
    afterRecord(e.line);
    log += "E" + std::to_string(e.line);
    if (e.hasTime) log += " t" + std::to_string(e.time);
    for (size_t i = 0; i < kEventFieldCount; ++i)
      if (e.present & (1u << i)) field(eventFieldName(EventField(i)), e.get(EventField(i)), e.col(EventField(i)));
    VPSHUNT_FUZZ_CHECK((e.present >> kEventFieldCount) == 0, "event field bit past kCount");
    log += '\n';
    ++events;
  }
  void onIndicator(const RawIndicator& r) override {
    VPSHUNT_FUZZ_CHECK(kind_ == FileKind::Intel, "indicator from an events reader");
    afterRecord(r.line);
    log += "I" + std::to_string(r.line);
    if (r.hasTime) log += " t" + std::to_string(r.time);
    for (size_t i = 0; i < kIntelFieldCount; ++i)
      if (r.present & (1u << i)) field(intelFieldName(IntelField(i)), r.text[i], r.column[i]);
    VPSHUNT_FUZZ_CHECK((r.present >> kIntelFieldCount) == 0, "indicator field bit past kCount");
    log += '\n';
    ++indicators;
  }
  void onSignIn(const RawSignIn& s) override {
    VPSHUNT_FUZZ_CHECK(kind_ == FileKind::Events, "sign-in from an intel reader");
    afterRecord(s.line);
    log += "L" + std::to_string(s.line) + " o" + std::to_string(static_cast<int>(s.outcome));
    VPSHUNT_FUZZ_CHECK(s.outcome <= SignInOutcome::Interrupted, "sign-in outcome out of range");
    if (s.hasTime) log += " t" + std::to_string(s.time);
    for (size_t i = 0; i < kSignInFieldCount; ++i)
      if (s.present & (1u << i)) field(signInFieldName(SignInField(i)), s.get(SignInField(i)), s.col(SignInField(i)));
    VPSHUNT_FUZZ_CHECK((s.present >> kSignInFieldCount) == 0, "sign-in field bit past kCount");
    log += '\n';
    ++signIns;
  }
  void skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) override {
    VPSHUNT_FUZZ_CHECK(fatals == 0, "skip after fatal");
    checkLine(line, "skip");
    VPSHUNT_FUZZ_CHECK(!reason.empty() && !message.empty(), "a skip without reason or message");
    text("skip reason", reason);
    text("skip message", message);
    sum += touch(reason) + touch(message);
    log += "S" + std::to_string(line) + ":" + std::to_string(column) + " " + std::string(reason) + ": " + message + '\n';
    ++skips;
  }
  void other(std::string_view reason) override {
    VPSHUNT_FUZZ_CHECK(fatals == 0, "other after fatal");
    sum += touch(reason);
    text("filter reason", reason);
    log += "O " + std::string(reason) + '\n';
  }
  void fatal(uint64_t line, uint64_t column, std::string message) override {
    VPSHUNT_FUZZ_CHECK(fatals == 0, "a second fatal");
    VPSHUNT_FUZZ_CHECK(line <= lines_ + 1, "fatal line past the input");
    VPSHUNT_FUZZ_CHECK(!message.empty(), "fatal without a message");
    text("fatal message", message);
    log += "F" + std::to_string(line) + ":" + std::to_string(column) + " " + message + '\n';
    ++fatals;
  }
  void note(std::string note) override {
    text("note", note);
    log += "N " + note + '\n';
  }
  void missingColumn(std::string name) override {
    text("missing column", name);
    log += "M " + name + '\n';
  }
  FileKind kind() const override { return kind_; }
  // Logged, so that it is said at the same place however the input is chunked (threads cut on it).
  void layoutChanged() override {
    VPSHUNT_FUZZ_CHECK(fatals == 0, "a layout change after fatal");
    log += "H\n";
  }

 private:
  void checkLine(uint64_t line, const char* what) {
    if (line == 0 || line > lines_ + 1)
      fail("line out of range", std::string(what) + " at line " + std::to_string(line) + " of " + std::to_string(lines_));
  }
  // What a reader says is shown as it is (the CLI prints it, the page's JSON would replace bad
  // bytes): it quotes the input, which is valid UTF-8, and must not cut a character in two.
  static void text(const char* what, std::string_view s) {
    if (!isValidUtf8(s)) fail("not valid UTF-8", std::string(what) + ": " + std::string(s));
  }
  void afterRecord(uint64_t line) {
    VPSHUNT_FUZZ_CHECK(fatals == 0, "record after fatal");
    checkLine(line, "record");
  }
  void field(std::string_view name, std::string_view v, uint32_t col) {
    sum += touch(v);
    VPSHUNT_FUZZ_CHECK(v.size() <= inputSize_ || v.size() <= 64, "field longer than the input");
    if (!isValidUtf8(v)) fail("field is not valid UTF-8", std::string(name));
    log += ' ';
    log += name;
    log += '=';
    log += v;
    log += '@';
    log += std::to_string(col);
  }

  FileKind kind_;
  size_t inputSize_;
  uint64_t lines_;
};

// Reads `text` with the reader `f`: whole, then in the chunks `cuts` gives; both must log the same.
inline void readWholeAndSplit(const ReaderFactory& f, std::string_view text, const std::vector<size_t>& cuts) {
  CheckingSink whole(f.kind, text);
  {
    auto r = f.create(whole);
    feedChunks(text, {}, [&](const char* p, size_t n) { r->feed(p, n); });
    r->finish();
  }
  CheckingSink split(f.kind, text);
  {
    auto r = f.create(split);
    feedChunks(text, cuts, [&](const char* p, size_t n) { r->feed(p, n); });
    r->finish();
  }
  if (whole.log != split.log) {
    std::string cutText;
    for (size_t c : cuts) cutText += std::to_string(c) + " ";
    size_t at = 0;
    while (at < whole.log.size() && at < split.log.size() && whole.log[at] == split.log[at]) ++at;
    size_t from = at > 200 ? at - 200 : 0;
    fail("a split feed reads differently from the whole feed",
         std::string("reader ") + std::string(f.name) + ", cuts at " + cutText + "\n--- whole (from byte " + std::to_string(from) +
             ")\n" + whole.log.substr(from, 600) + "\n--- split\n" + split.log.substr(from, 600));
  }
}

}  // namespace vpshunt::fuzz

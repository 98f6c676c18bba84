// Streaming RFC 4180 tokenizer: bytes in, in chunks of any size; records out.
//
//   struct MyHandler : CsvTokenizer::Handler { void onRecord(const CsvRecord& r) override {...} };
//   CsvTokenizer t(handler);
//   t.feed(chunk, n); ...; t.finish();
//
// Quoted fields may hold delimiters, doubled quotes and line breaks; records end at LF, CRLF or a
// lone CR; blank lines are skipped; a missing final newline is fine. Records are parsed in place in
// the caller's chunk when they lie inside it; only a record that spans chunks is copied (into a
// carry buffer). Field views are valid only during onRecord(). No allocation per field: unescaped
// quoted fields go to a scratch buffer that is reused.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace vpshunt {

struct CsvRecord {
  const std::string_view* fields = nullptr;
  const uint32_t* columns = nullptr;  // 1-based byte column of each field within its line
  size_t count = 0;
  uint64_t line = 0;      // line where the record starts
  uint64_t lastLine = 0;  // line where it ends (differs when a quoted field holds line breaks)
  // Set when the record is malformed (text after a closing quote, unterminated quote at the end of
  // the input): the record is still delivered, the reader decides what to do with it.
  const char* error = nullptr;
  uint64_t errorLine = 0, errorColumn = 0;
};

class CsvTokenizer {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void onRecord(const CsvRecord& record) = 0;
  };

  explicit CsvTokenizer(Handler& handler, char delimiter = ',');
  void feed(const char* data, size_t size);
  void finish();  // delivers a last record without a final newline
  // Only these field indexes are unquoted and unescaped in later records; the others are delivered
  // empty (still counted, still checked for structure). Empty = all. Readers set it once they have
  // read the header, so that columns the rule does not use cost next to nothing.
  void setWanted(std::vector<uint8_t> wanted) { wanted_ = std::move(wanted); }
  // Stop delivering records (e.g. the reader gave up on the file); later input is ignored.
  void stop() { stopped_ = true; }
  // Bytes of carried-over records (records that span chunks) handed to the record parser: at most
  // about twice the bytes carried, however finely the input is cut (a test holds it to that).
  uint64_t carryParsedBytes() const { return carryParsed_; }

 private:
  // Parses one record starting at p; returns the position after its terminator, or nullptr when
  // the record is incomplete and `final` is false.
  const char* parseRecord(const char* p, const char* end, bool final);
  void deliver();
  // The first delimiter, CR or LF at or after p (end when none), through mask_.
  const char* nextFieldEnd(const char* p, const char* end);
  // Bit i of mask_: maskBase_[i] is the delimiter, CR or LF. Valid within one buffer only: reset
  // whenever parsing moves to another buffer (a new feed() chunk, the carry buffer).
  const char* maskBase_ = nullptr;
  [[maybe_unused]] uint64_t mask_ = 0;  // (not used in wasm builds)

  Handler& handler_;
  char delim_;
  bool stopped_ = false;
  uint64_t line_ = 1;
  std::string carry_;
  // Where parseRecord's grammar stands after the bytes of carry_ scanned so far, so that each
  // carried byte is looked at once and the record is parsed only when a line break outside quotes
  // may have ended it (not again on every chunk: quadratic for a long record in small chunks).
  // Ended: a line break was seen and the parse still wanted a byte (a CR at the end of a chunk).
  enum class CarryState : uint8_t { FieldStart, Unquoted, Quoted, QuoteSeen, AfterQuote, Ended };
  CarryState carryState_ = CarryState::FieldStart;
  // The first byte in [p, end) at which the carried record may end (a CR or LF outside quotes),
  // advancing carryState_ over the bytes before it (Ended then); nullptr (all of them scanned) when
  // none.
  const char* scanCarry(const char* p, const char* end);
  uint64_t carryParsed_ = 0;
  // Unescaped text of quoted fields with doubled quotes: scratch_[0 .. scratchLen_).
  std::string scratch_;
  size_t scratchLen_ = 0;
  // The pieces between doubled quotes are short: copied with a few overlapping word moves, not a
  // library call per piece (a call in wasm). Reads stay inside [p, p + n).
  // n bytes, sizeof(W) <= n <= 2 * sizeof(W): a word from each end (they may overlap).
  template <class W>
  static void copyEnds(char* d, const char* p, size_t n) {
    W a, b;
    std::memcpy(&a, p, sizeof a);
    std::memcpy(&b, p + n - sizeof b, sizeof b);
    std::memcpy(d, &a, sizeof a);
    std::memcpy(d + n - sizeof b, &b, sizeof b);
  }
  void appendScratch(const char* p, size_t n) {
    if (scratchLen_ + n > scratch_.size()) scratch_.resize(std::max(scratch_.size() * 2, scratchLen_ + n + 256));
    char* d = scratch_.data() + scratchLen_;
    scratchLen_ += n;
    if (n > 256) {
      std::memcpy(d, p, n);
    } else if (n >= 16) {
      for (size_t i = 0; i + 16 <= n; i += 16) std::memcpy(d + i, p + i, 16);
      std::memcpy(d + n - 16, p + n - 16, 16);
    } else if (n >= 8) {
      copyEnds<uint64_t>(d, p, n);
    } else if (n >= 4) {
      copyEnds<uint32_t>(d, p, n);
    } else if (n >= 2) {
      copyEnds<uint16_t>(d, p, n);
    } else if (n == 1) {
      d[0] = p[0];
    }
  }
  struct Span {
    const char* ptr;  // null: lives in scratch_ at `offset`
    size_t offset;
    uint32_t size;
    uint32_t column;
  };
  // spans_[0 .. nSpans_): the current record's fields. Written member by member in place (a Span
  // built on the stack and copied in cost a store-forwarding stall per field).
  std::vector<Span> spans_;
  size_t nSpans_ = 0;
  void pushSpan(const char* ptr, size_t offset, uint32_t size, uint32_t column) {
    if (nSpans_ == spans_.size()) spans_.resize(spans_.size() * 2);
    Span& s = spans_[nSpans_++];
    s.ptr = ptr;
    s.offset = offset;
    s.size = size;
    s.column = column;
  }
  std::vector<std::string_view> views_;
  std::vector<uint32_t> columns_;
  CsvRecord rec_;
  const char* recError_ = nullptr;
  uint64_t recErrorLine_ = 0, recErrorColumn_ = 0;
  uint64_t recLines_ = 0;
  std::vector<uint8_t> wanted_;
};

}  // namespace vpshunt

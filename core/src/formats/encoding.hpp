// Text encodings: every file's bytes become UTF-8 before sniffing and reading.
//
// Excel ("Unicode text") and PowerShell (`Out-File`, `Export-Csv` in Windows PowerShell 5) save
// UTF-16 with a byte-order mark; many Windows tools write UTF-8 with a BOM. Readers only ever see
// UTF-8 without a BOM, and never an invalid sequence: anything that does not decode is replaced by
// U+FFFD and counted (so that later JSON output, which must be valid UTF-8, cannot fail on log text).
//
// Detection, from the first bytes of the stream:
//   EF BB BF  -> "utf-8-bom"  (the BOM is dropped)
//   FF FE     -> "utf-16le"   (the BOM is dropped)
//   FE FF     -> "utf-16be"   (the BOM is dropped)
//   xx 00 with xx a printable ASCII byte or TAB/CR/LF -> "utf-16le" without a BOM (text files never
//             hold NUL bytes; a PowerShell `-Encoding Unicode` file cut before its BOM looks like this)
//   00 xx     -> "utf-16be" without a BOM, likewise
//   anything else -> "utf-8"  (validated; invalid bytes become U+FFFD)
//
// Example:
//   Utf8Normalizer norm;
//   std::string text;
//   while (readChunk(buf, n)) { text.clear(); norm.feed(buf, n, text); reader.feed(text.data(), text.size()); }
//   text.clear(); norm.finish(text); reader.feed(text.data(), text.size()); reader.finish();
//   report.encoding = norm.encodingName(); report.replacements = norm.replacements();
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vpshunt {

class Utf8Normalizer {
 public:
  enum class Encoding : uint8_t { Unknown, Utf8, Utf8Bom, Utf16LE, Utf16BE };

  // Appends the UTF-8 for `data[0, size)` to `out`. Chunks may split anything: the BOM, a UTF-8
  // sequence, a UTF-16 code unit, a surrogate pair. Bytes of an incomplete sequence are carried
  // (at most 3) until the next call. Never throws except std::bad_alloc.
  void feed(const char* data, size_t size, std::string& out);

  // Like feed(), but returns the UTF-8 text of this call without copying when the input is already
  // valid UTF-8 with nothing carried (the common case): the view then points into `data`. Otherwise
  // it points into `scratch` (which is overwritten). Valid until `data` or `scratch` changes.
  std::string_view convert(const char* data, size_t size, std::string& scratch);

  // End of input: a carried incomplete sequence becomes one U+FFFD (counted); a stream shorter than
  // a BOM is decided here.
  void finish(std::string& out);

  // "utf-8", "utf-8-bom", "utf-16le", "utf-16be"; "unknown" before enough bytes were seen.
  std::string_view encodingName() const;
  Encoding encoding() const { return enc_; }
  // Invalid sequences (UTF-8) or unpaired surrogates / odd trailing byte (UTF-16) replaced by U+FFFD.
  uint64_t replacements() const { return replacements_; }

 private:
  void decide(std::string& out);
  void feedUtf8(const unsigned char* p, size_t n, std::string& out);
  void feedUtf16(const unsigned char* p, size_t n, std::string& out);
  void emitUnit(uint16_t u, std::string& out);

  Encoding enc_ = Encoding::Unknown;
  unsigned char carry_[4] = {0, 0, 0, 0};  // undecided head, or an incomplete UTF-8 sequence / UTF-16 unit
  uint8_t carryLen_ = 0;
  uint16_t highSurrogate_ = 0;  // UTF-16: a high surrogate waiting for its low half
  uint64_t replacements_ = 0;
};

// Length of the longest prefix of `s` that is valid, complete UTF-8.
size_t validUtf8Prefix(std::string_view s);

// Removes leading and trailing whitespace, ASCII and Unicode: TAB, LF, VT, FF, CR, space, U+0085,
// U+00A0 (NO-BREAK SPACE), U+1680, U+2000..U+200B (including ZERO WIDTH SPACE), U+2028, U+2029,
// U+202F, U+205F, U+3000 and U+FEFF (a BOM left inside a value). `s` must be UTF-8.
std::string_view trimUnicodeSpace(std::string_view s);

// Appends the UTF-8 form of `cp` (U+FFFD for surrogates and values above U+10FFFF).
void appendUtf8(std::string& out, uint32_t cp);

}  // namespace vpshunt

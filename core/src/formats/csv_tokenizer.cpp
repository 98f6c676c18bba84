#include "formats/csv_tokenizer.hpp"
#include "formats/scan.hpp"

#include <algorithm>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vpshunt {

namespace {

// First byte in [p, end) that is the delimiter, CR or LF; `end` when none.
inline const char* findFieldEnd(const char* p, const char* end, char delim) {
#if defined(__wasm_simd128__)
  const v128_t d = wasm_i8x16_splat(delim), cr = wasm_i8x16_splat('\r'), lf = wasm_i8x16_splat('\n');
  while (end - p >= 16) {
    v128_t v = wasm_v128_load(p);
    v128_t m = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, d), wasm_i8x16_eq(v, cr)), wasm_i8x16_eq(v, lf));
    uint32_t bits = wasm_i8x16_bitmask(m);
    if (bits) return p + __builtin_ctz(bits);
    p += 16;
  }
#elif defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delim), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, cr)), _mm_cmpeq_epi8(v, lf));
    unsigned bits = unsigned(_mm_movemask_epi8(m));
    if (bits) return p + __builtin_ctz(bits);
    p += 16;
  }
#endif
  while (p < end && *p != delim && *p != '\n' && *p != '\r') ++p;
  return p;
}

#if !defined(__wasm__)
// The next 64 bytes at p (end - p >= 64): bit i set when p[i] is the delimiter, CR or LF.
inline uint64_t fieldEndMask64(const char* p, char delim) {
  uint64_t m = 0;
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delim), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    __m128i x = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, cr)), _mm_cmpeq_epi8(v, lf));
    m |= uint64_t(unsigned(_mm_movemask_epi8(x))) << (16 * k);
  }
#else
  for (int i = 0; i < 64; ++i)
    if (p[i] == delim || p[i] == '\r' || p[i] == '\n') m |= uint64_t(1) << i;
#endif
  return m;
}
#endif

}  // namespace

// Natively, most fields being short, one 64-byte mask serves several of them: finding a field's end
// is a shift and a count of trailing zeros, and the branch that ends a scan is not taken per field.
const char* CsvTokenizer::nextFieldEnd(const char* p, const char* end) {
#if defined(__wasm__)
  // Measured under V8 (node --cpu-prof): there the mask costs more than it saves (parseRecord
  // 18 % of the run with the plain scan, 20-22 % with the mask). The plain scan it is.
  return findFieldEnd(p, end, delim_);
#else
  for (;;) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(p), base = reinterpret_cast<uintptr_t>(maskBase_);
    if (maskBase_ && at >= base && at - base < 64) {
      const uint64_t m = mask_ >> (at - base);
      if (m) return p + __builtin_ctzll(m);
      p = maskBase_ + 64;
    }
    if (end - p < 64) return findFieldEnd(p, end, delim_);  // the last bytes of the buffer
    maskBase_ = p;
    mask_ = fieldEndMask64(p, delim_);
  }
#endif
}

CsvTokenizer::CsvTokenizer(Handler& handler, char delimiter) : handler_(handler), delim_(delimiter) {
  spans_.resize(64);
  views_.reserve(128);
  columns_.reserve(128);
}

const char* CsvTokenizer::parseRecord(const char* p, const char* end, bool final) {
  const char* lineStart = p;
  nSpans_ = 0;
  scratchLen_ = 0;
  recError_ = nullptr;
  recLines_ = 0;
  auto setError = [&](const char* msg, const char* at) {
    if (!recError_) {
      recError_ = msg;
      recErrorLine_ = line_ + recLines_;
      recErrorColumn_ = uint64_t(at - lineStart) + 1;
    }
  };
  for (;;) {
    const char* fieldStart = p;
    uint32_t column = uint32_t(fieldStart - lineStart) + 1;
    const size_t index = nSpans_;
    const bool want = index >= wanted_.size() || wanted_[index];
    if (p < end && *p == '"') {
      const char* q = p + 1;
      bool escaped = false;
      size_t scratchStart = 0;
      const char* openQuote = p;
      uint64_t openLine = line_ + recLines_;
      uint64_t openColumn = column;
      const char* scan = q;  // q: start of the text not yet copied; scan: where the search resumes
      for (;;) {
        // One pass finds both the next quote and the line breaks before it (for line numbers).
        const char* r = findEither(scan, end, '"', '\n');
        if (r && *r == '\n') {
          ++recLines_;
          lineStart = r + 1;
          scan = r + 1;
          continue;
        }
        if (!r || (r + 1 == end && !final)) {
          if (!final) return nullptr;
          // Unterminated: the field runs to the end of the input.
          if (!recError_) {
            recError_ = "unterminated quoted field: expected a closing '\"' before the end of the file";
            recErrorLine_ = openLine;
            recErrorColumn_ = openColumn;
          }
          if (escaped) {
            appendScratch(q, size_t(end - q));
            pushSpan(nullptr, scratchStart, uint32_t(scratchLen_ - scratchStart), column);
          } else {
            pushSpan(openQuote + 1, 0, uint32_t(end - openQuote - 1), column);
          }
          return end;
        }
        if (r + 1 < end && r[1] == '"') {  // doubled quote: a literal '"'
          if (!want) {  // a column nobody reads: find its end, skip the unescaping
            q = scan = r + 2;
            continue;
          }
          if (!escaped) {
            escaped = true;
            scratchStart = scratchLen_;
          }
          appendScratch(q, size_t(r + 1 - q));
          q = scan = r + 2;
          continue;
        }
        // Closing quote.
        if (!want) {
          pushSpan(openQuote, 0, 0, column);
        } else if (escaped) {
          appendScratch(q, size_t(r - q));
          pushSpan(nullptr, scratchStart, uint32_t(scratchLen_ - scratchStart), column);
        } else {
          pushSpan(openQuote + 1, 0, uint32_t(r - openQuote - 1), column);
        }
        p = r + 1;
        break;
      }
      if (p < end && *p != delim_ && *p != '\n' && *p != '\r') {
        // Text after the closing quote: keep it (lenient), but flag the record.
        setError("expected a delimiter or the end of the line after a closing quote", p);
        const char* e = findFieldEnd(p, end, delim_);
        if (e == end && !final) return nullptr;
        Span& s = spans_[nSpans_ - 1];
        if (s.ptr) {  // move to scratch so the two pieces are contiguous
          size_t off = scratchLen_;
          appendScratch(s.ptr, s.size);
          s.ptr = nullptr;
          s.offset = off;
        }
        appendScratch(p, size_t(e - p));
        s.size = uint32_t(scratchLen_ - s.offset);
        p = e;
      }
    } else {
      const char* e = nextFieldEnd(p, end);
      if (e == end && !final) return nullptr;
      pushSpan(p, 0, want ? uint32_t(e - p) : 0u, column);
      p = e;
    }
    // At a delimiter, a line break, or the end of the input.
    if (p == end) {
      if (!final) return nullptr;
      return end;
    }
    char c = *p;
    if (c == delim_) {
      ++p;
      continue;
    }
    if (c == '\n') {
      ++recLines_;
      return p + 1;
    }
    // '\r'
    if (p + 1 == end && !final) return nullptr;
    ++p;
    if (p < end && *p == '\n') ++p;
    ++recLines_;
    return p;
  }
}

void CsvTokenizer::deliver() {
  const size_t n = nSpans_;
  // A blank line: one empty, unquoted field.
  views_.resize(n);
  columns_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Span& s = spans_[i];
    views_[i] = s.ptr ? std::string_view(s.ptr, s.size) : std::string_view(scratch_.data() + s.offset, s.size);
    columns_[i] = s.column;
  }
  rec_.fields = views_.data();
  rec_.columns = columns_.data();
  rec_.count = n;
  rec_.line = line_;
  rec_.lastLine = line_ + (recLines_ ? recLines_ - 1 : 0);
  rec_.error = recError_;
  rec_.errorLine = recErrorLine_;
  rec_.errorColumn = recErrorColumn_;
  handler_.onRecord(rec_);
}

// parseRecord's grammar over one byte at a time, only as far as where a record ends: a field
// opening with '"' is quoted up to a '"' not doubled (line breaks inside are text), anything else
// runs to the delimiter, CR or LF. Only the CR or LF that parseRecord would end the record at stops
// the scan (a lone CR at the end of a chunk leaves the parse wanting one more byte: Ended).
const char* CsvTokenizer::scanCarry(const char* p, const char* end) {
  CarryState st = carryState_;
  if (st == CarryState::Ended) return p < end ? p : nullptr;
  for (; p < end; ++p) {
    const char c = *p;
    switch (st) {
      case CarryState::Quoted:
        if (c == '"') st = CarryState::QuoteSeen;
        continue;
      case CarryState::QuoteSeen:
        if (c == '"') {
          st = CarryState::Quoted;
          continue;
        }
        break;
      case CarryState::FieldStart:
        if (c == '"') {
          st = CarryState::Quoted;
          continue;
        }
        break;
      default:
        break;
    }
    if (c == delim_) {
      st = CarryState::FieldStart;
    } else if (c == '\n' || c == '\r') {
      carryState_ = CarryState::Ended;
      return p;
    } else if (st == CarryState::FieldStart) {
      st = CarryState::Unquoted;
    } else if (st == CarryState::QuoteSeen) {
      st = CarryState::AfterQuote;
    }
  }
  carryState_ = st;
  return nullptr;
}

void CsvTokenizer::feed(const char* data, size_t size) {
  if (stopped_ || size == 0) return;
  maskBase_ = nullptr;  // the caller may reuse its buffer: no mask outlives a call
  const char* p = data;
  const char* const end = data + size;
  while (!carry_.empty() && p < end) {
    // Complete the record that began in an earlier chunk. Its bytes are scanned once (scanCarry)
    // and the record is parsed only once a line break may have ended it: linear in its length
    // however small the chunks. The byte after the line break comes along (CRLF or a lone CR).
    const char* at = scanCarry(p, end);
    if (!at) {
      carry_.append(p, size_t(end - p));
      return;
    }
    const size_t take = std::min<size_t>(size_t(at - p) + 2, size_t(end - p));
    carry_.append(p, take);
    p += take;
    const char* cs = carry_.data();
    const char* ce = cs + carry_.size();
    maskBase_ = nullptr;  // carry_ may have moved or changed since a mask was made
    carryParsed_ += carry_.size();
    const char* done = parseRecord(cs, ce, false);
    maskBase_ = nullptr;
    if (!done) continue;  // a CR that ends this chunk: the next byte decides (Ended)
    const size_t used = size_t(done - cs), rest = carry_.size() - used;
    bool blank = nSpans_ == 1 && spans_[0].size == 0 && spans_[0].ptr && *cs != '"';
    if (!blank) deliver();
    line_ += recLines_;
    carryState_ = CarryState::FieldStart;
    if (rest <= take) {  // always, while scanCarry follows parseRecord: the bytes past go back
      p -= rest;
      carry_.clear();
      continue;
    }
    // The record ended before the bytes of this chunk: read the carried bytes after it as a chunk
    // of their own (correct whatever the scan said), then this chunk's.
    p -= take;
    std::string after = carry_.substr(used, rest - take);
    carry_.clear();
    feed(after.data(), after.size());
    maskBase_ = nullptr;
  }
  while (p < end && !stopped_) {
    const char* done = parseRecord(p, end, false);
    if (!done) {
      carry_.assign(p, size_t(end - p));
      carryState_ = CarryState::FieldStart;
      scanCarry(carry_.data(), carry_.data() + carry_.size());
      return;
    }
    bool blank = nSpans_ == 1 && spans_[0].size == 0 && spans_[0].ptr && *p != '"';
    if (!blank) deliver();
    line_ += recLines_;
    p = done;
  }
}

void CsvTokenizer::finish() {
  if (stopped_) return;
  maskBase_ = nullptr;
  while (!carry_.empty()) {
    const char* cs = carry_.data();
    const char* ce = cs + carry_.size();
    maskBase_ = nullptr;  // erase() below moves the rest of carry_ within the same storage
    const char* done = parseRecord(cs, ce, true);
    bool blank = nSpans_ == 1 && spans_[0].size == 0 && spans_[0].ptr && *cs != '"';
    if (!blank) deliver();
    line_ += recLines_;
    carry_.erase(0, size_t(done - cs));
  }
  carryState_ = CarryState::FieldStart;
}

}  // namespace vpshunt

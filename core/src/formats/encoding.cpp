#include "formats/encoding.hpp"

#include <cstring>

namespace vpshunt {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// One UTF-8 sequence at p[0, n), n >= 1. Returns 1 (valid, `len` bytes), 0 (invalid: `len` is the
// maximal subpart to replace with one U+FFFD, as the WHATWG and Unicode "best practice" say), or -1
// (a valid but incomplete prefix: all `n` bytes belong to a sequence that needs more).
int decodeOne(const unsigned char* p, size_t n, size_t& len) {
  unsigned c = p[0];
  if (c < 0x80) {
    len = 1;
    return 1;
  }
  size_t need;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;        // no overlong forms
    else if (c == 0xED) hi = 0x9F;   // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;        // no overlong forms
    else if (c == 0xF4) hi = 0x8F;   // nothing above U+10FFFF
  } else {
    len = 1;
    return 0;
  }
  for (size_t i = 1; i <= need; ++i) {
    if (i >= n) {
      len = n;
      return -1;
    }
    unsigned b = p[i];
    if (b < lo || b > hi) {
      len = i;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  len = need + 1;
  return 1;
}

// Index of the first byte >= 0x80 at or after i (or n).
inline size_t skipAscii(const unsigned char* p, size_t i, size_t n) {
  while (i + 32 <= n) {  // 32 bytes a step: exports are nearly all ASCII
    uint64_t w[4];
    std::memcpy(w, p + i, 32);
    if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) break;
    i += 32;
  }
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

bool isPrintableOrSpace(unsigned char c) { return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      out.append(kReplacement, 3);
      return;
    }
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp <= 0x10FFFF) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.append(kReplacement, 3);
  }
}

size_t validUtf8Prefix(std::string_view s) {
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (true) {
    i = skipAscii(p, i, n);
    if (i >= n) return n;
    size_t len;
    if (decodeOne(p + i, n - i, len) != 1) return i;
    i += len;
  }
}

std::string_view Utf8Normalizer::encodingName() const {
  switch (enc_) {
    case Encoding::Utf8: return "utf-8";
    case Encoding::Utf8Bom: return "utf-8-bom";
    case Encoding::Utf16LE: return "utf-16le";
    case Encoding::Utf16BE: return "utf-16be";
    default: return "unknown";
  }
}

void Utf8Normalizer::decide(std::string& out) {
  const unsigned char* h = carry_;
  size_t k = carryLen_, drop = 0;
  if (k >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF) {
    enc_ = Encoding::Utf8Bom;
    drop = 3;
  } else if (k >= 2 && h[0] == 0xFF && h[1] == 0xFE) {
    enc_ = Encoding::Utf16LE;
    drop = 2;
  } else if (k >= 2 && h[0] == 0xFE && h[1] == 0xFF) {
    enc_ = Encoding::Utf16BE;
    drop = 2;
  } else if (k >= 2 && h[1] == 0 && isPrintableOrSpace(h[0])) {
    enc_ = Encoding::Utf16LE;
  } else if (k >= 2 && h[0] == 0 && h[1] != 0) {
    enc_ = Encoding::Utf16BE;
  } else {
    enc_ = Encoding::Utf8;
  }
  unsigned char rest[4];
  size_t restLen = k - drop;
  std::memcpy(rest, h + drop, restLen);
  carryLen_ = 0;
  if (restLen) feed(reinterpret_cast<const char*>(rest), restLen, out);
}

void Utf8Normalizer::feed(const char* data, size_t size, std::string& out) {
  auto p = reinterpret_cast<const unsigned char*>(data);
  if (enc_ == Encoding::Unknown) {
    while (size > 0 && carryLen_ < 3) {
      carry_[carryLen_++] = *p++;
      --size;
    }
    if (carryLen_ < 3) return;  // wait for enough bytes to tell a BOM
    decide(out);
  }
  if (enc_ == Encoding::Utf16LE || enc_ == Encoding::Utf16BE)
    feedUtf16(p, size, out);
  else
    feedUtf8(p, size, out);
}

std::string_view Utf8Normalizer::convert(const char* data, size_t size, std::string& scratch) {
  if ((enc_ == Encoding::Utf8 || enc_ == Encoding::Utf8Bom) && carryLen_ == 0) {
    size_t v = validUtf8Prefix(std::string_view(data, size));
    if (v == size) return std::string_view(data, size);
    scratch.assign(data, v);
    feedUtf8(reinterpret_cast<const unsigned char*>(data) + v, size - v, scratch);
    return scratch;
  }
  scratch.clear();
  feed(data, size, scratch);
  return scratch;
}

void Utf8Normalizer::feedUtf8(const unsigned char* p, size_t n, std::string& out) {
  if (n == 0) return;
  // Complete a sequence carried from the previous chunk.
  while (carryLen_ > 0 && n > 0) {
    unsigned char tmp[8];
    size_t k = carryLen_;
    std::memcpy(tmp, carry_, k);
    size_t take = n < 4 ? n : 4;
    std::memcpy(tmp + k, p, take);
    size_t len;
    int r = decodeOne(tmp, k + take, len);
    if (r == -1) {  // still incomplete: everything we have is a prefix
      std::memcpy(carry_ + k, p, take);
      carryLen_ = static_cast<uint8_t>(k + take);
      return;
    }
    if (r == 1)
      out.append(reinterpret_cast<const char*>(tmp), len);
    else {
      out.append(kReplacement, 3);
      ++replacements_;
    }
    carryLen_ = 0;
    // len >= k: the carry was a valid prefix, so the sequence (or maximal subpart) covers it.
    size_t used = len - k;
    p += used;
    n -= used;
  }
  size_t i = 0, run = 0;
  while (true) {
    i = skipAscii(p, i, n);
    if (i >= n) break;
    size_t len;
    int r = decodeOne(p + i, n - i, len);
    if (r == 1) {
      i += len;
      continue;
    }
    out.append(reinterpret_cast<const char*>(p + run), i - run);
    if (r == -1) {
      std::memcpy(carry_, p + i, len);
      carryLen_ = static_cast<uint8_t>(len);
      return;
    }
    out.append(kReplacement, 3);
    ++replacements_;
    i += len;
    run = i;
  }
  out.append(reinterpret_cast<const char*>(p + run), n - run);
}

void Utf8Normalizer::emitUnit(uint16_t u, std::string& out) {
  if (highSurrogate_) {
    if (u >= 0xDC00 && u <= 0xDFFF) {
      uint32_t cp = 0x10000 + ((uint32_t(highSurrogate_) - 0xD800) << 10) + (u - 0xDC00);
      highSurrogate_ = 0;
      appendUtf8(out, cp);
      return;
    }
    out.append(kReplacement, 3);  // a high surrogate without its low half
    ++replacements_;
    highSurrogate_ = 0;
  }
  if (u < 0x80) {
    out.push_back(static_cast<char>(u));
  } else if (u >= 0xD800 && u <= 0xDBFF) {
    highSurrogate_ = u;
  } else if (u >= 0xDC00 && u <= 0xDFFF) {
    out.append(kReplacement, 3);  // a low surrogate alone
    ++replacements_;
  } else {
    appendUtf8(out, u);
  }
}

void Utf8Normalizer::feedUtf16(const unsigned char* p, size_t n, std::string& out) {
  const bool le = enc_ == Encoding::Utf16LE;
  if (carryLen_ == 1 && n > 0) {
    uint16_t u = le ? uint16_t(carry_[0] | (p[0] << 8)) : uint16_t((carry_[0] << 8) | p[0]);
    carryLen_ = 0;
    ++p;
    --n;
    emitUnit(u, out);
  }
  out.reserve(out.size() + n / 2 + 8);
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    uint16_t u = le ? uint16_t(p[i] | (p[i + 1] << 8)) : uint16_t((p[i] << 8) | p[i + 1]);
    if (u < 0x80 && !highSurrogate_)
      out.push_back(static_cast<char>(u));
    else
      emitUnit(u, out);
  }
  if (i < n) {
    carry_[0] = p[i];
    carryLen_ = 1;
  }
}

void Utf8Normalizer::finish(std::string& out) {
  if (enc_ == Encoding::Unknown) {
    if (carryLen_ == 0) {
      enc_ = Encoding::Utf8;  // empty input
      return;
    }
    decide(out);
  }
  if (carryLen_ > 0) {  // an incomplete UTF-8 sequence, or an odd byte at the end of UTF-16
    out.append(kReplacement, 3);
    ++replacements_;
    carryLen_ = 0;
  }
  if (highSurrogate_) {
    out.append(kReplacement, 3);
    ++replacements_;
    highSurrogate_ = 0;
  }
}

namespace {

// Length of the Unicode whitespace character starting at s[i] (0 when none).
size_t spaceAt(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  size_t left = s.size() - i;
  if (c == 0xC2 && left >= 2) {
    auto d = static_cast<unsigned char>(s[i + 1]);
    return (d == 0x85 || d == 0xA0) ? 2 : 0;
  }
  if (left < 3) return 0;
  auto d = static_cast<unsigned char>(s[i + 1]), e = static_cast<unsigned char>(s[i + 2]);
  if (c == 0xE2 && d == 0x80 && (e <= 0x8B || e == 0xA8 || e == 0xA9 || e == 0xAF)) return 3;
  if (c == 0xE2 && d == 0x81 && e == 0x9F) return 3;  // U+205F
  if (c == 0xE1 && d == 0x9A && e == 0x80) return 3;  // U+1680
  if (c == 0xE3 && d == 0x80 && e == 0x80) return 3;  // U+3000
  if (c == 0xEF && d == 0xBB && e == 0xBF) return 3;  // U+FEFF
  return 0;
}

}  // namespace

std::string_view trimUnicodeSpace(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t k = spaceAt(s, b);
    if (!k) break;
    b += k;
  }
  size_t e = s.size();
  while (e > b) {
    auto c = static_cast<unsigned char>(s[e - 1]);
    if (c < 0x80) {
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        --e;
        continue;
      }
      break;
    }
    if (e - b >= 2 && spaceAt(s.substr(0, e), e - 2) == 2) {
      e -= 2;
      continue;
    }
    if (e - b >= 3 && spaceAt(s.substr(0, e), e - 3) == 3) {
      e -= 3;
      continue;
    }
    break;
  }
  return s.substr(b, e - b);
}

}  // namespace vpshunt

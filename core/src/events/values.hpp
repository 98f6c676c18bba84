// The conversions every event and indicator goes through, in one place so that every format
// shares one set of rules and one set of error messages: trimming, whole numbers, flags, and how
// a bad value is quoted in a message. Inline: they run on every input row.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/encoding.hpp"
#include "formats/scan.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {

// Equality of short texts without a library call (memcmp is one in wasm): ActionType and the like.
inline bool sameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && bytesEqual(a.data(), b.data(), a.size());
}

// Values are trimmed of ASCII and Unicode whitespace (a NO-BREAK SPACE trailing an IOC, ...).
inline std::string_view trimValue(std::string_view s) {
  // Fast path: most values start and end with a printable ASCII byte.
  if (s.empty() || (static_cast<unsigned char>(s.front()) - 0x21u < 0x5Eu && static_cast<unsigned char>(s.back()) - 0x21u < 0x5Eu))
    return s;
  return trimUnicodeSpace(s);
}

// Whole numbers, also as pandas writes them ("443.0").
inline bool parseInt64(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size()) return false;
  uint64_t v = 0;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + uint64_t(s[i] - '0');
    ++i;
  }
  if (i == start) return false;
  if (i < s.size()) {
    if (s[i] != '.') return false;
    ++i;
    while (i < s.size() && s[i] == '0') ++i;
    if (i != s.size()) return false;
  }
  if (v > uint64_t(INT64_MAX)) return false;
  out = neg ? -int64_t(v) : int64_t(v);
  return true;
}

// A value as a message quotes it: control characters escaped, cut after 60 bytes (on a character
// boundary).
inline std::string quoteForMessage(std::string_view s) {
  std::string out = "\"";
  const std::string_view kept = cutUtf8(s, 60);
  for (char c : kept) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  if (kept.size() < s.size()) out += "...";
  return out + "\"";
}

// True/False, 1/0, yes/no (any case); empty is false.
inline bool parseBoolText(std::string_view s, bool& out) {
  auto lower = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (char(a[i] | 0x20) != b[i]) return false;
    return true;
  };
  if (lower(s, "true") || s == "1" || lower(s, "yes")) return out = true, true;
  if (lower(s, "false") || s == "0" || lower(s, "no") || s.empty()) return out = false, true;
  return false;
}

inline std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

inline double round2(double v) { return std::round(v * 100.0) / 100.0; }

// Byte totals saturate rather than overflow: a crafted SentBytes must not wrap a sum around.
inline int64_t addBytes(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

}  // namespace vpshunt

// Small helpers for the words of a Reasons list, shared by the detections that write them.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "vpshunt/time.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt::words {

// "9 min", "23 h", "4 s", "3 days": a span in words.
inline std::string span(Ticks d) {
  const double s = double(d) / double(kTicksPerSecond);
  char buf[32];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 90 * 60) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (s < 48 * 3600) std::snprintf(buf, sizeof buf, "%.0f h", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.0f days", s / 86400);
  return buf;
}

// "1 user", "120 users"; "1 failure", "3 failures".
inline std::string count(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// 119 of 120 -> "99%"; never 100% unless all, never 0% unless none.
inline std::string percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "0%";
  long p = std::lround(100.0 * double(part) / double(whole));
  if (p == 100 && part < whole) p = 99;
  if (p == 0 && part > 0) p = 1;
  return std::to_string(p) + "%";
}

// A log's text shown in a reason: cut after `max` bytes (on a UTF-8 boundary), control characters
// replaced by spaces. Reasons are rendered as text; this only keeps them short and on one line.
inline std::string shown(std::string_view s, size_t max = 80) {
  std::string out;
  const size_t end = cutUtf8(s, max).size();
  out.reserve(end + 3);
  for (size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? ' ' : char(c);
  }
  if (end < s.size()) out += "...";
  return out;
}

}  // namespace vpshunt::words

// Errors are values: where in which file, a code, and what was expected there.
//
// Codes are stable identifiers a front end may act on (as simdjson's error codes): for a record,
// the skip reason as a slug ("unparseable-timestamp", "malformed-csv-record", "wrong-field-count");
// for a whole file "empty-file", "binary-file", "unknown-format", "wrong-kind", "hosting-list",
// "not-an-export", "unreadable-file" (the reader could not go on), "read-error" (the front end could
// not read it: open, gzip); "capacity" when a limit of the engine was reached.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace vpshunt {

struct Problem {
  uint64_t line = 0;    // 1-based physical line; 0 when the problem concerns the whole file
  uint64_t column = 0;  // 1-based byte column within that line; 0 when unknown
  std::string message;
  std::string code;  // see above; empty for problems made outside a file report (an ASN or hosting list)  // says what was expected, e.g. "expected an ISO 8601 time in Timestamp, found \"yesterday\""
};

// "unparseable Timestamp" -> "unparseable-timestamp": a skip reason as a problem code.
std::string problemCode(std::string_view reason);

// The longest prefix of `s` of at most `maxBytes` that does not end inside a UTF-8 sequence: how a
// message or a reason cuts a value it quotes. The values come from the logs (attacker-controlled,
// valid UTF-8 once read); a cut inside a character would make the message invalid UTF-8, which the
// CLI would print as it is and the page's JSON would replace, so that the two said different things.
inline std::string_view cutUtf8(std::string_view s, size_t maxBytes) {
  if (s.size() <= maxBytes) return s;
  size_t end = maxBytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace vpshunt

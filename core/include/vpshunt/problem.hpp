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

}  // namespace vpshunt

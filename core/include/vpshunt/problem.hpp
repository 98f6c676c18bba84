// Errors are values: where in which file, and what was expected there.
#pragma once
#include <cstdint>
#include <string>

namespace vpshunt {

struct Problem {
  uint64_t line = 0;    // 1-based physical line; 0 when the problem concerns the whole file
  uint64_t column = 0;  // 1-based byte column within that line; 0 when unknown
  std::string message;  // says what was expected, e.g. "expected an ISO 8601 time in Timestamp, found \"yesterday\""
};

}  // namespace vpshunt

// Where a file held in memory can be cut so that its pieces are read by several threads with the
// results of one read (issue 12). A piece starts at a record: CSV (the defender-csv reader's plain
// network tables) at a line break outside quotes, found as DuckDB's parallel CSV reader does it: a
// line break, then the records after it parsed ahead (each must have the header's field count);
// Zeek TSV (never at a '#' line) and JSON Lines at a line break. Pieces after the first are read
// after a copy of the header. Everything else (one JSON document, XML, gzip, UTF-16, files whose reader keeps state
// from row to row) is read whole by one thread.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/analysis.hpp"

namespace vpshunt {

struct SplitPlan {
  // Empty (or one entry): read the file whole. Else piece k is bytes [starts[k], starts[k + 1])
  // (the last to the end), starts[0] = 0.
  std::vector<size_t> starts;
  size_t headerBegin = 0, headerEnd = 0;  // the header, without a UTF-8 BOM: read before each later piece
  uint64_t headerLines = 0;               // line breaks in it
  std::string why;                        // why the file is read whole (for tests and --verbose use)
};

// Line breaks in bytes [p, p + n): the later pieces' line numbers start from the earlier pieces'
// counts. Eight bytes a step, counted in byte lanes (std::count widened every byte to 64 bits: 14 %
// of a two-thread run on the full shape).
inline uint64_t countNewlines(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL, kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr uint64_t kLanes16 = 0x00FF00FF00FF00FFULL;
  uint64_t total = 0;
  size_t i = 0;
  while (n - i >= 8) {
    uint64_t lanes = 0;  // per byte lane: line breaks seen in this block (at most 255)
    const size_t end = i + std::min<size_t>((n - i) / 8, 255) * 8;
    for (; i < end; i += 8) {
      uint64_t v;
      std::memcpy(&v, p + i, 8);
      v ^= kOnes * uint64_t('\n');                 // a line break becomes a zero byte
      const uint64_t nonzero = ((v & kLow7) + kLow7) | v;  // high bit of each byte: not zero
      lanes += (~nonzero & kHigh) >> 7;
    }
    const uint64_t pairs = (lanes & kLanes16) + ((lanes >> 8) & kLanes16);  // four 16-bit sums
    total += (pairs * 0x0001000100010001ULL) >> 48;
  }
  for (; i < n; ++i) total += p[i] == '\n';
  return total;
}

// At most `pieces` pieces of at least `minPiece` bytes each (fewer when the file is smaller).
SplitPlan planSplit(std::string_view bytes, const InputFile& file, unsigned pieces, size_t minPiece);

// workers (issue 12): one cut (two pieces) of a file that is not held in memory, found in `window`,
// the bytes at `windowOffset` (the first record start after a line break in it), with the file's
// shape and header taken from `head`, its first bytes (at least 64 KiB + 3, or the whole file).
// The same header and cut rules as planSplit. (A Zeek log whose layout changes further down, logs
// concatenated, is found by its reader: the pieces disagree and the file is read again whole.)
SplitPlan planSplitWindow(std::string_view head, std::string_view window, uint64_t windowOffset, uint64_t fileSize,
                          const InputFile& file);

}  // namespace vpshunt

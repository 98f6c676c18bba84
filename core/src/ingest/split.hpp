// Where a file held in memory can be cut so that its pieces are read by several threads with the
// results of one read (issue 12). A piece starts at a record: CSV (the defender-csv reader's plain
// network tables) at a line break outside quotes, found as DuckDB's parallel CSV reader does it: a
// line break, then the records after it parsed ahead (each must have the header's field count);
// Zeek TSV and JSON Lines at a line break. Pieces after the first are read after a copy of the
// header. Everything else (one JSON document, XML, gzip, UTF-16, files whose reader keeps state
// from row to row) is read whole by one thread.
#pragma once
#include <cstddef>
#include <cstdint>
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

// At most `pieces` pieces of at least `minPiece` bytes each (fewer when the file is smaller).
SplitPlan planSplit(std::string_view bytes, const InputFile& file, unsigned pieces, size_t minPiece);

// workers (issue 12): one cut (two pieces) of a file that is not held in memory, found in `window`,
// the bytes at `windowOffset` (the first record start after a line break in it), with the file's
// shape and header taken from `head`, its first bytes (at least 64 KiB + 3, or the whole file).
// The same header and cut rules as planSplit; Zeek logs are cut only by planSplit (a layout change
// further down the file is found only by looking at all of it).
SplitPlan planSplitWindow(std::string_view head, std::string_view window, uint64_t windowOffset, uint64_t fileSize,
                          const InputFile& file);

}  // namespace vpshunt

// Renders Results the same way for every front end (native CLI, Node runner, page export), so that
// the CLI's and the wasm runner's outputs can be compared byte for byte.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "vpshunt/analysis.hpp"
#include "vpshunt/results.hpp"

namespace vpshunt {

enum class OutputFormat { Table, Csv, Json, Jsonl };
bool parseOutputFormat(std::string_view name, OutputFormat& out);

// Table: aligned columns for a terminal, followed by per-file summaries (to the same string).
// Csv: header + one line per row; cells starting with = + - @ are prefixed with ' (formula guard).
// Json: resultsToJson(r).dump(2). Jsonl: one rowToJson() per line.
std::string renderResults(const Results& r, OutputFormat format);
// The same text, handed to `write` in pieces (about 1 MiB each for csv and jsonl) instead of
// built whole: what the CLI uses for large results.
void renderResultsTo(const Results& r, OutputFormat format, const std::function<void(std::string_view)>& write);

// csv and jsonl one row at a time, for Analysis::finishEach: the same text as renderResultsTo,
// handed to `write` in pieces of about 1 MiB.
//   RowStream out(OutputFormat::Jsonl, write);  // csv: writes the header
//   analysis.finishEach(now, [&](const ResultRow& r) { out.row(r); });
//   out.flush();
class RowStream {
 public:
  static bool supports(OutputFormat f) { return f == OutputFormat::Csv || f == OutputFormat::Jsonl; }
  RowStream(OutputFormat format, std::function<void(std::string_view)> write);
  void row(const ResultRow& row);
  void flush();  // hands on what is buffered

 private:
  OutputFormat format_;
  std::function<void(std::string_view)> write_;
  std::string out_;
};

// The results of `analysis` in `format`, handed to `write` in pieces: csv and jsonl row by row as
// the rows are made (Analysis::finishEach: no row is held), table and json from finish(). Returns the
// results, without their rows when they were streamed (files, notices, rowCount). What the CLI and
// the wasm Session's renderEach use.
Results writeResults(const Analysis& analysis, std::optional<Ticks> now, OutputFormat format,
                     const std::function<void(std::string_view)>& write);

// A short human summary of each file report and the notices, for stderr.
std::string renderFileSummaries(const Results& r);

// Guards a CSV cell against formula injection and quotes it per RFC 4180 when needed.
std::string csvCell(std::string_view text);

}  // namespace vpshunt

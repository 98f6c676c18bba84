// Writes results the same way for every front end (native CLI, Node runner, page exports), so that
// the CLI's and the wasm runner's outputs can be compared byte for byte. Every writer is generic
// over a detection's columns (vpshunt/table.hpp): no writer lists a column.
//
//   jsonl  one JSON object per row, keys sorted (as nlohmann writes objects), every detection's
//          rows in turn (beacon first); each row carries Detection.
//   csv    per detection with rows, its header and rows (RFC 4180, CRLF); detections separated by
//          an empty line. Cells starting with = + - @ (and tab, CR) get a leading ' (formula guard).
//   json   one document: {"now", "nowSource", "mode", "asnDatabaseLoaded", "files", "notices",
//          "detections": {"beacon": {"title", "order", "columns", "rowCount", "notices", "rows": [...]},
//          ...}}; rows are written as they are made, one per line.
//   table  per detection, aligned columns for a terminal (values cut, control characters escaped).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "vpshunt/analysis.hpp"
#include "vpshunt/results.hpp"
#include "vpshunt/table.hpp"

namespace vpshunt {

enum class OutputFormat { Table, Csv, Json, Jsonl };
bool parseOutputFormat(std::string_view name, OutputFormat& out);

// A ResultSink writing rows in `format`, handed to `write` in pieces of about 1 MiB (a large result
// never sits in memory whole). json and table need the run's head (now, files, notices, each
// detection's row count): pass the Results of a counting finish (Analysis::finishEach(now, nullptr)).
class TableWriter final : public ResultSink {
 public:
  TableWriter(OutputFormat format, std::function<void(std::string_view)> write, const Results* head = nullptr);
  ~TableWriter() override;
  void beginTable(const TableSchema& schema) override;
  void row(const Row& row) override;
  void endTable(const TableSchema& schema, uint64_t rowCount) override;
  void finish();  // closes the document and hands on what is buffered

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The results of `analysis` in `format`, handed to `write` in pieces, each row written as it is
// made (no row is held, except by the terminal table, which aligns its columns). Returns the
// results without their rows (files, notices, summaries). What the CLI and the wasm Session use.
Results writeResults(const Analysis& analysis, std::optional<Ticks> now, OutputFormat format,
                     const std::function<void(std::string_view)>& write);
std::string renderResults(const Analysis& analysis, std::optional<Ticks> now, OutputFormat format);

// The jsonl line of a row (no newline): the same text as nlohmann's dump of the row as an object
// (sorted keys, invalid UTF-8 replaced), written without building it.
void appendJsonl(const Row& row, std::string& out);
nlohmann::json rowJson(const Row& row);  // the same object as a tree
// A detection's section of the json document without its rows ("title", "order", "columns",
// "pageSeed", "pageBeyond", "rowCount", "considered", "sawEvents", "notices", and "suppressedBy",
// "knownSoftwareHidden" when set; summary null: zeros), as nlohmann's dump of the object writes it,
// the schema's parts written once per schema and kept.
std::string sectionJsonText(const TableSchema& schema, const DetectionSummary* summary);

// A short human summary of each file report and the notices, for stderr.
std::string renderFileSummaries(const Results& r);

// Guards a CSV cell against formula injection and quotes it per RFC 4180 when needed.
std::string csvCell(std::string_view text);

}  // namespace vpshunt

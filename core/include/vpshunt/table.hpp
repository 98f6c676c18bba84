// A detection's result table: its columns, declared once, and its rows as typed cells. Every writer
// (csv, jsonl, json, the terminal table), the page's table and the tests take the columns from the
// detection's TableSchema; nothing else lists them.
//
//   const TableSchema& s = tableSchema("beacon");
//   for (const Column& c : s.columns) ...;            // name, type, nullable, description
//   Row row(s);                                        // one cell per column, reused row after row
//   row.cells[s.index("RemoteIP")].setText("203.0.113.7");
//
// A Row is plain data, safe to keep; a writer is handed rows one at a time (ResultSink) so that a
// large result is never held whole.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vpshunt {

enum class CellType : uint8_t {
  Text,      // JSON string
  Int,       // JSON integer
  Number,    // JSON number (double)
  Bool,      // JSON true/false
  Time,      // ticks; written as ISO 8601 UTC
  IntList,   // JSON array of integers
  TextList,  // JSON array of strings; csv and table join them with " · "
};
std::string_view cellTypeName(CellType t);  // "text", "int", "number", "bool", "time", "ints", "texts"

struct Column {
  std::string_view name;         // the field name in jsonl/json, the csv header
  CellType type;
  bool nullable;                 // may be null (JSON null, an empty csv cell)
  std::string_view description;  // one line, for the page's tooltips and the README
  // False: left out of seed mode's rows (the output files, the page's store and views), which are
  // the seed rule's and know nothing of it. Such columns come last (finalize() checks).
  bool inSeedOutput = true;
};

// How a column shows in a view (the terminal table, the page): its header and, for the terminal,
// the widest it may be (0: 40 characters).
struct ViewColumn {
  std::string_view column;
  std::string_view header;  // empty: the column's name
  uint16_t width = 0;
};

struct TableSchema {
  std::string_view detection;  // "beacon", "inbound", ...
  std::string_view title;      // "Beacons"
  std::string_view order;      // how the rows are ordered, in words
  std::vector<Column> columns;
  // The terminal table and the page show these, per rule mode ("seed" / "beyond"); the page shows
  // the other columns after them.
  std::vector<ViewColumn> terminalSeed, terminalBeyond, pageSeed, pageBeyond;
  std::vector<size_t> keyOrder;  // column indexes sorted by name: the jsonl key order (as nlohmann's)
  // The page's overview of the table: rows over time (by this Time column) and the networks they
  // concern (by the hosting provider, else the organisation).
  std::string_view overviewTime;
  std::string_view overviewProvider = "HostingProvider", overviewOrg = "RemoteOrg";

  size_t index(std::string_view name) const;  // the column's index; throws std::invalid_argument when absent
  const std::vector<ViewColumn>& terminal(bool beyond) const { return beyond ? terminalBeyond : terminalSeed; }
  const std::vector<ViewColumn>& page(bool beyond) const { return beyond ? pageBeyond : pageSeed; }
  void finalize();  // fills keyOrder (and the seed-output view); every schema calls it once
  // The columns a row has in this mode: the schema itself, or (seed mode, when some column is not
  // inSeedOutput) the same schema without those columns, views included. Detections hand their
  // rows to every sink with it, so a table's rows in a store or a file always have one schema.
  // Lives as long as this schema.
  const TableSchema& output(bool beyond) const { return beyond || !seedOutput_ ? *this : *seedOutput_; }

 private:
  std::shared_ptr<const TableSchema> seedOutput_;
};

struct Cell {
  bool null = true;
  int64_t i = 0;  // Int, Bool (0/1), Time (ticks)
  double d = 0;   // Number
  std::string s;  // Text
  std::vector<int64_t> ints;
  std::vector<std::string> texts;

  void setNull() { null = true; }
  void setInt(int64_t v) { null = false, i = v; }
  void setBool(bool v) { null = false, i = v; }
  void setTime(int64_t ticks) { null = false, i = ticks; }
  void setNumber(double v) { null = false, d = v; }
  void setText(std::string_view v) { null = false, s.assign(v.data(), v.size()); }
};

// One row: a cell per column of its schema, in the schema's order. Reused from row to row (the
// strings keep their capacity).
struct Row {
  explicit Row(const TableSchema& schema) : schema(&schema), cells(schema.columns.size()) {}
  const TableSchema* schema;
  std::vector<Cell> cells;
  uint64_t key = 0;  // the detection's handle on the row (its group, flow or source), for detail views; not a column
  Cell& operator[](size_t i) { return cells[i]; }
  const Cell& operator[](size_t i) const { return cells[i]; }
};

// Where rows go, table by table, in the detections' order (beacon first).
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void beginTable(const TableSchema&) {}
  virtual void row(const Row& row) = 0;
  virtual void endTable(const TableSchema&, uint64_t /*rowCount*/) {}
};

// Every detection's schema, in the order their tables are written.
const std::vector<const TableSchema*>& tableSchemas();
const TableSchema* findTableSchema(std::string_view detection);  // null when there is none

}  // namespace vpshunt

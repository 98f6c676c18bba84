// Results kept for paging: every detection's rows in compact typed columns, answering views
// (sort, filter, a page of rows) without any row ever becoming a JavaScript object. What the page's
// worker holds; a view is one page of rows plus the totals.
//
//   ResultStore store;
//   analysis.finishEach(now, &store);          // the store is a ResultSink
//   ViewRequest v;  v.detection = "beacon";  v.sort = {{"ConnectionCount", true}};  v.limit = 100;
//   std::string json = store.view(v);          // {"detection", "total", "matched", "offset", "rows": [...]}
//
// Text cells are interned per column (device names, command lines and reasons repeat from row to
// row), so memory follows the distinct texts, not the rows; a text filter is tested once per
// distinct value. Sorting is stable: ties keep the detection's own order. Numbers sort numerically,
// times chronologically, texts case-insensitively; nulls come last in either direction.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/output.hpp"
#include "vpshunt/table.hpp"

namespace vpshunt {

struct SortKey {
  std::string column;
  bool descending = false;
};

struct ViewRequest {
  std::string detection;
  std::vector<SortKey> sort;       // empty: the detection's order
  std::string filter;              // case-insensitive text in any column (as the row shows it)
  std::vector<std::string> only;   // Bool columns that must be true ("IsHosting", "IsTIMatch")
  uint64_t offset = 0;
  uint64_t limit = 100;
};
ViewRequest viewRequestFromJson(std::string_view json);  // {"detection", "sort": [{"column", "desc"}], ...}; throws std::invalid_argument

class ResultStore final : public ResultSink {
 public:
  ResultStore();
  ~ResultStore() override;
  ResultStore(ResultStore&&) noexcept;
  ResultStore& operator=(ResultStore&&) noexcept;

  void clear();
  // ResultSink
  void beginTable(const TableSchema& schema) override;
  void row(const Row& row) override;
  void endTable(const TableSchema& schema, uint64_t rowCount) override;

  uint64_t rowCount(std::string_view detection) const;
  // One page as JSON text: {"detection", "total", "matched", "offset", "rows": [{...row..., "_key": n, "_index": i}]}
  // (_key: the row's handle for detail views; _index: its place in the detection's order). Throws
  // std::invalid_argument for an unknown detection or column.
  std::string view(const ViewRequest& request) const;
  // The rows of the view (all of them, from 0, ignoring offset and limit) in `format`, handed to
  // `write` in pieces: what the page exports.
  void exportView(const ViewRequest& request, OutputFormat format, const std::function<void(std::string_view)>& write) const;
  // What the page draws above a table: {"detection", "rows", "from", "to", "bins": [{"t", "rows",
  // "maxScore"}] (rows by the schema's overviewTime, in at most 48 equal bins), "networks": [{"name",
  // "hosting", "rows", "maxScore"}] (the 8 with the most rows, by hosting provider, else organisation)}.
  std::string overview(std::string_view detection) const;
  // The row with this key (its cells), or false. `out` takes the table's own schema (the one its
  // rows came with: seed mode's beacon rows have no KnownSoftware, TableSchema::output).
  bool findRow(std::string_view detection, uint64_t key, Row& out) const;
  size_t memoryBytes() const;  // an estimate of what the store holds

 private:
  struct Table;
  Table* table(std::string_view detection) const;
  std::vector<std::unique_ptr<Table>> tables_;
  Table* filling_ = nullptr;
};

}  // namespace vpshunt

// The detection contract, checked for any detection on any input (like reader_harness.hpp for
// readers). For a case (files, rule, now), checkDetectionContract() requires:
//   * every chunk split gives the same rows: each file fed whole, at every split offset (a stride
//     through larger files), byte by byte and in chunks of 7 and 4096, with a collect pass when
//     the results ask for one, gives the same rows of every detection;
//   * finish() equals the streamed finish: the typed rows of Analysis::finish() as JSON equal the
//     cells finishEach() hands a sink, table by table, row by row, and the jsonl writer's text;
//   * rows come in the detection's order (Score descending, every detection's first key);
//   * every row has Detection (its table's name), Score (an integer 0-100) and Reasons (a
//     non-empty list of texts);
//   * no memory growth over repeated runs: the same analysis run again and again in this process
//     leaves glibc's in-use heap (mallinfo2().uordblks) where the first runs left it.
// The case must make rows of every detection it names in `expect` (a contract checked on no rows
// would pass for any code).
#pragma once
#include <catch2/catch.hpp>
#include <malloc.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tenant.hpp"
#include "vpshunt/output.hpp"

namespace test {

struct DetectionCase {
  std::string name;
  std::vector<File> files;
  vpshunt::Rule rule;
  std::string now;            // empty: the latest event (collect passes may follow)
  bool withAsn = true;
  std::vector<std::string> expect;  // detections that must have rows
  size_t maxSplits = 6000;          // split offsets tried per file: all of them up to this size, else a stride
};

using TableRows = std::map<std::string, std::vector<nlohmann::json>>;

// One whole run through the front ends' path (test::runFiles): its Analysis kept for the streamed checks.
struct CaseRun {
  vpshunt::Analysis analysis;
  vpshunt::Results results;
};

inline void runCase(const DetectionCase& c, CaseRun& out, size_t chunk = 0, size_t splitFile = SIZE_MAX, size_t splitAt = 0) {
  out.analysis = vpshunt::Analysis(c.rule);
  if (c.withAsn) out.analysis.setAsnDatabase(builtAsnDatabase());
  const auto now = ticksOf(c.now);
  auto feedAll = [&](bool collect) {
    for (size_t i = 0; i < c.files.size(); ++i) {
      const File& f = c.files[i];
      if (collect && f.kind == vpshunt::FileKind::Intel) continue;
      if (i != splitFile) {
        feedFile(out.analysis, f, chunk);
        continue;
      }
      // Two chunks split at `splitAt`, copied and overwritten after the call: a reader that kept a
      // view into a chunk would read garbage.
      std::string a = f.text.substr(0, splitAt), b = f.text.substr(splitAt);
      out.analysis.beginFile(f.name, f.kind);
      out.analysis.feed(a.data(), a.size());
      a.assign(a.size(), '\x01');
      out.analysis.feed(b.data(), b.size());
      b.assign(b.size(), '\x01');
      out.analysis.endFile();
    }
  };
  feedAll(false);
  out.results = out.analysis.finish(now);
  if (!out.results.collectGroups.empty()) {
    out.analysis.beginCollect(out.results.collectGroups);
    feedAll(true);
    out.analysis.endCollect();
    out.results = out.analysis.finish(now);
    REQUIRE(out.results.collectGroups.empty());
  }
}

// Every detection's typed rows as JSON, by detection (from resultsToJson: the rows finish() kept).
inline TableRows typedRows(const vpshunt::Results& r) {
  TableRows out;
  const nlohmann::json doc = vpshunt::resultsToJson(r);
  for (auto it = doc["detections"].begin(); it != doc["detections"].end(); ++it)
    for (const auto& row : it.value()["rows"]) out[it.key()].push_back(row);
  return out;
}

struct CollectingSink : vpshunt::ResultSink {
  TableRows rows;
  std::vector<std::string> tables, ended;
  void beginTable(const vpshunt::TableSchema& s) override { tables.emplace_back(s.detection); }
  void row(const vpshunt::Row& r) override { rows[std::string(r.schema->detection)].push_back(vpshunt::rowJson(r)); }
  void endTable(const vpshunt::TableSchema& s, uint64_t) override { ended.emplace_back(s.detection); }
};

inline void checkRowShapes(const TableRows& rows) {
  for (const auto& [detection, list] : rows) {
    const vpshunt::TableSchema* schema = vpshunt::findTableSchema(detection);
    REQUIRE(schema);
    for (size_t i = 0; i < list.size(); ++i) {
      const nlohmann::json& row = list[i];
      INFO(detection << " row " << i << ": " << row.dump());
      REQUIRE(row.contains("Detection"));
      CHECK(row["Detection"] == detection);
      REQUIRE(row.contains("Score"));
      REQUIRE(row["Score"].is_number_integer());
      CHECK(row["Score"].get<int>() >= 0);
      CHECK(row["Score"].get<int>() <= 100);
      REQUIRE(row.contains("Reasons"));
      REQUIRE(row["Reasons"].is_array());
      CHECK(!row["Reasons"].empty());
      for (const auto& reason : row["Reasons"]) {
        CHECK(reason.is_string());
        CHECK(!reason.get<std::string>().empty());
      }
      // Every column of the detection's table: of the full table (beyond mode), or of its seed
      // output (seed mode's beacon rows have no KnownSoftware).
      const size_t full = schema->columns.size(), seed = schema->output(false).columns.size();
      CHECK((row.size() == full || row.size() == seed));
      if (row.size() == seed && seed != full) CHECK(row["Detection"] == "beacon");
      if (i > 0) CHECK(list[i - 1]["Score"].get<int>() >= row["Score"].get<int>());
    }
  }
}

inline size_t inUseHeap() { return mallinfo2().uordblks; }

inline void checkDetectionContract(const DetectionCase& c) {
  INFO("case: " << c.name);
  CaseRun whole;
  runCase(c, whole);
  const TableRows expected = typedRows(whole.results);
  for (const auto& d : c.expect) {
    INFO("detection " << d);
    REQUIRE(expected.count(d));
    REQUIRE(!expected.at(d).empty());
  }

  SECTION("every row has Detection, Score and Reasons, in the detection's order") { checkRowShapes(expected); }

  SECTION("finish() equals the streamed finish") {
    CollectingSink sink;
    const auto streamed = whole.analysis.finishEach(ticksOf(c.now), &sink);
    CHECK(streamed.rows.empty());
    CHECK(streamed.signin.empty());
    CHECK(streamed.infrastructure.empty());
    CHECK(sink.tables == sink.ended);
    std::vector<std::string> order;
    for (const auto& d : whole.results.detections) order.push_back(d.detection);
    CHECK(sink.tables == order);
    for (const auto& [detection, rows] : expected) {
      INFO("detection " << detection);
      REQUIRE(sink.rows[detection].size() == rows.size());
      for (size_t i = 0; i < rows.size(); ++i) CHECK(sink.rows[detection][i] == rows[i]);
      const auto* summary = vpshunt::findSummary(streamed, detection);
      REQUIRE(summary);
      CHECK(summary->rowCount == rows.size());
    }
    // The jsonl writer: every table's rows in the detections' order, one a line.
    std::string expectedText;
    for (const auto& d : order)
      if (expected.count(d))
        for (const auto& row : expected.at(d)) expectedText += row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    CHECK(vpshunt::renderResults(whole.analysis, ticksOf(c.now), vpshunt::OutputFormat::Jsonl) == expectedText);
  }

  SECTION("every chunk split gives the same rows") {
    for (size_t chunk : {size_t(1), size_t(7), size_t(4096)}) {
      INFO("chunks of " << chunk << " bytes");
      CaseRun run;
      runCase(c, run, chunk);
      CHECK(typedRows(run.results) == expected);
    }
    for (size_t fi = 0; fi < c.files.size(); ++fi) {
      const size_t size = c.files[fi].text.size();
      const size_t stride = size <= c.maxSplits ? 1 : size / c.maxSplits + 1;
      size_t mismatches = 0;
      for (size_t at = 0; at <= size && mismatches < 3; at += stride) {
        CaseRun run;
        runCase(c, run, 0, fi, at);
        if (typedRows(run.results) != expected) {
          ++mismatches;
          FAIL_CHECK(c.files[fi].name << " split at byte " << at << " gives other rows");
        }
      }
    }
  }

  SECTION("no memory growth over repeated runs") {
    size_t settled = 0;
    for (int i = 0; i < 40; ++i) {
      {
        CaseRun run;
        runCase(c, run);
        vpshunt::renderResults(run.analysis, ticksOf(c.now), vpshunt::OutputFormat::Jsonl);
      }
      if (i == 9) settled = inUseHeap();
    }
    const size_t after = inUseHeap();
    INFO("in-use heap after 10 runs: " << settled << " bytes; after 40: " << after);
    CHECK(after <= settled + 4096);
  }
}

}  // namespace test

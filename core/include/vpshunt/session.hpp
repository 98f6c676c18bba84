// The session a front end holds, as text in and text out: what the wasm bindings forward to (one
// line each) and what the worker protocol (web/engine.js) is made of. An Analysis, the ResultStore
// its rows are kept in for views, and JSON for everything that crosses to JavaScript.
//
//   Session s(ruleJson);               // throws RuleError / nlohmann::json::exception
//   s.beginFile("a.csv", "auto", ""); s.feed(bytes, n); s.endFile();
//   std::string st = s.status("");     // {"now", "files", "notices", "collectGroups", "detections": {...}}
//   (when collectGroups is not empty: beginCollect(ids), the event files again, endCollect())
//   s.refresh("");                     // the rows into the store; the same status
//   std::string page = s.view(R"({"detection":"beacon","sort":[{"column":"RiskScore","desc":true}]})");
//
// Errors: anything invalid throws SessionError with a stable code (bad-kind, bad-now, bad-format,
// bad-request, bad-target, kql, asn-db, usage), RuleError for a bad rule, or std::invalid_argument
// (a view naming an unknown detection or column); the bindings turn every one into {error}.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/analysis.hpp"
#include "vpshunt/store.hpp"

namespace vpshunt {

struct SessionError : std::runtime_error {
  SessionError(std::string code, const std::string& message) : std::runtime_error(message), code(std::move(code)) {}
  std::string code;
};

class Session {
 public:
  explicit Session(const std::string& ruleJson);

  void beginFile(std::string name, const std::string& kind, std::string format);  // kind: auto, events, intel
  void feed(const uint8_t* data, size_t size);
  void endFile();
  void fileError(std::string message);
  void setNow(const std::string& nowIso);  // before reading; "" = not known yet
  void beginCollect(const std::vector<uint64_t>& ids);
  void endCollect();
  uint64_t recordsInCurrentFile() const { return analysis_.recordsInCurrentFile(); }
  void reset();

  // The results without rows (files, notices, collectGroups, each detection's summary and columns).
  std::string status(const std::string& nowIso);
  // Only the ids a collect pass must read (Analysis::collectGroups), as a JSON array: far cheaper
  // than status() on a result-heavy run (no row is made).
  std::string collectGroups(const std::string& nowIso) const;
  // The same after making every detection's rows into the store (what views read).
  std::string refresh(const std::string& nowIso);
  std::string view(const std::string& requestJson) const;
  std::string overview(const std::string& detection) const { return store_.overview(detection); }
  void exportView(const std::string& requestJson, const std::string& format, const std::function<void(std::string_view)>& write) const;
  // The whole output in `format` (table, csv, json, jsonl), piece by piece: what the Node runner writes.
  // Returns the status of the results it wrote (as status()) with "summaries": the per-file summary
  // text (as summaries()), so that a front end needs no second finish for them.
  std::string render(const std::string& format, const std::string& nowIso, const std::function<void(std::string_view)>& write) const;
  std::string summaries(const std::string& nowIso);
  // A row's detail: {detection, key, row (its cells, from the store), times, ms, ports, targets,
  // targetNames, refused, total, complete}; complete is false until a collect pass read the row's connections.
  // An infrastructure row's detail adds members: [{detection, key, row}] (the rows behind the network,
  // Analysis::infrastructureMembers, at most 200, in the order they were made) and memberCount (all of them).
  std::string detail(const std::string& detection, uint64_t key) const;
  // --- tuning (issue 13) ---
  // Known software of beacon rows by key, in either mode (seed rows have no KnownSoftware column):
  // [{"key", "knownSoftware": name or null, "reason", "processFolder", "processFolderDisagrees"}]
  // for a JSON array of keys (Analysis::KnownSoftwareNote); keys of no beacon row are left out. A
  // beacon row's detail has the same fields (knownSoftwareReason for reason).
  std::string knownSoftware(const std::string& keysJson) const;
  // --- end tuning ---

  bool setRule(const std::string& ruleJson);  // true: the files must be read again
  std::string ruleJson() const;
  bool setDetections(const std::string& namesJson);  // a JSON array; true: read again
  void setAsnDatabase(const uint8_t* data, size_t size, bool isCsv);
  std::string setHostingLists(const std::vector<std::string>& texts);  // each text's problems, as JSON

  // No session needed:
  static std::string defaultRuleJson();
  static std::string formatsJson();   // [{name, description}]
  static std::string schemasJson();   // every detection's columns and views
  static std::string parseOptionsJson(const std::string& argvJson);  // the CLI's flags as JSON; throws SessionError "usage"
  static std::string usage();
  static std::string exportKql(const std::string& ruleJson, const std::string& target, const std::string& detection,
                               const std::string& hostingCsvUrl);
  static std::string pivotQueries(const std::string& detection, const std::string& rowJson, const std::string& target);
  // The hosting watchlist CSV: {"text", "rows", "problems"}.
  static std::string watchlistCsv(const uint8_t* asnData, size_t size, bool isCsv, const std::vector<std::string>& hostingTexts);

 private:
  std::optional<Ticks> now(const std::string& nowIso) const;
  Analysis analysis_;
  ResultStore store_;
};

}  // namespace vpshunt

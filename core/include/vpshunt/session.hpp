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

class AnalysisState;

struct SessionError : std::runtime_error {
  SessionError(std::string code, const std::string& message) : std::runtime_error(message), code(std::move(code)) {}
  std::string code;
};

class Session {
 public:
  explicit Session(const std::string& ruleJson);
  ~Session();  // session_pieces.cpp: AnalysisState is complete there
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  void beginFile(std::string name, const std::string& kind, std::string format);  // kind: auto, events, intel
  void feed(const uint8_t* data, size_t size);
  void endFile();
  void fileError(std::string message);
  void setNow(const std::string& nowIso);  // before reading; "" = not known yet
  void beginCollect(const std::vector<uint64_t>& ids);
  void endCollect();
  uint64_t recordsInCurrentFile() const;
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

  // --- workers (issue 12; session_pieces.cpp): the page reads a big input in two workers, each
  // with its own wasm instance; the helper's session crosses to the main one as bytes ---
  // Both: a piece of a file (FileIngest::beginChunk) read into a session of its own (spawned: the
  // same rule, detections and now); the first `headerBytes` fed are the file's header, copied
  // before a later piece (not counted as the piece's lines). feed, fileError, endFile go to it;
  // endFile sets it aside, in order.
  void beginPiece(std::string name, const std::string& kind, std::string format, uint64_t headerBytes);
  // The helper: the piece set aside last, or (exportFiles) the whole files read since the last
  // export, as bytes; then forgets them. The helper's session must hold the main one's rule,
  // detections (setDetections) and now (setNow), else the main one refuses the bytes.
  std::string exportPiece();
  std::string exportFiles();
  // The main: where the file can be cut in two, from its first bytes (`head`: at least 64 KiB + 3,
  // or the whole file) and a window of it at `windowOffset`: JSON {"cut": byte offset, "headerBegin",
  // "headerEnd", "headerLines"} or {"cut": null, "why"} (ingest/split.hpp, planSplitWindow).
  static std::string planCut(const uint8_t* head, size_t headSize, const uint8_t* window, size_t windowSize,
                             uint64_t windowOffset, uint64_t fileSize, const std::string& name, const std::string& kind,
                             const std::string& format);
  // The main: the helper's bytes of the next piece of the file (after the pieces set aside here).
  // Throws SessionError "bad-blob" for a damaged or foreign blob (nothing is taken).
  void importPiece(const uint8_t* data, size_t size);
  // The main: the pieces set aside, in order, merged as the threads merge them (mergeChunk); false
  // when they cannot be merged exactly (AnalysisState::piecesAgree): nothing is taken, and the
  // file must be read again whole (beginFile ... endFile); also when fewer than two pieces are set
  // aside (the helper failed: this drops the one read here). `headerLines`: planCut's.
  bool mergePieces(uint64_t headerLines);
  // The main: the helper's whole files (exportFiles) after those read here (mergeFiles); false when
  // they held threat intel: nothing is taken, and the files must be read here, in order.
  bool importFiles(const uint8_t* data, size_t size);
  // --- end workers ---

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
  // workers (issue 12): the piece being read, its header bytes still to come, its line breaks
  std::unique_ptr<AnalysisState> piece_;
  uint64_t pieceHeaderLeft_ = 0, pieceNewlines_ = 0;
  std::vector<std::pair<std::unique_ptr<AnalysisState>, uint64_t>> pieces_;  // set aside, with line breaks
  std::unique_ptr<AnalysisState> loadBlob(const uint8_t* data, size_t size, uint64_t& newlines) const;
  void feedPiece(const uint8_t* data, size_t size);
  void endPiece();
  void pieceError(std::string message);
  void dropPieces();
  Analysis analysis_;
  ResultStore store_;
};

}  // namespace vpshunt

// The session behind vpshunt::Analysis: the file ingest, the shared enrichment (threat intel, ASN
// database, hosting list) and the detections, with the routing of each record between them.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detections/beacon/beacon.hpp"
#include "detections/inbound/inbound.hpp"
#include "detections/infrastructure/infrastructure.hpp"
#include "detections/signin/signin.hpp"
#include "enrich/threat_intel.hpp"
#include "ingest/file_ingest.hpp"
#include "vpshunt/analysis.hpp"

namespace vpshunt {

class AnalysisState final : public RecordHandler {
 public:
  explicit AnalysisState(Rule rule) : rule(std::move(rule)), ingest_(*this), infrastructure_(beacon_, inbound_, signin_) {}

  void beginFile(std::string path, FileKind kind, std::string format);
  void feed(const char* data, size_t size) { ingest_.feed(data, size); }
  void endFile() { ingest_.endFile(); }
  void fileError(std::string message) { ingest_.fileError(std::move(message)); }

  // Rows go to `sink` as cells (null: counted only) and, when keepRows, into Results as typed rows.
  Results finish(std::optional<Ticks> now, ResultSink* sink, bool keepRows) const { return finish(now, sink, keepRows, false); }
  // groupsOnly: only Results::collectGroups (and the summaries' counts of the detections that have
  // collect groups) are wanted: no row is made and infrastructure is not rolled up.
  Results finish(std::optional<Ticks> now, ResultSink* sink, bool keepRows, bool groupsOnly) const;
  void setNow(std::optional<Ticks> now) { ingestNow_ = now; }
  void beginCollect(const std::vector<uint64_t>& ids);
  void endCollect();
  Analysis::GroupDetail detail(uint64_t id) const;
  std::vector<Analysis::RowRef> infrastructureMembers(uint64_t key) const { return infrastructure_.members(key); }
  std::vector<Analysis::KnownSoftwareNote> knownSoftware(const std::vector<uint64_t>& keys) const;  // tuning (issue 13)
  void reset();
  uint64_t recordsInCurrentFile() const { return ingest_.recordsInCurrentFile(); }
  bool excludesAllDropped(const Rule& next) const { return beacon_.excludesAllDropped(next); }
  // Which detections run; empty: every one. Returns true when a detection is enabled that did not
  // read the files so far (they must be read again).
  bool setDetections(const std::vector<std::string>& names);
  bool runs(std::string_view detection) const;

  // --- threads (issue 12; ingest/parallel.cpp) ---
  // A session that reads for this one on another thread: the same rule, detections and now, no
  // enrichment (only finish() needs it) and nothing read.
  std::unique_ptr<AnalysisState> spawn() const;
  void beginChunk(std::string path, FileKind kind, std::string format) { ingest_.beginChunk(std::move(path), kind, std::move(format)); }
  // Adds what a spawned session read as if it had been read here next: whole files (mergeFiles),
  // or one piece of a file (mergeChunk: the first piece starts the file's report, endChunkedFile
  // concludes it; lines as FileIngest::mergeChunkReport). False when nothing was taken: `other`
  // read threat intel (whose read order counts: the caller reads that file here itself), or
  // (mergeChunk) the file stopped at a fatal problem in an earlier piece.
  bool mergeFiles(AnalysisState&& other);
  bool mergeChunk(AnalysisState&& other, bool first, uint64_t lineOffset, uint64_t headerLines);
  void endChunkedFile();
  // The report of the file (or piece) read last; null before any.
  const FileReport* lastReport() const { return ingest_.reports().empty() ? nullptr : &ingest_.reports().back(); }
  uint64_t signInsInLastFile() const { return ingest_.signInsDelivered(); }
  uint64_t layoutChangesInLastFile() const { return ingest_.layoutChanges(); }
  // The pieces of one file (each read by a spawned session) merge only when every one was read by
  // the reader the cut was planned for, none read sign-ins (their readers keep state from row to
  // row), none saw its layout change after the header (a Zeek log's second header) and none wrote a
  // note the first did not; else the file is read again whole, here.
  static bool piecesAgree(const std::vector<const AnalysisState*>& pieces);
  // --- end threads ---

  // --- workers (issue 12; analysis_wire.cpp): the page's second worker reads in another wasm
  // instance and hands its session over as bytes ---
  // What mergeFiles / mergeChunk read of this (spawned) session: a header (magic, wire version, a
  // fingerprint of the rule, detections and now it read under, `pieceNewlines`: the line breaks of
  // the piece after its copy of the header), the ingest's reports and counters and the three
  // detections' aggregates. Threat intel is not carried: a session that read it is never merged.
  std::string saveAggregates(uint64_t pieceNewlines) const;
  // Into a session spawned from the one that merges it (nothing read): then mergeFiles or mergeChunk
  // as for a thread's session. Returns pieceNewlines. Throws WireError for a damaged or truncated
  // blob, another wire version, or one read under another rule, detections or now.
  uint64_t loadAggregates(std::string_view blob);
  size_t reportCount() const { return ingest_.reports().size(); }
  // --- end workers ---

  Rule rule;
  std::shared_ptr<const AsnDatabase> asnDb_;
  std::shared_ptr<const HostingList> hosting_;

  // RecordHandler
  void onEvent(const RawEvent& e, FileIngest& file) override;
  void onIndicator(const RawIndicator& r, FileIngest& file) override { intel_.add(r, file, file.report()); }
  void onSignIn(const RawSignIn& s, FileIngest& file) override;
  void onFileBegin(FileIngest& file) override;
  void onFileEnd(FileIngest& file) override;

 private:
  FileIngest ingest_;
  ThreatIntel intel_;
  BeaconDetection beacon_;
  InboundDetection inbound_;
  SignInDetection signin_;
  InfrastructureDetection infrastructure_;  // rolls up the three above
  bool beaconOn_ = true, inboundOn_ = true, signinOn_ = true, infrastructureOn_ = true;
  // A detection reads the files when it is output, or when infrastructure (which rolls it up) is.
  bool inboundIngests() const { return inboundOn_ || infrastructureOn_; }
  bool signinIngests() const { return signinOn_ || infrastructureOn_; }
  std::vector<std::string> detections_;  // as given to setDetections
  bool haveEventTime_ = false;
  Ticks maxEventTime_ = 0;
  std::optional<Ticks> ingestNow_;  // when set, rows at or before now - lookback are dropped at ingest
  bool collecting_ = false;
  std::vector<FileReport> collectReports_;  // the first pass's reports, kept while a collect pass runs
  void mergeAggregates(AnalysisState&& other);  // threads
};

}  // namespace vpshunt

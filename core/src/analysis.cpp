#include <algorithm>

#include "analysis_state.hpp"
#include "events/net_event.hpp"
#include "events/values.hpp"
#include "formats/registry.hpp"
#include "vpshunt/analysis.hpp"

namespace vpshunt {

// ---------------------------------------------------------------------------------------------
// Records

void AnalysisState::beginFile(std::string path, FileKind kind, std::string format) {
  ingest_.beginFile(std::move(path), kind, std::move(format));
}

void AnalysisState::onFileBegin(FileIngest& file) {
  beacon_.fileBegin(rule, file.inChunk());
  inbound_.fileBegin(rule);
  signin_.fileBegin(rule);
}

void AnalysisState::onFileEnd(FileIngest& file) {
  beacon_.fileEnd(rule, file.report(), file.inChunk());
  inbound_.fileEnd(file.report());
  signin_.fileEnd(file.report());
}

void AnalysisState::onEvent(const RawEvent& e, FileIngest& file) {
  FileReport& rep = file.report();
  Ticks t;
  if (e.hasTime) {
    t = e.time;
  } else {
    std::string_view ts = trimValue(e.get(EventField::Timestamp));
    if (!parseAnyTime(ts, t)) {
      file.skip("unparseable Timestamp", e.line, e.col(EventField::Timestamp),
                ts.empty() ? "expected an ISO 8601 time in Timestamp, found an empty value"
                           : "expected an ISO 8601 time in Timestamp (e.g. 2023-10-18T14:37:28.2012261Z), found " +
                                 quoteForMessage(ts));
      return;
    }
  }
  ++rep.records;
  if (!haveEventTime_ || t > maxEventTime_) maxEventTime_ = t;
  haveEventTime_ = true;
  NetIngest ctx{file, rule, ingestNow_, maxEventTime_};
  // Direction decides the detection: an inbound connection is never an outbound beacon.
  const ActionMeaning meaning = eventMeaning(e);
  if (meaning.direction == Direction::Inbound && inboundIngests()) {
    inbound_.ingest(e, t, meaning.outcome, ctx);
    return;
  }
  beacon_.ingest(e, t, meaning.direction, ctx);  // counts the rows it does not take under its filters
}

void AnalysisState::onSignIn(const RawSignIn& s, FileIngest& file) {
  if (!signinIngests()) {
    file.other("sign-in record (the signin detection is not run)");
    return;
  }
  NetIngest ctx{file, rule, ingestNow_, maxEventTime_};
  Ticks t;
  if (signin_.ingest(s, ctx, t)) {  // sign-ins are events: the latest of them may be `now`
    if (!haveEventTime_ || t > maxEventTime_) maxEventTime_ = t;
    haveEventTime_ = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Detections, collect passes, detail

bool AnalysisState::setDetections(const std::vector<std::string>& names) {
  auto wants = [&](std::string_view d) { return names.empty() || std::find(names.begin(), names.end(), d) != names.end(); };
  const bool beaconRead = beaconOn_ || infrastructureOn_, inboundRead = inboundIngests(), signinRead = signinIngests();
  detections_ = names;
  beaconOn_ = wants("beacon");
  inboundOn_ = wants("inbound");
  signinOn_ = wants("signin");
  infrastructureOn_ = wants("infrastructure");
  return (!beaconRead && (beaconOn_ || infrastructureOn_)) || (!inboundRead && inboundIngests()) || (!signinRead && signinIngests());
}

bool AnalysisState::runs(std::string_view d) const {
  if (d == "beacon") return beaconOn_;
  if (d == "inbound") return inboundOn_;
  if (d == "signin") return signinOn_;
  if (d == "infrastructure") return infrastructureOn_;
  return false;
}

void AnalysisState::reset() {
  ingest_.reset();
  intel_.clear();
  beacon_.reset();
  inbound_.reset();
  signin_.reset();
  infrastructure_.reset();
  haveEventTime_ = false;
  maxEventTime_ = 0;
  collecting_ = false;
  collectReports_.clear();
}

void AnalysisState::beginCollect(const std::vector<uint64_t>& ids) {
  if (ingest_.inFile()) ingest_.endFile();
  collecting_ = true;
  beacon_.beginCollect(ids);
  inbound_.beginCollect(ids);
  signin_.beginCollect(ids);
  collectReports_ = std::move(ingest_.reports());
  ingest_.reports().clear();
}

void AnalysisState::endCollect() {
  if (!collecting_) return;
  if (ingest_.inFile()) ingest_.endFile();
  collecting_ = false;
  beacon_.endCollect();
  inbound_.endCollect();
  signin_.endCollect();
  ingest_.reports() = std::move(collectReports_);
  collectReports_.clear();
}

Analysis::GroupDetail AnalysisState::detail(uint64_t id) const {
  if (inbound_.ownsId(id)) return inbound_.detail(id);
  if (signin_.ownsId(id)) return signin_.detail(id);
  return beacon_.detail(id);
}

// --- tuning (issue 13): known software of beacon rows, by key ---
std::vector<Analysis::KnownSoftwareNote> AnalysisState::knownSoftware(const std::vector<uint64_t>& keys) const {
  const Ticks now = ingestNow_ ? *ingestNow_ : maxEventTime_;
  IpFactsTable facts(asnDb_.get(), hosting_ ? *hosting_ : HostingList::builtin(), intel_, rule, now);
  std::vector<Analysis::KnownSoftwareNote> out;
  for (uint64_t key : keys) {
    Analysis::KnownSoftwareNote n;
    n.key = key;
    if (auto f = beacon_.knownSoftwareOfRow(key, facts, rule)) {
      n.found = true;
      n.product = std::move(f->product);
      n.reason = std::move(f->reason);
      n.folder = std::move(f->folder);
      n.folderDisagrees = f->folderDisagrees;
    }
    out.push_back(std::move(n));
  }
  return out;
}
// --- end tuning ---

// ---------------------------------------------------------------------------------------------
// threads (issue 12): sessions read on other threads, merged here in the order of the input

std::unique_ptr<AnalysisState> AnalysisState::spawn() const {
  auto s = std::make_unique<AnalysisState>(rule);
  s->setDetections(detections_);
  s->ingestNow_ = ingestNow_;
  return s;
}

void AnalysisState::mergeAggregates(AnalysisState&& o) {
  beacon_.merge(std::move(o.beacon_));
  inbound_.merge(std::move(o.inbound_));
  signin_.merge(std::move(o.signin_));
  if (o.haveEventTime_ && (!haveEventTime_ || o.maxEventTime_ > maxEventTime_)) maxEventTime_ = o.maxEventTime_;
  haveEventTime_ = haveEventTime_ || o.haveEventTime_;
}

bool AnalysisState::mergeFiles(AnalysisState&& o) {
  for (const FileReport& r : o.ingest_.reports())
    if (r.kind == FileKind::Intel) return false;
  mergeAggregates(std::move(o));
  ingest_.takeReports(std::move(o.ingest_));
  return true;
}

bool AnalysisState::mergeChunk(AnalysisState&& o, bool first, uint64_t lineOffset, uint64_t headerLines) {
  if (o.ingest_.reports().size() != 1 || o.ingest_.reports().back().kind == FileKind::Intel) return false;
  FileIngest& in = o.ingest_;
  if (!ingest_.mergeChunkReport(std::move(in.reports().back()), first, lineOffset, headerLines, in.lastReplacements(),
                                in.lastEncodingName(), in.delivered()))
    return false;
  beacon_.mergeFileActions(o.beacon_);
  mergeAggregates(std::move(o));
  return true;
}

void AnalysisState::endChunkedFile() {
  if (!ingest_.reports().empty()) beacon_.endChunkedFile(ingest_.reports().back());
  ingest_.endChunkedFile();
}

// ---------------------------------------------------------------------------------------------
// finish

Results AnalysisState::finish(std::optional<Ticks> given, ResultSink* sink, bool keepRows, bool groupsOnly) const {
  Results res;
  res.files = ingest_.reports();
  res.hasEvents = haveEventTime_;
  res.mode = rule.mode;
  res.asnDatabaseLoaded = asnDb_ != nullptr;
  if (!given && ingestNow_) given = ingestNow_;
  if (given) {
    res.now = *given;
    res.nowSource = "given";
  } else if (haveEventTime_) {
    res.now = maxEventTime_;
    res.nowSource = "latest event";
  } else {
    res.now = 0;
    res.nowSource = "none (no events)";
  }
  // Attribution inferred from activity needs the addresses that attacked before any address's
  // facts are computed: a cheap pass over the inbound and sign-in aggregates comes first.
  AttackEvidence evidence;
  if (asnDb_) {
    auto attacked = [&](const IpAddress& ip) { evidence.add(*asnDb_, ip); };
    if (inboundIngests()) inbound_.noteAttackers(rule, attacked);
    if (signinIngests()) signin_.noteAttackers(rule, attacked);
  }
  IpFactsTable facts(asnDb_.get(), hosting_ ? *hosting_ : HostingList::builtin(), intel_, rule, res.now, &evidence);
  FinishContext ctx{rule, res.now, facts, sink != nullptr || keepRows, keepRows};
  // Infrastructure rolls up the rows of the three others as they are made; a detection that is not
  // output but rolled up is finished all the same, into a scratch Results (its collect ids kept).
  // A detection rolled up by infrastructure is finished for its collect groups even when only
  // infrastructure is output; a groups-only finish rolls nothing up (infrastructure has no groups).
  const bool infra = infrastructureOn_ && !groupsOnly;
  if (groupsOnly) sink = nullptr, keepRows = false;
  NetworkRollup rollup(ctx, signin_);
  Results scratch;
  Row cellsRow(beaconSchema());
  auto run = [&](const Detection& d, bool rolledUp, const std::function<void(Results&, DetectionSummary&, bool out)>& finishIt) {
    const bool out = runs(d.name());
    if (!out && !(infrastructureOn_ && rolledUp)) return;
    DetectionSummary summary;
    summary.detection = std::string(d.name());
    summary.sawEvents = d.sawEvents();
    Results& target = out ? res : scratch;
    // Seed mode's rows have the seed's columns only (beacon: no KnownSoftware), in the output files
    // and the page's store alike.
    const TableSchema& table = d.schema().output(rule.mode == "beyond");
    if (out && sink) {
      cellsRow = Row(table);
      sink->beginTable(table);
    }
    finishIt(target, summary, out);
    if (out && sink) sink->endTable(table, summary.rowCount);
    if (!out) {
      res.collectGroups.insert(res.collectGroups.end(), scratch.collectGroups.begin(), scratch.collectGroups.end());
      scratch = Results();
      return;
    }
    for (const auto& n : summary.notices) res.notices.push_back(n);
    res.detections.push_back(std::move(summary));
  };
  run(beacon_, true, [&](Results& target, DetectionSummary& summary, bool out) {
    std::function<void(const ResultRow&)> each;
    if ((out && (sink || keepRows)) || infra)
      each = [&](const ResultRow& r) {
        if (out && sink) {
          BeaconDetection::cells(r, cellsRow);
          sink->row(cellsRow);
        }
        if (out && keepRows) target.rows.push_back(r);
        if (infra) rollup.addBeacon(r);
      };
    beacon_.finish(ctx, each, summary, target);
  });
  run(inbound_, true, [&](Results& target, DetectionSummary& summary, bool out) {
    std::function<void(const InboundRow&)> each;
    if ((out && (sink || keepRows)) || infra)
      each = [&](const InboundRow& r) {
        if (out && sink) {
          InboundDetection::cells(r, cellsRow);
          sink->row(cellsRow);
        }
        if (out && keepRows) target.inbound.push_back(r);
        if (infra) rollup.addInbound(r);
      };
    inbound_.finish(ctx, each, summary, target);
  });
  run(signin_, true, [&](Results& target, DetectionSummary& summary, bool out) {
    SignInDetection::RowCallback each;
    if ((out && (sink || keepRows)) || infra)
      each = [&](const SignInRow& r, const SignInContribution& c) {
        if (out && sink) {
          SignInDetection::cells(r, cellsRow);
          sink->row(cellsRow);
        }
        if (out && keepRows) target.signin.push_back(r);
        if (infra) rollup.addSignIn(r, c);
      };
    signin_.finish(ctx, each, summary, target);
  });
  ctx.rollup = &rollup;
  if (!groupsOnly) run(infrastructure_, false, [&](Results& target, DetectionSummary& summary, bool out) {
    std::function<void(const InfrastructureRow&)> each;
    if (out && (sink || keepRows))
      each = [&](const InfrastructureRow& r) {
        if (sink) {
          InfrastructureDetection::cells(r, cellsRow);
          sink->row(cellsRow);
        }
        if (keepRows) target.infrastructure.push_back(r);
      };
    infrastructure_.finish(ctx, each, summary, target);
  });
  if (!ingest_.anyEventFile()) res.notices.push_back("no network-events file was read");
  return res;
}

// ---------------------------------------------------------------------------------------------
// Analysis (the public face)

Analysis::Analysis(Rule rule) : state_(std::make_unique<AnalysisState>(std::move(rule))) {}
Analysis::~Analysis() = default;
Analysis::Analysis(Analysis&&) noexcept = default;
Analysis& Analysis::operator=(Analysis&&) noexcept = default;

void Analysis::beginFile(std::string path, FileKind kind, std::string format) {
  state_->beginFile(std::move(path), kind, std::move(format));
}
void Analysis::feed(const void* data, size_t size) { state_->feed(static_cast<const char*>(data), size); }
void Analysis::endFile() { state_->endFile(); }
void Analysis::fileError(std::string message) { state_->fileError(std::move(message)); }
Results Analysis::finish(std::optional<Ticks> now) const { return state_->finish(now, nullptr, true); }
Results Analysis::finishEach(std::optional<Ticks> now, ResultSink* sink) const { return state_->finish(now, sink, false); }
std::vector<uint64_t> Analysis::collectGroups(std::optional<Ticks> now) const {
  return state_->finish(now, nullptr, false, true).collectGroups;
}
const Rule& Analysis::rule() const { return state_->rule; }
bool Analysis::setRule(Rule rule) {
  // Seed mode drops the rows of excluded processes at ingest: a rule that excludes less needs them.
  bool reread = ruleChangeNeedsReread(state_->rule, rule) || !state_->excludesAllDropped(rule);
  state_->rule = std::move(rule);
  if (reread) state_->reset();
  return reread;
}
bool Analysis::setDetections(const std::vector<std::string>& detections) {
  for (const auto& d : detections)
    if (!findTableSchema(d)) {
      std::string names;
      for (const TableSchema* s : tableSchemas()) names += (names.empty() ? "" : ", ") + std::string(s->detection);
      throw std::invalid_argument("unknown detection \"" + d + "\": expected one of " + names);
    }
  bool reread = state_->setDetections(detections);
  if (reread) state_->reset();
  return reread;
}
void Analysis::reset() { state_->reset(); }
uint64_t Analysis::recordsInCurrentFile() const { return state_->recordsInCurrentFile(); }
Analysis::GroupDetail Analysis::detail(uint64_t groupId) const { return state_->detail(groupId); }
std::vector<Analysis::RowRef> Analysis::infrastructureMembers(uint64_t key) const { return state_->infrastructureMembers(key); }
std::vector<Analysis::KnownSoftwareNote> Analysis::knownSoftware(const std::vector<uint64_t>& keys) const {  // tuning
  return state_->knownSoftware(keys);
}
void Analysis::setNow(std::optional<Ticks> now) { state_->setNow(now); }
void Analysis::setAsnDatabase(std::shared_ptr<const AsnDatabase> db) { state_->asnDb_ = std::move(db); }
void Analysis::setHostingList(std::shared_ptr<const HostingList> list) { state_->hosting_ = std::move(list); }
uint64_t Analysis::flowIdBase() const { return BeaconDetection::flowIdBase(); }
void Analysis::beginCollect(const std::vector<uint64_t>& groupIds) { state_->beginCollect(groupIds); }
void Analysis::endCollect() { state_->endCollect(); }

void readFiles(Analysis& a, const std::vector<InputFile>& files, const std::function<void(Analysis&, const InputFile&)>& feed,
               std::optional<Ticks> now) {
  a.setNow(now);
  for (const InputFile& f : files) feed(a, f);
  const std::vector<uint64_t> ids = a.collectGroups(now);
  if (!ids.empty()) {
    a.beginCollect(ids);
    for (const InputFile& f : files)
      if (f.kind != FileKind::Intel) feed(a, f);
    a.endCollect();
  }
}

std::vector<std::pair<std::string, std::string>> knownFormats() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : readerFactories()) out.emplace_back(std::string(f.name), std::string(f.description));
  return out;
}

}  // namespace vpshunt

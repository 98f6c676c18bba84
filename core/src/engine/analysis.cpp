#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "engine/periodicity.hpp"
#include "engine/state.hpp"
#include "formats/scan.hpp"
#include "formats/registry.hpp"
#include "vpshunt/analysis.hpp"

namespace vpshunt {

namespace {

constexpr size_t kSniffBytes = 64 * 1024;
constexpr size_t kMaxProblems = 20;
constexpr size_t kMaxFilteredActions = 16;


// Equality of short texts without a library call (memcmp is one in wasm): ActionType and the like.
inline bool sameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && bytesEqual(a.data(), b.data(), a.size());
}

// Values are trimmed of ASCII and Unicode whitespace (a NO-BREAK SPACE trailing an IOC, ...).
inline std::string_view trimValue(std::string_view s) {
  // Fast path: most values start and end with a printable ASCII byte.
  if (s.empty() || (static_cast<unsigned char>(s.front()) - 0x21u < 0x5Eu && static_cast<unsigned char>(s.back()) - 0x21u < 0x5Eu))
    return s;
  return trimUnicodeSpace(s);
}

// Whole numbers, also as pandas writes them ("443.0").
bool parseInt64(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size()) return false;
  uint64_t v = 0;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + uint64_t(s[i] - '0');
    ++i;
  }
  if (i == start) return false;
  if (i < s.size()) {
    if (s[i] != '.') return false;
    ++i;
    while (i < s.size() && s[i] == '0') ++i;
    if (i != s.size()) return false;
  }
  if (v > uint64_t(INT64_MAX)) return false;
  out = neg ? -int64_t(v) : int64_t(v);
  return true;
}

std::string quoteForMessage(std::string_view s) {
  std::string out = "\"";
  size_t n = 0;
  for (char c : s) {
    if (++n > 60) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool parseBoolText(std::string_view s, bool& out) {
  auto lower = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (char(a[i] | 0x20) != b[i]) return false;
    return true;
  };
  if (lower(s, "true") || s == "1" || lower(s, "yes")) return out = true, true;
  if (lower(s, "false") || s == "0" || lower(s, "no") || s.empty()) return out = false, true;
  return false;
}

std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

// Byte totals saturate rather than overflow: a crafted SentBytes must not wrap a sum around.
int64_t addBytes(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

// `AS123 # comment` lines (X4BNet lists_vpn) or a CSV whose header starts with an ASN column
// (brianhama bad-asn-list): the hosting lists that --hosting-list reads.
bool looksLikeHostingList(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.size() > 2 && (line[0] == 'A' || line[0] == 'a') && (line[1] == 'S' || line[1] == 's') && line[2] >= '0' &&
        line[2] <= '9')
      return true;
    std::string lower = asciiLower(line.substr(0, 4));
    return lower == "asn," || lower == "asn\t" || lower == "\"asn";
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Files

AnalysisState::AnalysisState(Rule r) : rule(std::move(r)) {}

void AnalysisState::reset() {
  inFile_ = false;
  reader_.reset();
  reports_.clear();
  flows_.clear();
  excludedContacts_.clear();
  devices_.clear();
  droppedNames_.clear();
  groups_.clear();
  flowGroups_ = FlowGroups();
  collected_.clear();
  collecting_ = false;
  boundaryLogs_.clear();
  logBin_ = INT64_MIN;
  logCompleteFrom_ = 0;
  haveEventTime_ = false;
  maxEventTime_ = 0;
  anyEventFile_ = false;
  for (auto& m : indicators_) m.clear();
  for (auto& set : cidrs_)
    for (auto& m : set) m.clear();
  for (auto& p : cidrPrefixes_) p.clear();
  indicatorOrder_ = 0;
}

void AnalysisState::beginFile(std::string path, FileKind kind, std::string format) {
  if (inFile_) endFile();
  inFile_ = true;
  fileFatal_ = false;
  requestedKind_ = kind;
  currentKind_ = kind;
  requestedFormat_ = std::move(format);
  head_.clear();
  encoding_ = Utf8Normalizer();
  reader_.reset();
  filteredActions_.clear();
  for (auto& c : filterCounts_) c = 0;
  prepareIngestExclusions();
  FileReport rep;
  rep.path = std::move(path);
  rep.kind = kind;
  reports_.push_back(std::move(rep));
}

void AnalysisState::feed(const char* raw, size_t rawSize) {
  if (!inFile_ || fileFatal_ || rawSize == 0) return;
  std::string_view text = encoding_.convert(raw, rawSize, converted_);
  const char* data = text.data();
  size_t size = text.size();
  if (size == 0) return;
  if (!reader_) {
    head_.append(data, size);
    if (head_.size() >= kSniffBytes) chooseReader();
    return;
  }
  pushToReader(data, size);
}

void AnalysisState::pushToReader(const char* data, size_t size) {
  if (!reader_ || fileFatal_) return;
  reader_->feed(data, size);
}

void AnalysisState::chooseReader() {
  FileReport& rep = reports_.back();
  std::string head = std::move(head_);
  head_.clear();
  if (encoding_.encoding() != Utf8Normalizer::Encoding::Utf8 && encoding_.encoding() != Utf8Normalizer::Encoding::Unknown)
    rep.notes.push_back("text encoding " + std::string(encoding_.encodingName()) + ", read as UTF-8");
  std::string_view sniffView(head);
  const ReaderFactory* factory = nullptr;
  if (!requestedFormat_.empty()) {
    factory = findReader(requestedFormat_);
    if (!factory) {
      std::string names;
      for (const auto& f : readerFactories()) names += (names.empty() ? "" : ", ") + std::string(f.name);
      fatal(0, 0, "unknown format \"" + requestedFormat_ + "\": expected one of " + names);
      return;
    }
  } else {
    factory = detectReader(sniffView, rep.path, requestedKind_);
    if (!factory) {
      const ReaderFactory* other = requestedKind_ != FileKind::Auto ? detectReader(sniffView, rep.path, FileKind::Auto) : nullptr;
      if (other) {
        fatal(1, 1, std::string("this looks like ") + (other->kind == FileKind::Intel ? "a threat-intel" : "an events") +
                        " file (" + std::string(other->description) + "), not " +
                        (requestedKind_ == FileKind::Intel ? "threat intel" : "network events") + ": load it as " +
                        (other->kind == FileKind::Intel ? "intel (--intel)" : "events (--events)"));
      } else if (sniffView.empty()) {
        fatal(0, 0, "the file is empty: expected a network-events or threat-intel export");
      } else {
        bool binary = false;
        for (size_t i = 0; i < std::min<size_t>(sniffView.size(), 512); ++i) {
          auto c = static_cast<unsigned char>(sniffView[i]);
          if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) binary = true;
        }
        if (binary) {
          fatal(1, 1, "binary data, not a text export: expected CSV, TSV or JSON");
        } else if (looksLikeHostingList(sniffView)) {
          fatal(1, 1, "this is a list of hosting ASNs, not events or threat intel: give it to --hosting-list");
        } else {
          fatal(1, 1, "not a recognised export: expected a CSV header naming Timestamp and RemoteIP "
                      "(DeviceNetworkEvents) or TimeGenerated and NetworkIP (ThreatIntelligenceIndicator), "
                      "or one of the JSON/TSV shapes listed by --list-formats");
        }
      }
      return;
    }
  }
  currentKind_ = factory->kind;
  rep.kind = factory->kind;
  rep.format = std::string(factory->name);
  if (factory->kind == FileKind::Events) anyEventFile_ = true;
  reader_ = factory->create(*this);
  pushToReader(sniffView.data(), sniffView.size());
}

void AnalysisState::endFile() {
  if (!inFile_) return;
  if (!fileFatal_) {
    converted_.clear();
    encoding_.finish(converted_);
    if (!converted_.empty()) {
      if (reader_) pushToReader(converted_.data(), converted_.size());
      else head_ += converted_;
    }
  }
  if (!reader_ && !fileFatal_) chooseReader();
  if (reader_ && !fileFatal_) reader_->finish();
  FileReport& rep = reports_.back();
  for (auto& [name, count] : filteredActions_) rep.filtered["ActionType " + name] += count;
  const std::string names[kFilterCount] = {"before the lookback window (Timestamp <= now - lookback)",
                                           "ActionType (other values)", "no RemoteIP",
                                           "RemoteIPType not " + rule.remoteIpType,
                                           "RemoteIP not " + rule.remoteIpType + " (classified from the address)",
                                           "InitiatingProcessFileName on the browser/system exclusion lists"};
  for (int f = 0; f < kFilterCount; ++f)
    if (filterCounts_[f]) rep.filtered[names[f]] += filterCounts_[f];
  if (encoding_.replacements())
    rep.notes.push_back(std::to_string(encoding_.replacements()) +
                        " invalid byte sequence(s) replaced by U+FFFD (the file is not valid " +
                        std::string(encoding_.encodingName()) + ")");
  if (!rep.fatal && rep.records == 0 && rep.problems.empty()) {
    rep.notes.push_back("no data records (only a header, or nothing after it)");
  }
  if (!rep.fatal && rep.kept == 0 && rep.records > 0 && rep.skipped == rep.records) {
    rep.fatal = true;  // every record was bad: nothing usable
  }
  reader_.reset();
  inFile_ = false;
}

void AnalysisState::fileError(std::string message) {
  if (!inFile_) return;
  if (reports_.back().records == 0 && !reader_) fatal(0, 0, std::move(message));
  else addProblem(0, 0, std::move(message));
}

// ---------------------------------------------------------------------------------------------
// RecordSink

void AnalysisState::addProblem(uint64_t line, uint64_t column, std::string message) {
  FileReport& rep = reports_.back();
  ++rep.problemsTotal;
  if (rep.problems.size() < kMaxProblems) rep.problems.push_back({line, column, std::move(message)});
}

void AnalysisState::skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) {
  ++reports_.back().records;
  rejectCounted(reason, line, column, std::move(message));
}

void AnalysisState::rejectCounted(std::string_view reason, uint64_t line, uint64_t column, std::string message) {
  FileReport& rep = reports_.back();
  ++rep.skipped;
  ++rep.skipReasons[std::string(reason)];
  addProblem(line, column, std::move(message));
}

void AnalysisState::other(std::string_view reason) {
  FileReport& rep = reports_.back();
  ++rep.records;
  ++rep.filtered[std::string(reason)];
}



void AnalysisState::fatal(uint64_t line, uint64_t column, std::string message) {
  FileReport& rep = reports_.back();
  rep.fatal = true;
  fileFatal_ = true;
  rep.problems.insert(rep.problems.begin(), Problem{line, column, std::move(message)});
  ++rep.problemsTotal;
  if (rep.problems.size() > kMaxProblems) rep.problems.pop_back();
}

void AnalysisState::note(std::string text) {
  auto& notes = reports_.back().notes;
  if (std::find(notes.begin(), notes.end(), text) == notes.end()) notes.push_back(std::move(text));
}

void AnalysisState::missingColumn(std::string name) {
  auto& m = reports_.back().missingColumns;
  if (std::find(m.begin(), m.end(), name) == m.end()) m.push_back(std::move(name));
}

void AnalysisState::onEvent(const RawEvent& e) {
  FileReport& rep = reports_.back();
  // Time
  Ticks t;
  if (e.hasTime) {
    t = e.time;
  } else {
    std::string_view ts = trimValue(e.get(EventField::Timestamp));
    if (!parseAnyTime(ts, t)) {
      skip("unparseable Timestamp", e.line, e.col(EventField::Timestamp),
           ts.empty() ? "expected an ISO 8601 time in Timestamp, found an empty value"
                      : "expected an ISO 8601 time in Timestamp (e.g. 2023-10-18T14:37:28.2012261Z), found " + quoteForMessage(ts));
      return;
    }
  }
  ++rep.records;
  if (!haveEventTime_ || t > maxEventTime_) maxEventTime_ = t;
  haveEventTime_ = true;
  if (ingestNow_ && t <= *ingestNow_ - rule.lookbackMinutes * kTicksPerMinute) {
    filteredOut(kBeforeLookback);
    return;
  }

  // ActionType in (...): exact, case-sensitive. An export without the column is not filtered on it.
  bool seedAction = true;
  if (e.has(EventField::ActionType)) {
    std::string_view a = e.get(EventField::ActionType);
    bool ok = false;
    for (const auto& want : rule.actionTypes)
      if (sameText(a, want)) { ok = true; break; }
    if (!ok && !seedMode_) {
      // Beyond the seed, failed attempts count too: an implant calling a dead C2 keeps its rhythm.
      for (const auto& want : rule.beyondExtraActionTypes)
        if (sameText(a, want)) { ok = true; seedAction = false; break; }
    }
    if (!ok) {
      auto it = std::find_if(filteredActions_.begin(), filteredActions_.end(),
                             [&](const auto& p) { return sameText(p.first, a); });
      if (it != filteredActions_.end()) ++it->second;
      else if (filteredActions_.size() < kMaxFilteredActions) filteredActions_.emplace_back(std::string(a), 1);
      else filteredOut(kOtherActionTypes);
      return;
    }
  }

  std::string_view ipText = trimValue(e.get(EventField::RemoteIP));
  if (ipText.empty() || ipText == "-") {
    filteredOut(kNoRemoteIp);
    return;
  }
  IpAddress ip;
  if (!parseIp(ipText, ip)) {
    rejectCounted("unparseable RemoteIP", e.line, e.col(EventField::RemoteIP),
         "expected an IPv4 or IPv6 address in RemoteIP, found " + quoteForMessage(ipText));
    return;
  }

  // RemoteIPType == "Public" (exact); classified from the address when the export has no such column.
  if (e.has(EventField::RemoteIPType)) {
    if (!sameText(e.get(EventField::RemoteIPType), rule.remoteIpType)) {
      filteredOut(kIpTypeColumn);
      return;
    }
  } else if (ipTypeName(classifyIp(ip)) != rule.remoteIpType) {
    filteredOut(kIpTypeClassified);
    return;
  }

  int32_t port = -1;
  if (e.has(EventField::RemotePort)) {
    std::string_view ps = trimValue(e.get(EventField::RemotePort));
    if (!ps.empty() && ps != "-") {
      int64_t v;
      if (!parseInt64(ps, v) || v < 0 || v > 65535) {
        rejectCounted("unparseable RemotePort", e.line, e.col(EventField::RemotePort),
             "expected a port number 0-65535 in RemotePort, found " + quoteForMessage(ps));
        return;
      }
      port = int32_t(v);
    }
  }
  int64_t sent = 0, received = 0;
  for (int k = 0; k < 2; ++k) {
    EventField f = k == 0 ? EventField::SentBytes : EventField::ReceivedBytes;
    if (!e.has(f)) continue;
    std::string_view bs = trimValue(e.get(f));
    if (bs.empty()) continue;
    int64_t v;
    if (!parseInt64(bs, v) || v < 0) {
      rejectCounted(k == 0 ? "unparseable SentBytes" : "unparseable ReceivedBytes", e.line, e.col(f),
           std::string("expected a whole number of bytes in ") + std::string(eventFieldName(f)) + ", found " + quoteForMessage(bs));
      return;
    }
    (k == 0 ? sent : received) = v;
  }
  const std::string_view device = trimValue(e.get(EventField::DeviceName));
  const std::string_view process = trimValue(e.get(EventField::InitiatingProcessFileName));
  if (seedMode_ && excludedAtIngest(process)) {
    if (!collecting_) noteExcludedContact(t, device, ip);
    filteredOut(kExcludedProcess);
    return;
  }
  std::string_view account = e.has(EventField::AccountName) ? e.get(EventField::AccountName)
                                                             : e.get(EventField::InitiatingProcessAccountName);
  ++rep.kept;
  aggregate(t, device, trimValue(account), process, e.get(EventField::InitiatingProcessCommandLine), ip, port,
            e.has(EventField::SentBytes), sent, e.has(EventField::ReceivedBytes), received, seedAction);
}

void AnalysisState::prepareIngestExclusions() {
  for (auto& v : ingestExcluded_) v.clear();
  ingestExcludedLengths_ = 0;
  seedMode_ = rule.mode != "beyond";
  for (const auto* list : {&rule.browserProcesses, &rule.systemProcesses})
    for (const std::string& n : *list) {
      if (n.empty() || n.size() >= 64) continue;  // longer names are excluded when the results are made
      ingestExcluded_[n.size()].push_back({asciiLower(n), false});
      ingestExcludedLengths_ |= uint64_t(1) << n.size();
    }
}

bool AnalysisState::excludedAtIngest(std::string_view process) {
  if (process.size() >= 64 || !(ingestExcludedLengths_ >> process.size() & 1)) return false;
  for (IngestName& n : ingestExcluded_[process.size()]) {
    if (equalsIgnoreCaseAscii(process, n.lower)) {
      if (!n.dropped) {
        n.dropped = true;
        droppedNames_.insert(n.lower);
      }
      return true;
    }
  }
  return false;
}

bool AnalysisState::excludesAllDropped(const Rule& next) const {
  if (droppedNames_.empty()) return true;
  std::unordered_set<std::string> kept;
  for (const auto* list : {&next.browserProcesses, &next.systemProcesses})
    for (const auto& n : *list) kept.insert(asciiLower(n));
  for (const auto& n : droppedNames_)
    if (!kept.count(n)) return false;
  return true;
}

void AnalysisState::noteExcludedContact(Ticks t, std::string_view device, const IpAddress& ip) {
  bool created;
  const DeviceHeader* d = devices_.find(hashBytes(device, 1), std::array<std::string_view, 1>{device}, true, created);
  if (!d) {
    addProblem(0, 0, "too many distinct devices to hold: this row was not counted");
    return;
  }
  excludedContacts_.note(d->index, ip, t);
}

std::string_view Flow::part(int k) const {
  uint32_t len[4];
  std::memcpy(len, h->key(), sizeof len);
  size_t off = sizeof len;
  for (int i = 0; i < k; ++i) off += len[i];
  return keyView().substr(off, len[k]);
}

IpAddress Flow::ip() const {
  IpAddress ip;
  std::memcpy(ip.bytes.data(), h->key() + h->keySize - 16, 16);
  return ip;
}

Group* AnalysisState::findGroup(Ticks t, std::string_view device, std::string_view account, std::string_view process,
                                std::string_view cmdline, const IpAddress& ip, bool create) {
  const int64_t window = rule.observationWindowMinutes * kTicksPerMinute;
  const int64_t bin = floorDiv(t, window);
  // The key is hashed and compared piece by piece in place; it is assembled (lengths, texts,
  // address) only when a new flow is stored.
  const uint32_t len[4] = {uint32_t(device.size()), uint32_t(account.size()), uint32_t(process.size()),
                           uint32_t(cmdline.size())};
  uint64_t h = mix64(hashAddress(ip.bytes.data()), hashBytes(device, 1));
  h = mix64(h, hashBytes(account, 2));
  h = mix64(h, hashBytes(process, 3));
  h = mix64(h, hashBytes(cmdline, 4));
  const std::array<std::string_view, 6> parts{std::string_view(reinterpret_cast<const char*>(len), sizeof len),
                                               device, account, process, cmdline,
                                               std::string_view(reinterpret_cast<const char*>(ip.bytes.data()), 16)};
  bool created;
  FlowHeader* flow = flows_.find(h, parts, create, created);
  if (!flow) return nullptr;
  if (created) {
    flow->lastBin = INT64_MIN;
    flow->minBin = INT64_MAX;
    flow->maxBin = INT64_MIN;
    flow->lastGroup = kNoGroup;
    flow->headGroup = kNoGroup;
  }
  if (flow->lastBin == bin) return &groups_[flow->lastGroup];
  Group* g = nullptr;
  if (bin >= flow->minBin && bin <= flow->maxBin) {  // out of time order: walk the chain
    for (uint32_t gi = flow->headGroup; gi != kNoGroup; gi = groups_[gi].prevInFlow)
      if (binOf(groups_[gi]) == bin) {
        g = &groups_[gi];
        break;
      }
  }
  if (!g) {
    if (!create) return nullptr;
    if (groups_.size() >= kNoGroup) return nullptr;  // 4 billion groups: beyond any run
    Group& ng = groups_.emplace_back();
    ng.flow = flow->index;
    ng.prevInFlow = flow->headGroup;
    ng.first = ng.last = t;
    flow->headGroup = uint32_t(groups_.size() - 1);
    flow->minBin = std::min(flow->minBin, bin);
    flow->maxBin = std::max(flow->maxBin, bin);
    g = &ng;
  }
  flow->lastBin = bin;
  flow->lastGroup = uint32_t(g - groups_.data());
  return g;
}

void AnalysisState::aggregate(Ticks t, std::string_view device, std::string_view account, std::string_view process,
                              std::string_view cmdline, const IpAddress& ip, int32_t port, bool sentColumn, int64_t sent,
                              bool receivedColumn, int64_t received, bool seedAction) {
  if (collecting_) {
    Group* found = findGroup(t, device, account, process, cmdline, ip, false);
    if (!found) return;
    uint64_t id = uint64_t(found - groups_.data());
    if (id < collectWanted_.size() && collectWanted_[id]) collected_[id].push_back({t, sent, received, port, seedAction});
    return;
  }
  Group* g = findGroup(t, device, account, process, cmdline, ip, true);
  if (!g) {  // 32 GiB of flow keys or 4 billion groups: more than any run can hold
    addProblem(0, 0, "too many distinct flows or hour groups to hold: this row was not counted");
    return;
  }
  if (!ingestNow_) logForBoundary(*g, t, sent, received, port, seedAction);
  ++g->count;
  if (t < g->first) g->first = t;
  if (t > g->last) g->last = t;
  if (sentColumn) g->sent = addBytes(std::max<int64_t>(g->sent, 0), sent);
  if (receivedColumn) g->received = addBytes(std::max<int64_t>(g->received, 0), received);
  g->ports.add(port);
}

// Without a known now, the bin that will hold the cutoff is bin(latest time - lookback), and the
// latest time only grows. Exports that list the newest events first (Defender's portal does) fix
// it on their first row: the rows of that bin's groups are kept here, so that their exact counts need
// no second pass. A group is complete when it was created after logging of its bin began.
void AnalysisState::logForBoundary(const Group& g, Ticks t, int64_t sent, int64_t received, int32_t port,
                                   bool seedAction) {
  const int64_t window = rule.observationWindowMinutes * kTicksPerMinute;
  const int64_t candidate = floorDiv(maxEventTime_ - rule.lookbackMinutes * kTicksPerMinute, window);
  if (candidate != logBin_) {
    boundaryLogs_.clear();
    logBin_ = candidate;
    logCompleteFrom_ = groups_.size();  // groups of this bin that exist already missed rows
  }
  if (binOf(g) != logBin_) return;
  const uint64_t gi = uint64_t(&g - groups_.data());
  if (gi < logCompleteFrom_) return;
  boundaryLogs_[gi].push_back({t, sent, received, port, seedAction});
}

const AnalysisState::FlowGroups& AnalysisState::flowGroups() const {
  FlowGroups& fg = flowGroups_;
  if (fg.builtFor == groups_.size() && fg.start.size() == flowCount() + 1) return fg;
  fg.start.assign(flowCount() + 1, 0);
  for (const Group& g : groups_) ++fg.start[g.flow + 1];
  for (size_t i = 1; i < fg.start.size(); ++i) fg.start[i] += fg.start[i - 1];
  fg.groups.resize(groups_.size());
  std::vector<uint32_t> next(fg.start.begin(), fg.start.end() - 1);
  for (size_t gi = 0; gi < groups_.size(); ++gi) fg.groups[next[groups_[gi].flow]++] = uint32_t(gi);
  fg.builtFor = groups_.size();
  return fg;
}

void AnalysisState::onSignIn(const RawSignIn&) { other("sign-in record (the signin detection is not built yet)"); }

void AnalysisState::onIndicator(const RawIndicator& r) {
  FileReport& rep = reports_.back();
  IndicatorInfo info;
  if (r.hasTime) {
    info.timed = true;
    info.time = r.time;
  } else if (r.has(IntelField::TimeGenerated)) {
    std::string_view ts = trimValue(r.get(IntelField::TimeGenerated));
    if (!ts.empty()) {
      if (!parseAnyTime(ts, info.time)) {
        skip("unparseable TimeGenerated", r.line, r.column[size_t(IntelField::TimeGenerated)],
             "expected an ISO 8601 time in TimeGenerated, found " + quoteForMessage(ts));
        return;
      }
      info.timed = true;
    }
  }
  if (r.has(IntelField::Active)) {
    std::string_view a = trimValue(r.get(IntelField::Active));
    if (!parseBoolText(a, info.active)) {
      skip("unparseable Active", r.line, r.column[size_t(IntelField::Active)],
           "expected True or False in Active, found " + quoteForMessage(a));
      return;
    }
  }
  if (r.has(IntelField::ConfidenceScore)) {
    std::string_view c = trimValue(r.get(IntelField::ConfidenceScore));
    int64_t v;
    if (!c.empty()) {
      if (parseInt64(c, v)) info.confidence = v;
      else {
        double d;
        char* endp = nullptr;
        std::string tmp(c);
        d = std::strtod(tmp.c_str(), &endp);
        if (endp && *endp == 0) info.confidence = int64_t(std::llround(d));
        else {
          skip("unparseable ConfidenceScore", r.line, r.column[size_t(IntelField::ConfidenceScore)],
               "expected a number in ConfidenceScore, found " + quoteForMessage(c));
          return;
        }
      }
    }
  }
  if (r.has(IntelField::ExpirationDateTime)) {
    std::string_view x = trimValue(r.get(IntelField::ExpirationDateTime));
    Ticks xt;
    if (!x.empty()) {
      if (parseAnyTime(x, xt)) info.expiration = xt;
      else {
        skip("unparseable ExpirationDateTime", r.line, r.column[size_t(IntelField::ExpirationDateTime)],
             "expected an ISO 8601 time in ExpirationDateTime, found " + quoteForMessage(x));
        return;
      }
    }
  }
  info.threatType = std::string(trimValue(r.get(IntelField::ThreatType)));
  info.description = std::string(trimValue(r.get(IntelField::Description)));

  static constexpr IntelField ipFields[] = {IntelField::NetworkIP, IntelField::NetworkSourceIP,
                                            IntelField::NetworkDestinationIP, IntelField::NetworkCidrBlock};
  struct Parsed {
    TiSource src;
    IpAddress ip;
    int prefix;
  } parsed[4];
  int nParsed = 0;
  for (int k = 0; k < 4; ++k) {
    IntelField f = ipFields[k];
    if (!r.has(f)) continue;
    std::string_view v = trimValue(r.get(f));
    if (v.empty()) continue;
    IpAddress ip;
    int prefix = 128;
    bool ok = f == IntelField::NetworkCidrBlock ? parseCidr(v, ip, prefix) : parseIp(v, ip);
    if (!ok && f != IntelField::NetworkCidrBlock && v.find('/') != std::string_view::npos && parseCidr(v, ip, prefix)) ok = true;
    if (!ok) {
      skip("unparseable " + std::string(intelFieldName(f)), r.line, r.column[size_t(f)],
           std::string("expected an IP address in ") + std::string(intelFieldName(f)) + ", found " + quoteForMessage(v));
      return;
    }
    parsed[nParsed++] = {static_cast<TiSource>(k), ip, prefix};
  }
  if (nParsed == 0) {
    other("indicator without an IP address (domain, URL, hash, ...)");
    return;
  }
  ++rep.records;
  ++rep.kept;
  info.order = ++indicatorOrder_;
  for (int k = 0; k < nParsed; ++k) storeIndicator(parsed[k].src, parsed[k].ip, parsed[k].prefix, info);
}

void AnalysisState::storeIndicator(TiSource src, const IpAddress& ip, int prefix, const IndicatorInfo& info) {
  IndicatorSlot* slot;
  if (prefix < 128 || src == TiSource::NetworkCidrBlock) {
    // Ranges, keyed by (prefix, network): from NetworkCidrBlock (matched only when the rule asks),
    // or written where an address belongs (a plain list's or a STIX pattern's CIDR; always matched).
    int set = src == TiSource::NetworkCidrBlock ? 1 : 0;
    auto& m = cidrs_[set][prefix];
    if (m.empty()) {
      cidrPrefixes_[set].push_back(prefix);
      std::sort(cidrPrefixes_[set].begin(), cidrPrefixes_[set].end(), std::greater<int>());
    }
    slot = &m[ip];
  } else {
    slot = &indicators_[static_cast<int>(src)][ip];
  }
  auto& target = info.timed ? slot->timed : slot->untimed;
  if (!target || !info.timed || info.time >= target->time) target = info;
}

const IndicatorInfo* AnalysisState::latestIndicator(const IpAddress& ip, Ticks now) const {
  const Ticks tiCutoff = now - rule.tiLookbackMinutes * kTicksPerMinute;
  bool useSrc[3] = {true, false, false};
  bool useCidrSet[2] = {true, false};  // ranges given as addresses (plain lists, STIX) always count
  for (const auto& f : rule.tiExtraMatchFields) {
    if (f == "NetworkSourceIP") useSrc[1] = true;
    if (f == "NetworkDestinationIP") useSrc[2] = true;
    if (f == "NetworkCidrBlock") useCidrSet[1] = true;
  }
  const IndicatorInfo* best = nullptr;
  auto consider = [&](const IndicatorSlot& s) {
    // arg_max(TimeGenerated) among indicators with TimeGenerated > now - TI lookback; untimed
    // indicators are always inside the lookback and lose to any timed one.
    if (s.timed && s.timed->time > tiCutoff) {
      if (!best || !best->timed || s.timed->time > best->time || (s.timed->time == best->time && s.timed->order > best->order))
        best = &*s.timed;
    } else if (s.untimed) {
      if (!best || (!best->timed && s.untimed->order > best->order)) best = &*s.untimed;
    }
  };
  for (int k = 0; k < 3; ++k) {
    if (!useSrc[k]) continue;
    auto it = indicators_[k].find(ip);
    if (it != indicators_[k].end()) consider(it->second);
  }
  for (int set = 0; set < 2; ++set) {
    if (!useCidrSet[set]) continue;
    for (int prefix : cidrPrefixes_[set]) {
      IpAddress key = ip;
      for (int bit = prefix; bit < 128; ++bit) key.bytes[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
      auto it = cidrs_[set][prefix].find(key);
      if (it != cidrs_[set][prefix].end()) consider(it->second);
    }
  }
  if (!best || !best->active) return nullptr;
  if (rule.tiHonourExpiration && best->expiration && *best->expiration < now) return nullptr;
  return best;
}

// ---------------------------------------------------------------------------------------------
// finish

namespace {

std::string oneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

int AnalysisState::riskScoreFor(int64_t count, int64_t uniquePorts, bool ti) const {
  for (const auto& rr : rule.riskScore) {
    if (rr.tiMatch && *rr.tiMatch != ti) continue;
    if (rr.minConnections && count < *rr.minConnections) continue;
    if (rr.maxUniquePorts && uniquePorts > *rr.maxUniquePorts) continue;
    return rr.score;
  }
  return rule.defaultRiskScore;
}

// Fills the columns beyond the seed (attribution, prevalence, VpsScore and its reasons).
void AnalysisState::enrich(ResultRow& row, const IpAddress& ip, const Prevalence& prevalence,
                           uint64_t totalDevices) const {
  if (asnDb_) {
    HostingAttribution a = attribute(*asnDb_, hosting_ ? *hosting_ : HostingList::builtin(), ip);
    row.remoteAsn = a.asn;
    row.remoteOrg = a.org;
    row.isHosting = a.isHosting;
    if (a.isHosting) {
      row.hostingProvider = a.provider;
      row.hostingCategory = std::string(hostingCategoryName(a.category));
    }
  }
  auto it = prevalence.find(ip);
  if (it != prevalence.end()) {
    row.deviceCount = it->second.devices.size();
    row.remoteIpFirstSeen = it->second.first;
    row.remoteIpLastSeen = it->second.last;
  }
  // VpsScore: evidence that RemoteIP is a rented server used for command and control.
  double points = 0;
  std::vector<std::string>& why = row.vpsReasons;
  if (row.remoteAsn) {
    std::string as = "AS" + std::to_string(row.remoteAsn) + " " + (row.isHosting ? row.hostingProvider : row.remoteOrg);
    if (row.isHosting) {
      bool bulletproof = row.hostingCategory == "bulletproof";
      points += bulletproof ? 30 : row.hostingCategory == "cloud" ? 15 : 25;
      why.push_back(as + " (" + (bulletproof ? "bulletproof hosting" : row.hostingCategory) + ")");
    } else {
      why.push_back(as + " (not a listed hosting provider)");
    }
  } else {
    why.push_back(asnDb_ ? "no ASN for this address" : "ASN not looked up (no database loaded)");
  }
  if (row.periodicityScore) {
    points += 30 * *row.periodicityScore;
    if (*row.periodicityScore >= rule.beyondMinPeriodicity)
      why.push_back("every " + oneDecimal(*row.medianIntervalSeconds) + " s ± " + oneDecimal(row.intervalDispersion * 100) +
                    "% (periodicity " + std::to_string(int(std::lround(*row.periodicityScore * 100))) + "%)");
    else
      why.push_back("irregular (periodicity " + std::to_string(int(std::lround(*row.periodicityScore * 100))) + "%)");
  } else {
    why.push_back("periodicity not measured (seed mode)");
  }
  if (row.deviceCount == 1) points += 10;
  else if (row.deviceCount > 1 && row.deviceCount <= 3) points += 5;
  why.push_back(std::to_string(row.deviceCount) + " of " + std::to_string(totalDevices) +
                (totalDevices == 1 ? " device" : " devices"));
  if (row.isTiMatch) {
    points += 30;
    why.push_back("TI: " + (row.threatType && !row.threatType->empty() ? *row.threatType : std::string("match")) +
                  (row.tiConfidence ? " (confidence " + std::to_string(*row.tiConfidence) + ")" : ""));
  } else {
    why.push_back("no TI");
  }
  points += 5.0 * std::max(0, row.riskScore - rule.defaultRiskScore) / std::max(1, 95 - rule.defaultRiskScore);
  row.vpsScore = int(std::lround(std::clamp(points, 0.0, 100.0)));
}

Results AnalysisState::finish(std::optional<Ticks> given, const RowCallback& onRow, bool keepRows) const {
  Results res;
  res.files = reports_;
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
  const Ticks now = res.now;
  const Ticks cutoff = now - rule.lookbackMinutes * kTicksPerMinute;
  const int64_t window = rule.observationWindowMinutes * kTicksPerMinute;
  const bool beyond = rule.mode == "beyond";

  // Prevalence of each remote address over all loaded events (after the ingest filter). Only rows
  // use it: a caller that only counts them (finishEach without a callback) in seed mode skips it.
  Prevalence prevalence;
  std::unordered_set<std::string_view> allDevices;
  const bool makeRows = onRow || keepRows || beyond;
  auto seen = [&](const IpAddress& ip, std::string_view device, Ticks first, Ticks last) {
    PrevalenceEntry& p = prevalence[ip];
    p.first = std::min(p.first, first);
    p.last = std::max(p.last, last);
    p.devices.insert(device);
    allDevices.insert(device);
  };
  for (size_t fi = 0; makeRows && fi < flowCount(); ++fi) {
    if (groupsOfFlow(fi).empty()) continue;
    Ticks first = INT64_MAX, last = INT64_MIN;
    for (uint32_t gi : groupsOfFlow(fi)) {
      first = std::min(first, groups_[gi].first);
      last = std::max(last, groups_[gi].last);
    }
    seen(flow(fi).ip(), flow(fi).part(0), first, last);
  }
  if (makeRows)  // rows of excluded processes count too
    excludedContacts_.forEach(
        [&](const ContactTable::Entry& c) { seen(c.ip, devices_.at(c.device).name(), c.first, c.last); });

  // Exclusion lists, case-insensitive; decided once per flow.
  std::vector<std::string> excludedNames;
  for (const auto& n : rule.browserProcesses) excludedNames.push_back(asciiLower(n));
  for (const auto& n : rule.systemProcesses) excludedNames.push_back(asciiLower(n));
  std::sort(excludedNames.begin(), excludedNames.end());
  std::vector<int8_t> flowExcluded(flowCount(), -1);
  auto isExcluded = [&](uint32_t fi) {
    int8_t& ex = flowExcluded[fi];
    if (ex < 0) {
      std::string_view p = flow(fi).part(2);
      ex = !p.empty() && std::binary_search(excludedNames.begin(), excludedNames.end(), asciiLower(p));
      if (ex && beyond && rule.hostingOverridesExclusions) {
        // A hosting or TI hit overrides the lists: an svchost.exe beaconing to a VPS is the point.
        IpAddress ip = flow(fi).ip();
        if (latestIndicator(ip, now)) ex = 0;
        else if (asnDb_) {
          // Not the hyperscalers' shared ASNs ("cloud"): they also carry the vendors' own services,
          // which browsers and system processes talk to all day.
          AsnInfo info = asnDb_->lookup(ip);
          const HostingEntry* h = info ? (hosting_ ? *hosting_ : HostingList::builtin()).find(info.asn) : nullptr;
          if (h && h->category != HostingCategory::Cloud) ex = 0;
        }
      }
    }
    return ex != 0;
  };

  auto fillTi = [&](ResultRow& row, const IpAddress& ip) {
    if (const IndicatorInfo* ti = latestIndicator(ip, now)) {
      row.isTiMatch = true;
      row.threatType = ti->threatType;
      row.tiDescription = ti->description;
      row.tiConfidence = ti->confidence;
    }
  };
  auto setPorts = [](ResultRow& row, std::vector<int32_t> ports) {
    row.remotePorts.assign(ports.begin(), ports.end());
    std::sort(row.remotePorts.begin(), row.remotePorts.end());
    row.uniqueRemotePorts = int64_t(row.remotePorts.size());
    if (row.remotePorts.size() > 5) row.remotePorts.resize(5);
  };

  if (!beyond) {
    // A row's numbers first, for every group that makes one (a few dozen bytes each); the rows
    // themselves (texts, TI, attribution) are made one at a time in the final order, so that a
    // caller that streams them never holds them all.
    struct Candidate {
      uint32_t gi;
      int riskScore;
      int64_t count, sent, received;
      Ticks first, last;
      uint32_t portsAt, portsCount;  // distinct ports in `portPool`
    };
    std::vector<Candidate> candidates;
    std::vector<int32_t> portPool;
    for (size_t gi = 0; gi < groups_.size(); ++gi) {
      const Group& g = groups_[gi];
      if (g.last <= cutoff) continue;  // every connection is at or before now - lookback
      if (isExcluded(g.flow)) continue;
      ++res.groupsConsidered;
      Candidate c{uint32_t(gi), 0, g.count, g.sent, g.received, g.first, g.last, 0, 0};
      std::vector<int32_t> ports = g.ports.values();
      if (g.first <= cutoff) {
        // The group straddles the cutoff. Its rows at or before it must not count; which they are
        // only the rows themselves can say: a collect pass gathers them (collectGroups).
        if (g.count < rule.beaconMinConnections) continue;  // cannot reach the threshold either way
        auto got = collected_.find(gi);
        if (got == collected_.end() && binOf(g) == logBin_ && gi >= logCompleteFrom_) {
          got = boundaryLogs_.find(gi);  // logged while reading: every row of the group is there
          if (got == boundaryLogs_.end()) got = collected_.end();
        }
        if (got == collected_.end()) {
          res.collectGroups.push_back(gi);
        } else {
          c.count = c.sent = c.received = 0;
          c.first = INT64_MAX;
          c.last = INT64_MIN;
          PortSet after;
          for (const Connection& conn : got->second) {
            if (conn.t <= cutoff) continue;
            ++c.count;
            c.sent = addBytes(c.sent, conn.sent);
            c.received = addBytes(c.received, conn.received);
            c.first = std::min(c.first, conn.t);
            c.last = std::max(c.last, conn.t);
            after.add(conn.port);
          }
          ports = after.values();
        }
      }
      if (c.count < rule.beaconMinConnections) continue;
      c.portsAt = uint32_t(portPool.size());
      c.portsCount = uint32_t(ports.size());
      portPool.insert(portPool.end(), ports.begin(), ports.end());
      c.riskScore = riskScoreFor(c.count, int64_t(ports.size()), latestIndicator(flow(g.flow).ip(), now) != nullptr);
      candidates.push_back(c);
    }
    // The order the beyond rows are sorted in below (less VpsScore), on the candidates' numbers and
    // their flows' texts.
    std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
      if (a.riskScore != b.riskScore) return a.riskScore > b.riskScore;
      if (a.count != b.count) return a.count > b.count;
      const Group &ga = groups_[a.gi], &gb = groups_[b.gi];
      const int64_t ba = binOf(ga), bb = binOf(gb);
      if (ba != bb) return ba < bb;
      const Flow fa = flow(ga.flow), fb = flow(gb.flow);
      for (int k = 0; k < 4; ++k)
        if (fa.part(k) != fb.part(k)) return fa.part(k) < fb.part(k);
      return formatIp(fa.ip()) < formatIp(fb.ip());
    });
    res.rowCount = candidates.size();
    if (!onRow && !keepRows) candidates.clear();
    for (const Candidate& c : candidates) {
      const Group& g = groups_[c.gi];
      const Flow flow = this->flow(g.flow);
      ResultRow row;
      const IpAddress ip = flow.ip();
      row.binStart = binOf(g) * window;
      row.deviceName = std::string(flow.part(0));
      row.accountName = std::string(flow.part(1));
      row.processName = std::string(flow.part(2));
      row.commandLine = std::string(flow.part(3));
      row.remoteIp = formatIp(ip);
      row.connectionCount = c.count;
      row.connectionsPerMinute = round2(double(c.count) / double(rule.observationWindowMinutes));
      setPorts(row, std::vector<int32_t>(portPool.begin() + c.portsAt, portPool.begin() + c.portsAt + c.portsCount));
      if (g.hasSent()) row.totalBytesSent = c.sent;
      if (g.hasReceived()) row.totalBytesReceived = c.received;
      row.byteRatio = (row.totalBytesReceived && *row.totalBytesReceived > 0 && row.totalBytesSent)
                          ? round2(double(*row.totalBytesSent) / double(*row.totalBytesReceived))
                          : 0.0;
      fillTi(row, ip);
      row.riskScore = c.riskScore;
      row.firstConnection = c.first;
      row.lastConnection = c.last;
      row.groupId = c.gi;
      enrich(row, ip, prevalence, allDevices.size());
      if (onRow) onRow(row);
      if (keepRows) res.rows.push_back(std::move(row));
    }
  } else {
    std::vector<ResultRow> rows;  // one per flow at most
    // Beyond the seed: one row per flow over the whole lookback. Periodicity needs the flow's
    // connections, which a collect pass gathers.
    for (uint32_t fi = 0; fi < flowCount(); ++fi) {
      const Flow flow = this->flow(fi);
      int64_t upper = 0;
      bool allCollected = true;
      for (uint32_t gi : groupsOfFlow(fi)) {
        if (groups_[gi].last <= cutoff) continue;
        upper += groups_[gi].count;
        if (!collected_.count(gi)) allCollected = false;
      }
      if (upper < std::min(rule.beyondMinConnections, rule.beaconMinConnections)) continue;
      if (isExcluded(fi)) continue;
      ++res.groupsConsidered;
      if (!allCollected) {
        for (uint32_t gi : groupsOfFlow(fi))
          if (groups_[gi].last > cutoff && !collected_.count(gi)) res.collectGroups.push_back(gi);
        continue;
      }
      std::vector<Connection> conns;
      bool sentColumn = false, receivedColumn = false;
      for (uint32_t gi : groupsOfFlow(fi)) {
        if (groups_[gi].last <= cutoff) continue;
        sentColumn |= groups_[gi].hasSent();
        receivedColumn |= groups_[gi].hasReceived();
        for (const Connection& c : collected_.at(gi))
          if (c.t > cutoff) conns.push_back(c);
      }
      std::sort(conns.begin(), conns.end(), [](const Connection& a, const Connection& b) { return a.t < b.t; });
      if (conns.empty()) continue;
      std::vector<Ticks> times;
      times.reserve(conns.size());
      PortSet ports;
      int64_t sent = 0, received = 0;
      // The busiest bin gives the seed's view of this flow (RiskScore stays the seed's).
      int64_t bestBinCount = 0, bestBinPorts = 0, curBin = INT64_MIN, curCount = 0;
      PortSet binPorts;
      for (const Connection& c : conns) {
        times.push_back(c.t);
        sent = addBytes(sent, c.sent);
        received = addBytes(received, c.received);
        ports.add(c.port);
        int64_t b = floorDiv(c.t, window);
        if (b != curBin) {
          curBin = b;
          curCount = 0;
          binPorts = PortSet();
        }
        if (!c.seedAction) continue;  // RiskScore stays the seed's: only the seed's ActionTypes count
        ++curCount;
        binPorts.add(c.port);
        if (curCount > bestBinCount) {
          bestBinCount = curCount;
          bestBinPorts = int64_t(binPorts.size());
        }
      }
      Periodicity per = measurePeriodicity(times);
      const int64_t count = int64_t(conns.size());
      const bool seedRow = bestBinCount >= rule.beaconMinConnections;
      const bool periodic = count >= rule.beyondMinConnections && per.score >= rule.beyondMinPeriodicity;
      if (!seedRow && !periodic) continue;

      ResultRow row;
      const IpAddress ip = flow.ip();
      row.binStart = floorDiv(conns.front().t, window) * window;
      row.deviceName = std::string(flow.part(0));
      row.accountName = std::string(flow.part(1));
      row.processName = std::string(flow.part(2));
      row.commandLine = std::string(flow.part(3));
      row.remoteIp = formatIp(ip);
      row.connectionCount = count;
      const double spanMinutes = double(conns.back().t - conns.front().t) / double(kTicksPerMinute);
      row.connectionsPerMinute = round2(double(count) / std::max(double(rule.observationWindowMinutes), spanMinutes));
      setPorts(row, ports.values());
      if (sentColumn) row.totalBytesSent = sent;
      if (receivedColumn) row.totalBytesReceived = received;
      row.byteRatio = (row.totalBytesReceived && *row.totalBytesReceived > 0 && row.totalBytesSent)
                          ? round2(double(*row.totalBytesSent) / double(*row.totalBytesReceived))
                          : 0.0;
      fillTi(row, ip);
      row.riskScore = riskScoreFor(bestBinCount, bestBinPorts, row.isTiMatch);
      row.firstConnection = conns.front().t;
      row.lastConnection = conns.back().t;
      row.groupId = flowIdBase() + fi;
      row.medianIntervalSeconds = per.medianIntervalSeconds;
      row.periodicityScore = std::round(per.score * 1000) / 1000;
      row.intervalDispersion = per.dispersion;
      enrich(row, ip, prevalence, allDevices.size());
      rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), [](const ResultRow& a, const ResultRow& b) {
      if (a.vpsScore != b.vpsScore) return a.vpsScore > b.vpsScore;
      if (a.riskScore != b.riskScore) return a.riskScore > b.riskScore;
      if (a.connectionCount != b.connectionCount) return a.connectionCount > b.connectionCount;
      // Not in the seed (KQL leaves ties unordered): a fixed order so that outputs compare. The seed
      // mode's candidates are sorted the same way, on the same texts.
      if (a.binStart != b.binStart) return a.binStart < b.binStart;
      if (a.deviceName != b.deviceName) return a.deviceName < b.deviceName;
      if (a.accountName != b.accountName) return a.accountName < b.accountName;
      if (a.processName != b.processName) return a.processName < b.processName;
      if (a.commandLine != b.commandLine) return a.commandLine < b.commandLine;
      return a.remoteIp < b.remoteIp;
    });
    res.rowCount = rows.size();
    for (ResultRow& row : rows) {
      if (onRow) onRow(row);
      if (keepRows) res.rows.push_back(std::move(row));
    }
  }

  if (!res.collectGroups.empty())
    res.notices.push_back(std::to_string(res.collectGroups.size()) +
                          (beyond ? " group(s) must be read once more (a collect pass) to measure periodicity"
                                  : " group(s) straddle the lookback cutoff (now - lookback); their rows are upper bounds "
                                    "until the files are read once more for them (a collect pass)"));
  if (!anyEventFile_) res.notices.push_back("no network-events file was read");
  return res;
}

std::vector<uint64_t> AnalysisState::groupsOf(uint64_t id) const {
  if (id < groups_.size()) return {id};
  if (id >= flowIdBase() && id - flowIdBase() < flowCount()) {
    std::vector<uint64_t> out;
    for (uint32_t gi : groupsOfFlow(id - flowIdBase())) out.push_back(gi);
    return out;
  }
  return {};
}

Analysis::GroupDetail AnalysisState::detail(uint64_t id) const {
  Analysis::GroupDetail d;
  std::vector<Connection> conns;
  for (uint64_t gi : groupsOf(id)) {
    d.total += uint64_t(groups_[gi].count);
    auto it = collected_.find(gi);
    if (it == collected_.end()) return d;  // not collected: complete stays false
    conns.insert(conns.end(), it->second.begin(), it->second.end());
  }
  if (d.total == 0) return d;
  std::sort(conns.begin(), conns.end(), [](const Connection& a, const Connection& b) { return a.t < b.t; });
  for (const auto& c : conns) {
    d.times.push_back(c.t);
    d.ports.push_back(c.port);
  }
  d.total = d.times.size();
  d.complete = true;
  return d;
}

void AnalysisState::setNow(std::optional<Ticks> now) { ingestNow_ = now; }

void AnalysisState::beginCollect(const std::vector<uint64_t>& ids) {
  if (inFile_) endFile();
  collecting_ = true;
  collectWanted_.assign(groups_.size(), 0);
  for (uint64_t id : ids) {
    for (uint64_t gi : groupsOf(id)) {
      collectWanted_[gi] = 1;
      collected_[gi].clear();
    }
  }
  collectReports_ = std::move(reports_);
  reports_.clear();
}

void AnalysisState::endCollect() {
  if (!collecting_) return;
  if (inFile_) endFile();
  collecting_ = false;
  reports_ = std::move(collectReports_);
  collectReports_.clear();
  collectWanted_.clear();
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
Results Analysis::finishEach(std::optional<Ticks> now, const std::function<void(const ResultRow&)>& onRow) const {
  return state_->finish(now, onRow, false);
}
const Rule& Analysis::rule() const { return state_->rule; }
bool Analysis::setRule(Rule rule) {
  // Seed mode drops the rows of excluded processes at ingest: a rule that excludes less needs them.
  bool reread = ruleChangeNeedsReread(state_->rule, rule) || !state_->excludesAllDropped(rule);
  state_->rule = std::move(rule);
  if (reread) state_->reset();
  return reread;
}
void Analysis::reset() { state_->reset(); }
uint64_t Analysis::recordsInCurrentFile() const { return state_->recordsInCurrentFile(); }
Analysis::GroupDetail Analysis::detail(uint64_t groupId) const { return state_->detail(groupId); }
void Analysis::setNow(std::optional<Ticks> now) { state_->setNow(now); }
void Analysis::setAsnDatabase(std::shared_ptr<const AsnDatabase> db) { state_->asnDb_ = std::move(db); }
void Analysis::setHostingList(std::shared_ptr<const HostingList> list) { state_->hosting_ = std::move(list); }
uint64_t Analysis::flowIdBase() const { return state_->flowIdBase(); }
void Analysis::beginCollect(const std::vector<uint64_t>& groupIds) { state_->beginCollect(groupIds); }
void Analysis::endCollect() { state_->endCollect(); }

std::vector<std::pair<std::string, std::string>> knownFormats() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : readerFactories()) out.emplace_back(std::string(f.name), std::string(f.description));
  return out;
}

}  // namespace vpshunt

#include "detections/beacon/beacon.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "detections/beacon/periodicity.hpp"
#include "tuning/suppressions.hpp"
#include "events/values.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {

namespace {

constexpr size_t kMaxFilteredActions = 16;

}  // namespace

void BeaconDetection::reset() {
  flows_.clear();
  mixedNotes_.clear();
  excludedContacts_.clear();
  devices_.clear();
  droppedNames_.clear();
  groups_.clear();
  groupBins_ = GroupBins();
  flowGroups_ = FlowGroups();
  collected_.clear();
  collecting_ = false;
  boundaryLogs_.clear();
  logBin_ = INT64_MIN;
  logCompleteFrom_ = 0;
}

void BeaconDetection::fileEnd(const Rule& rule, FileReport& rep) { fileEnd(rule, rep, false); }

void BeaconDetection::fileEnd(const Rule& rule, FileReport& rep, bool chunk) {
  if (!chunk)
    for (auto& [name, count] : filteredActions_) rep.filtered["ActionType " + name] += count;
  const std::string names[kFilterCount] = {"before the lookback window (Timestamp <= now - lookback)",
                                           "ActionType (other values)", "no RemoteIP",
                                           "RemoteIPType not " + rule.remoteIpType,
                                           "RemoteIP not " + rule.remoteIpType + " (classified from the address)",
                                           "InitiatingProcessFileName on the browser/system exclusion lists",
                                           "inbound connections (not read by the beacon detection)"};
  for (int f = 0; f < kFilterCount; ++f)
    if (filterCounts_[f]) rep.filtered[names[f]] += filterCounts_[f];
}

void BeaconDetection::ingest(const RawEvent& e, Ticks t, Direction direction, NetIngest& ctx) {
  const Rule& rule = ctx.rule;
  FileReport& rep = ctx.file.report();
  if (ctx.ingestNow && t <= *ctx.ingestNow - rule.lookbackMinutes * kTicksPerMinute) {
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
      // An inbound connection never feeds this detection: the engine routes it to the inbound one
      // when that runs; otherwise it is counted here under its ActionType like every other.
      auto it = std::find_if(filteredActions_.begin(), filteredActions_.end(),
                             [&](const auto& p) { return sameText(p.first, a); });
      if (it != filteredActions_.end()) ++it->second;
      else if (filteredActions_.size() < actionCap_) filteredActions_.emplace_back(std::string(a), 1);
      else filteredOut(kOtherActionTypes);
      return;
    }
  }

  if (direction == Direction::Inbound || direction == Direction::Listening) {
    filteredOut(kInbound);
    return;
  }

  std::string_view ipText = trimValue(e.get(EventField::RemoteIP));
  if (ipText.empty() || ipText == "-") {
    filteredOut(kNoRemoteIp);
    return;
  }
  IpAddress ip;
  if (!parseIp(ipText, ip)) {
    ctx.file.rejectCounted("unparseable RemoteIP", e.line, e.col(EventField::RemoteIP),
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
        ctx.file.rejectCounted("unparseable RemotePort", e.line, e.col(EventField::RemotePort),
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
      ctx.file.rejectCounted(k == 0 ? "unparseable SentBytes" : "unparseable ReceivedBytes", e.line, e.col(f),
           std::string("expected a whole number of bytes in ") + std::string(eventFieldName(f)) + ", found " + quoteForMessage(bs));
      return;
    }
    (k == 0 ? sent : received) = v;
  }
  const std::string_view device = trimValue(e.get(EventField::DeviceName));
  const std::string_view process = trimValue(e.get(EventField::InitiatingProcessFileName));
  if (seedMode_ && excludedAtIngest(process)) {
    if (!collecting_) noteExcludedContact(ctx.file, t, device, ip);
    filteredOut(kExcludedProcess);
    return;
  }
  std::string_view account = e.has(EventField::AccountName) ? e.get(EventField::AccountName)
                                                             : e.get(EventField::InitiatingProcessAccountName);
  // The process's path and version info, for the known-software matcher (kept per flow).
  ProcessIdentity identity;
  constexpr uint32_t kIdentityFields = 1u << size_t(EventField::InitiatingProcessFolderPath) |
                                       1u << size_t(EventField::InitiatingProcessVersionInfoCompanyName) |
                                       1u << size_t(EventField::InitiatingProcessVersionInfoProductName);
  if (e.present & kIdentityFields) {
    identity.present = true;
    const std::string_view folder = trimValue(e.get(EventField::InitiatingProcessFolderPath));
    const std::string_view company = trimValue(e.get(EventField::InitiatingProcessVersionInfoCompanyName));
    const std::string_view product = trimValue(e.get(EventField::InitiatingProcessVersionInfoProductName));
    identity.overlong = company.size() > ProcessIdentity::kMaxVersionText || product.size() > ProcessIdentity::kMaxVersionText;
    identity.folder = folder.substr(0, ProcessIdentity::kMaxFolder);
    identity.company = company.substr(0, ProcessIdentity::kMaxVersionText);
    identity.product = product.substr(0, ProcessIdentity::kMaxVersionText);
  }
  ++rep.kept;
  aggregate(ctx, t, device, trimValue(account), process, e.get(EventField::InitiatingProcessCommandLine), ip, port,
            e.has(EventField::SentBytes), sent, e.has(EventField::ReceivedBytes), received, seedAction, identity);
}


void BeaconDetection::fileBegin(const Rule& rule) { fileBegin(rule, false); }

void BeaconDetection::fileBegin(const Rule& rule, bool chunk) {
  actionCap_ = chunk ? kMaxChunkActions : kMaxFilteredActions;
  filteredActions_.clear();
  for (auto& c : filterCounts_) c = 0;
  window_ = rule.observationWindowMinutes * kTicksPerMinute;
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

bool BeaconDetection::excludedAtIngest(std::string_view process) {
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

bool BeaconDetection::excludesAllDropped(const Rule& next) const {
  if (droppedNames_.empty()) return true;
  std::unordered_set<std::string> kept;
  for (const auto* list : {&next.browserProcesses, &next.systemProcesses})
    for (const auto& n : *list) kept.insert(asciiLower(n));
  for (const auto& n : droppedNames_)
    if (!kept.count(n)) return false;
  return true;
}

void BeaconDetection::noteExcludedContact(FileIngest& file, Ticks t, std::string_view device, const IpAddress& ip) {
  bool created;
  const DeviceHeader* d = devices_.find(hashBytes(device, 1), std::array<std::string_view, 1>{device}, true, created);
  if (!d) {
    file.addProblem(0, 0, "too many distinct devices to hold: this row was not counted");
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

ProcessIdentity Flow::process() const {
  ProcessIdentity::Head head;
  std::memcpy(&head, h->payload(), sizeof head);
  ProcessIdentity id;
  const char* p = h->payload() + sizeof head;
  id.folder = {p, head.folder};
  id.company = {p + head.folder, head.company};
  id.product = {p + head.folder + head.company, head.product};
  id.present = head.state & ProcessIdentity::kPresent;
  id.mixed = head.state & ProcessIdentity::kMixed;
  id.overlong = head.state & ProcessIdentity::kOverlong;
  return id;
}

void BeaconDetection::noteMixed(FlowHeader& flow, const ProcessIdentity& row) {
  // Rare (a flow whose binary changed folder or version): off the hot path.
  char* payload = const_cast<char*>(flow.payload());
  ProcessIdentity::Head head;
  std::memcpy(&head, payload, sizeof head);
  head.state |= ProcessIdentity::kMixed;
  std::memcpy(payload, &head, sizeof head);
  const ProcessIdentity first = Flow{&flow}.process();
  std::string note;
  auto add = [&](const char* what, std::string_view a, std::string_view b) {
    if (a == b) return;
    note += note.empty() ? "" : "; ";
    note += std::string(what) + " " + (a.empty() ? std::string("(none)") : std::string(cutUtf8(a, 160))) + " and " +
            (b.empty() ? std::string("(none)") : std::string(cutUtf8(b, 160)));
  };
  add("folder", first.folder, row.folder);
  add("company", first.company, row.company);
  add("product", first.product, row.product);
  if (note.empty()) note = "version info of more than 256 bytes";
  mixedNotes_.emplace(flow.index, std::move(note));
}

namespace {
uint64_t binHash(uint32_t flow, int64_t bin) { return mix64(uint64_t(flow) + 0x9E3779B97F4A7C15ull, uint64_t(bin)); }
}  // namespace

uint32_t BeaconDetection::groupOfBin(uint32_t flow, int64_t bin) {
  GroupBins& gb = groupBins_;
  if (gb.indexed > groups_.size()) gb = GroupBins();  // cannot happen (groups are only appended); never stale
  if (groups_.size() * 2 >= gb.slots.size()) {
    size_t capacity = 1024;
    while (capacity <= groups_.size() * 2) capacity <<= 1;
    gb.slots.assign(capacity, GroupBins::kEmpty);
    gb.indexed = 0;
  }
  const size_t mask = gb.slots.size() - 1;
  for (; gb.indexed < groups_.size(); ++gb.indexed) {
    const Group& g = groups_[gb.indexed];
    const uint64_t h = binHash(g.flow, binOf(g));
    size_t at = size_t(h) & mask;
    while (gb.slots[at] != GroupBins::kEmpty) at = (at + 1) & mask;
    gb.slots[at] = (h & 0xFFFFFFFF00000000ull) | gb.indexed;
  }
  const uint64_t h = binHash(flow, bin);
  for (size_t at = size_t(h) & mask;; at = (at + 1) & mask) {
    const uint64_t slot = gb.slots[at];
    if (slot == GroupBins::kEmpty) return kNoGroup;
    if ((slot >> 32) != (h >> 32)) continue;
    const uint32_t gi = uint32_t(slot);
    const Group& g = groups_[gi];
    if (g.flow == flow && binOf(g) == bin) return gi;
  }
}

Group* BeaconDetection::findGroup(Ticks t, std::string_view device, std::string_view account, std::string_view process,
                                std::string_view cmdline, const IpAddress& ip, bool create, const ProcessIdentity* identity) {
  const int64_t bin = floorDiv(t, window_);
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
  static const ProcessIdentity kNoIdentity;
  const ProcessIdentity& id = identity ? *identity : kNoIdentity;
  bool created;
  FlowHeader* flow = flows_.find(h, parts, create, created, id.payloadSize());
  if (!flow) return nullptr;
  if (created) {
    flow->lastBin = INT64_MIN;
    flow->minBin = INT64_MAX;
    flow->maxBin = INT64_MIN;
    flow->lastGroup = kNoGroup;
    flow->headGroup = kNoGroup;
    const ProcessIdentity::Head head{uint16_t(id.folder.size()), uint16_t(id.company.size()), uint16_t(id.product.size()),
                                     uint8_t((id.present ? ProcessIdentity::kPresent : 0) |
                                             (id.overlong ? ProcessIdentity::kOverlong : 0)),
                                     0};
    char* w = const_cast<char*>(flow->payload());
    std::memcpy(w, &head, sizeof head);
    w += sizeof head;
    for (std::string_view text : {id.folder, id.company, id.product}) {
      if (!text.empty()) std::memcpy(w, text.data(), text.size());
      w += text.size();
    }
  } else if (id.present) {
    // Every row of the flow must say the same of its process (see ProcessIdentity).
    ProcessIdentity::Head head;
    const char* p = flow->payload();
    std::memcpy(&head, p, sizeof head);
    if ((head.state & (ProcessIdentity::kPresent | ProcessIdentity::kMixed)) == ProcessIdentity::kPresent) {
      p += sizeof head;
      const bool same = head.folder == id.folder.size() && head.company == id.company.size() &&
                        head.product == id.product.size() &&
                        bool(head.state & ProcessIdentity::kOverlong) == id.overlong &&
                        bytesEqual(p, id.folder.data(), id.folder.size()) &&
                        bytesEqual(p + head.folder, id.company.data(), id.company.size()) &&
                        bytesEqual(p + head.folder + head.company, id.product.data(), id.product.size());
      if (!same) noteMixed(*flow, id);
    }
  }
  if (flow->lastBin == bin) return &groups_[flow->lastGroup];
  Group* g = nullptr;
  if (bin >= flow->minBin && bin <= flow->maxBin) {  // out of time order: the flow may have this bin
    const uint32_t gi = groupOfBin(flow->index, bin);
    if (gi != kNoGroup) g = &groups_[gi];
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

void BeaconDetection::aggregate(NetIngest& ctx, Ticks t, std::string_view device, std::string_view account, std::string_view process,
                              std::string_view cmdline, const IpAddress& ip, int32_t port, bool sentColumn, int64_t sent,
                              bool receivedColumn, int64_t received, bool seedAction, const ProcessIdentity& identity) {
  if (collecting_) {
    Group* found = findGroup(t, device, account, process, cmdline, ip, false);
    if (!found) return;
    uint64_t id = uint64_t(found - groups_.data());
    if (id < collectWanted_.size() && collectWanted_[id]) collected_[id].push_back({t, sent, received, port, seedAction});
    return;
  }
  Group* g = findGroup(t, device, account, process, cmdline, ip, true, &identity);
  if (!g) {  // 32 GiB of flow keys or 4 billion groups: more than any run can hold
    ctx.file.addProblem(0, 0, "too many distinct flows or hour groups to hold: this row was not counted");
    return;
  }
  if (!ctx.ingestNow) logForBoundary(ctx.rule, ctx.maxEventTime, *g, t, sent, received, port, seedAction);
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
void BeaconDetection::logForBoundary(const Rule& rule, Ticks maxEventTime, const Group& g, Ticks t, int64_t sent,
                                     int64_t received, int32_t port, bool seedAction) {
  const int64_t candidate = floorDiv(maxEventTime - rule.lookbackMinutes * kTicksPerMinute, window_);
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

const BeaconDetection::FlowGroups& BeaconDetection::flowGroups() const {
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


namespace {

std::string oneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// What the hosting attribution of RemoteIP adds to VpsScore. Listed: bulletproof 30, vps/hosting
// 25, cloud 15 (the hyperscalers' shared ASNs also carry their own services), vpn 10 (a VPN exit is
// more often a user's VPN than a C2 server), proxy 0 (a security proxy's egress: the destination
// is behind it). Inferred from the organisation name or from attacks in the loaded data: 15 (10
// for a VPN name), less than listed, as the evidence is weaker.
int beaconHostingPoints(const HostingAttribution& a) {
  if (!a.isHosting) return 0;
  if (a.confidence != HostingConfidence::Listed) return a.category == HostingCategory::Vpn ? 10 : 15;
  switch (a.category) {
    case HostingCategory::Bulletproof: return 30;
    case HostingCategory::Vps:
    case HostingCategory::Hosting: return 25;
    case HostingCategory::Cloud: return 15;
    case HostingCategory::Vpn: return 10;
    case HostingCategory::Proxy: return 0;
  }
  return 0;
}

// The row of the seed's case() that gives the score (-1: none, the else).
int riskRowFor(const Rule& rule, int64_t count, int64_t uniquePorts, bool ti) {
  for (size_t i = 0; i < rule.riskScore.size(); ++i) {
    const RiskScoreRow& rr = rule.riskScore[i];
    if (rr.tiMatch && *rr.tiMatch != ti) continue;
    if (rr.minConnections && count < *rr.minConnections) continue;
    if (rr.maxUniquePorts && uniquePorts > *rr.maxUniquePorts) continue;
    return int(i);
  }
  return -1;
}

// "RiskScore 80: TI match, >= 12 connections (14 in the hour, 1 port)": the case() row that held.
std::string riskReason(const Rule& rule, int64_t count, int64_t uniquePorts, bool ti, bool busiestHour) {
  const int row = riskRowFor(rule, count, uniquePorts, ti);
  std::string out = std::string(busiestHour ? "seed RiskScore " : "RiskScore ") +
                    std::to_string(row < 0 ? rule.defaultRiskScore : rule.riskScore[size_t(row)].score) + ": ";
  if (row < 0) {
    out += "no row of the score table holds";
  } else {
    const RiskScoreRow& rr = rule.riskScore[size_t(row)];
    std::string conditions;
    auto add = [&](const std::string& c) { conditions += (conditions.empty() ? "" : ", ") + c; };
    if (rr.tiMatch) add(*rr.tiMatch ? "TI match" : "no TI match");
    if (rr.minConnections) add("\u2265 " + std::to_string(*rr.minConnections) + " connections");
    if (rr.maxUniquePorts) add("\u2264 " + std::to_string(*rr.maxUniquePorts) + (*rr.maxUniquePorts == 1 ? " port" : " ports"));
    out += conditions.empty() ? "the table's first unconditional row" : conditions;
  }
  out += " (" + std::to_string(count) + (busiestHour ? " in the busiest hour, " : " in the hour, ") +
         std::to_string(uniquePorts) + (uniquePorts == 1 ? " port)" : " ports)");
  return out;
}

}  // namespace

int BeaconDetection::riskScoreFor(const Rule& rule, int64_t count, int64_t uniquePorts, bool ti) const {
  const int row = riskRowFor(rule, count, uniquePorts, ti);
  return row < 0 ? rule.defaultRiskScore : rule.riskScore[size_t(row)].score;
}

// Fills the columns beyond the seed (attribution, prevalence, VpsScore and its reasons).
void BeaconDetection::enrich(const FinishContext& ctx, ResultRow& row, const IpAddress& ip, const IpFacts& facts,
                             const Prevalence& prevalence, uint64_t totalDevices, const KnownSoftwareFinding* known) const {
  const Rule& rule = ctx.rule;
  const HostingAttribution& a = facts.hosting;
  if (ctx.facts.haveAsnDatabase()) {
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
  // The attribution's reason names the list (or the inference and its evidence).
  points += beaconHostingPoints(a);
  why.push_back(ctx.facts.haveAsnDatabase() ? a.reason : std::string("ASN not looked up (no database loaded)"));
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
  if (known && !known->reason.empty()) {  // known software (beyond mode): see KnownSoftwareFinding
    points += known->points;
    why.push_back(known->reason);
  }
  row.vpsScore = int(std::lround(std::clamp(points, 0.0, 100.0)));
}

void BeaconDetection::finish(const FinishContext& ctx, const std::function<void(const ResultRow&)>& onRow,
                             DetectionSummary& summary, Results& res) const {
  const Rule& rule = ctx.rule;
  const Ticks now = ctx.now;
  const Ticks cutoff = now - rule.lookbackMinutes * kTicksPerMinute;
  const int64_t window = rule.observationWindowMinutes * kTicksPerMinute;
  const bool beyond = rule.mode == "beyond";

  // Prevalence of each remote address over all loaded events (after the ingest filter). Only rows
  // use it: a caller that only counts them (finishEach without a callback) in seed mode skips it.
  Prevalence prevalence;
  std::unordered_set<std::string_view> allDevices;
  const bool makeRows = ctx.makeRows || beyond;
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
        // A hosting or TI hit overrides the lists: an svchost.exe beaconing to a VPS is the point
        // (listed rented servers only: see IpFacts::hostingOverridesExclusions).
        const IpFacts& f = ctx.facts.get(flow(fi).ip());
        if (f.ti || f.hostingOverridesExclusions) ex = 0;
      }
    }
    return ex != 0;
  };

  // Tuning (issue 13): the rule's suppressions, decided once per flow (-2: not yet; -1: none).
  const SuppressionMatcher suppressions(rule.suppressions);
  std::vector<uint64_t> suppressedBy(rule.suppressions.size(), 0);
  std::vector<int32_t> flowSuppression(suppressions.empty() ? 0 : flowCount(), -2);
  auto suppressedFlow = [&](uint32_t fi) {
    if (suppressions.empty()) return -1;
    int32_t& e = flowSuppression[fi];
    if (e == -2) {
      const Flow f = flow(fi);
      e = suppressions.beacon(f.part(0), f.part(1), f.part(2), f.part(3), f.ip());
    }
    return int(e);
  };
  uint64_t knownHidden = 0;

  auto fillTi = [&](ResultRow& row, const IpFacts& facts) {
    if (const IndicatorInfo* ti = facts.ti) {
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
      int64_t bin;        // set for the sort
      uint32_t flowRank;  // the flow's place in the order of the flows' texts, set for the sort
    };
    std::vector<Candidate> candidates;
    std::vector<int32_t> portPool;
    for (size_t gi = 0; gi < groups_.size(); ++gi) {
      const Group& g = groups_[gi];
      if (g.last <= cutoff) continue;  // every connection is at or before now - lookback
      if (isExcluded(g.flow)) continue;
      ++res.groupsConsidered;
      Candidate c{uint32_t(gi), 0, g.count, g.sent, g.received, g.first, g.last, 0, 0, 0, 0};
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
      if (const int e = suppressedFlow(g.flow); e >= 0) {
        ++suppressedBy[size_t(e)];
        continue;
      }
      if (const int m = suppressions.empty() ? -1 : markOf(g.flow, suppressions); m >= 0) ++suppressedBy[size_t(m)];
      c.portsAt = uint32_t(portPool.size());
      c.portsCount = uint32_t(ports.size());
      portPool.insert(portPool.end(), ports.begin(), ports.end());
      c.riskScore = riskScoreFor(rule, c.count, int64_t(ports.size()), ctx.facts.ti(flow(g.flow).ip()) != nullptr);
      candidates.push_back(c);
    }
    // The order the beyond rows are sorted in below (less VpsScore), on the candidates' numbers and
    // their flows' texts. The flows are ranked by their texts once (a result-heavy run has a hundred
    // thousand candidates and a few thousand flows, and most candidates tie on the numbers), and
    // flows that compare equal share a rank, so the sort sees the same order as comparing the texts.
    {
      std::vector<uint32_t> ranked;
      for (const Candidate& c : candidates) ranked.push_back(groups_[c.gi].flow);
      std::sort(ranked.begin(), ranked.end());
      ranked.erase(std::unique(ranked.begin(), ranked.end()), ranked.end());
      auto textLess = [&](uint32_t a, uint32_t b) {
        const Flow fa = flow(a), fb = flow(b);
        for (int k = 0; k < 4; ++k)
          if (fa.part(k) != fb.part(k)) return fa.part(k) < fb.part(k);
        return formatIp(fa.ip()) < formatIp(fb.ip());
      };
      std::sort(ranked.begin(), ranked.end(), textLess);
      std::vector<uint32_t> rankOf(flowCount());
      for (size_t i = 0, rank = 0; i < ranked.size(); ++i) {
        if (i > 0 && textLess(ranked[i - 1], ranked[i])) ++rank;
        rankOf[ranked[i]] = uint32_t(rank);
      }
      for (Candidate& c : candidates) {
        c.bin = binOf(groups_[c.gi]);
        c.flowRank = rankOf[groups_[c.gi].flow];
      }
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.riskScore != b.riskScore) return a.riskScore > b.riskScore;
      if (a.count != b.count) return a.count > b.count;
      if (a.bin != b.bin) return a.bin < b.bin;
      return a.flowRank < b.flowRank;
    });
    res.rowCount = candidates.size();
    if (!onRow) candidates.clear();
    // Known software on seed rows: the KnownSoftware value the page shows (seed output leaves the
    // column out; the seed rule's score and reasons are not touched). Once per flow.
    std::unordered_map<uint32_t, KnownSoftwareFinding> knownOfFlow;
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
      const IpFacts& facts = ctx.facts.get(ip);
      fillTi(row, facts);
      row.riskScore = c.riskScore;
      row.firstConnection = c.first;
      row.lastConnection = c.last;
      row.groupId = c.gi;
      enrich(ctx, row, ip, facts, prevalence, allDevices.size());
      {
        auto known = knownOfFlow.find(g.flow);
        if (known == knownOfFlow.end())
          known = knownOfFlow.emplace(g.flow, knownSoftwareOf(g.flow, facts, ctx.facts.haveAsnDatabase(), suppressions)).first;
        row.knownSoftware = known->second.product;
        row.knownSoftwareReason = known->second.reason;
      }
      row.score = row.riskScore;
      row.reasons.push_back(riskReason(rule, c.count, int64_t(c.portsCount), row.isTiMatch, false));
      row.reasons.insert(row.reasons.end(), row.vpsReasons.begin(), row.vpsReasons.end());
      onRow(row);
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
      if (const int e = suppressedFlow(fi); e >= 0) {
        ++suppressedBy[size_t(e)];
        continue;
      }
      if (const int m = suppressions.empty() ? -1 : markOf(fi, suppressions); m >= 0) ++suppressedBy[size_t(m)];

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
      const IpFacts& facts = ctx.facts.get(ip);
      fillTi(row, facts);
      row.riskScore = riskScoreFor(rule, bestBinCount, bestBinPorts, row.isTiMatch);
      row.firstConnection = conns.front().t;
      row.lastConnection = conns.back().t;
      row.groupId = flowIdBase() + fi;
      row.medianIntervalSeconds = per.medianIntervalSeconds;
      row.periodicityScore = std::round(per.score * 1000) / 1000;
      row.intervalDispersion = per.dispersion;
      const KnownSoftwareFinding known = knownSoftwareOf(fi, facts, ctx.facts.haveAsnDatabase(), suppressions);
      row.knownSoftware = known.product;
      row.knownSoftwareReason = known.reason;
      if (row.knownSoftware && rule.hideKnownSoftware) {
        ++knownHidden;
        continue;
      }
      enrich(ctx, row, ip, facts, prevalence, allDevices.size(), &known);
      row.score = row.vpsScore;
      row.reasons = row.vpsReasons;
      row.reasons.push_back(riskReason(rule, bestBinCount, bestBinPorts, row.isTiMatch, true));
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
    if (onRow)
      for (const ResultRow& row : rows) onRow(row);
  }

  summary.rowCount = res.rowCount;
  summary.considered = res.groupsConsidered;
  if (!suppressions.empty()) {
    std::string n = suppressions.notice("beacon", suppressedBy);
    if (!n.empty()) summary.notices.push_back(std::move(n));
    summary.suppressedBy = std::move(suppressedBy);
  }
  summary.knownSoftwareHidden = knownHidden;
  if (knownHidden)
    summary.notices.push_back(std::to_string(knownHidden) + (knownHidden == 1 ? " beacon row" : " beacon rows") +
                              " of known software hidden (hideKnownSoftware)");
  if (!res.collectGroups.empty())
    summary.notices.push_back(std::to_string(res.collectGroups.size()) +
                          (beyond ? " group(s) must be read once more (a collect pass) to measure periodicity"
                                  : " group(s) straddle the lookback cutoff (now - lookback); their rows are upper bounds "
                                    "until the files are read once more for them (a collect pass)"));
}


std::vector<uint64_t> BeaconDetection::groupsOf(uint64_t id) const {
  if (id < groups_.size()) return {id};
  if (id >= flowIdBase() && id - flowIdBase() < flowCount()) {
    std::vector<uint64_t> out;
    for (uint32_t gi : groupsOfFlow(id - flowIdBase())) out.push_back(gi);
    return out;
  }
  return {};
}

Analysis::GroupDetail BeaconDetection::detail(uint64_t id) const {
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


void BeaconDetection::beginCollect(const std::vector<uint64_t>& ids) {
  collecting_ = true;
  collectWanted_.assign(groups_.size(), 0);
  for (uint64_t id : ids) {
    for (uint64_t gi : groupsOf(id)) {
      collectWanted_[gi] = 1;
      collected_[gi].clear();
    }
  }
}

void BeaconDetection::endCollect() {
  collecting_ = false;
  collectWanted_.clear();
}


void BeaconDetection::finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& res) const {
  // Seed mode's rows have the seed's columns only (no KnownSoftware): the output files and the page's
  // store alike.
  const TableSchema& table = schema().output(ctx.rule.mode == "beyond");
  Row cellsRow(table);
  std::function<void(const ResultRow&)> each;
  if (sink || ctx.keepRows)
    each = [&](const ResultRow& r) {
      if (sink) {
        cells(r, cellsRow);
        sink->row(cellsRow);
      }
      if (ctx.keepRows) res.rows.push_back(r);
    };
  if (sink) sink->beginTable(table);
  finish(ctx, each, summary, res);
  if (sink) sink->endTable(table, summary.rowCount);
}

}  // namespace vpshunt

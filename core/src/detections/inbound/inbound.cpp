#include "detections/inbound/inbound.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "events/values.hpp"
#include "tuning/suppressions.hpp"

namespace vpshunt {

namespace {

constexpr uint32_t kNoPort = 65536;

TableSchema makeSchema() {
  TableSchema s;
  s.detection = "inbound";
  s.title = "Inbound";
  s.order = "Score desc, ConnectionCount desc, RemoteIP";
  using T = CellType;
  s.columns = {
      {"Detection", T::Text, false, "inbound"},
      {"Score", T::Int, false, "how much this source looks like an attacker on rented infrastructure, 0-100"},
      {"RemoteIP", T::Text, false, "the source address, canonical"},
      {"RemoteASN", T::Int, true, "the autonomous system announcing it"},
      {"RemoteOrg", T::Text, true, "its organisation"},
      {"IsHosting", T::Bool, false, "the ASN is on the hosting list"},
      {"HostingProvider", T::Text, true, "the hosting list's provider name"},
      {"HostingCategory", T::Text, true, "vps, hosting, cloud or bulletproof"},
      {"TargetCount", T::Int, false, "distinct targets: devices, or local addresses when the log has no device names"},
      {"Targets", T::TextList, false, "up to 5 targets, the most contacted first"},
      {"UniqueTargetPorts", T::Int, false, "distinct target (local) ports"},
      {"TargetPorts", T::IntList, false, "up to 5 target ports, the most contacted first"},
      {"ConnectionCount", T::Int, false, "connections over the lookback"},
      {"RefusedCount", T::Int, false, "of them refused, failed or denied"},
      {"FirstSeen", T::Time, false, "its first connection in the lookback"},
      {"LastSeen", T::Time, false, "its last connection in the lookback"},
      {"IsTIMatch", T::Bool, false, "the latest indicator for RemoteIP within the TI lookback is active"},
      {"Reasons", T::TextList, false, "why it scored what it did, in words"},
  };
  s.terminalSeed = {{"Score", "", 5},          {"RemoteIP", "", 39},       {"HostingProvider", "Hosting", 20},
                    {"TargetCount", "Targets", 7}, {"TargetPorts", "Ports", 24}, {"ConnectionCount", "Count", 8},
                    {"RefusedCount", "Refused", 7}, {"IsTIMatch", "TI", 5},    {"Reasons", "Why", 90}};
  s.terminalBeyond = s.terminalSeed;
  s.pageSeed = {{"Score", ""},           {"RemoteIP", ""},          {"HostingProvider", "Hosting"},
                {"RemoteASN", "ASN"},    {"TargetCount", "Targets"}, {"TargetPorts", "Ports"},
                {"ConnectionCount", "Connections"}, {"RefusedCount", "Refused"}, {"FirstSeen", ""},
                {"LastSeen", ""},        {"IsTIMatch", "TI"}};
  s.pageBeyond = s.pageSeed;
  s.overviewTime = "FirstSeen";
  s.finalize();
  return s;
}

// "9 min", "23 h", "4 s": a span in words.
std::string spanText(Ticks d) {
  const double s = double(d) / double(kTicksPerSecond);
  char buf[32];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 90 * 60) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (s < 48 * 3600) std::snprintf(buf, sizeof buf, "%.0f h", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.0f days", s / 86400);
  return buf;
}

// Points for the source's network: the evidence that it is rented infrastructure.
double hostingPoints(const HostingAttribution& a) {
  if (!a.isHosting) return 0;
  const std::string_view c = hostingCategoryName(a.category);
  if (c == "bulletproof") return 30;
  if (c == "vps" || c == "hosting") return 25;
  if (c == "cloud") return 10;  // hyperscalers: health checks and partners live there too
  return 15;
}

struct Stats {
  uint64_t connections = 0, refused = 0, adminConnections = 0;
  Ticks first = INT64_MAX, last = INT64_MIN;
  uint32_t hours = 0;
  std::vector<std::pair<uint32_t, uint32_t>> targets, ports;  // (key, connections), most first
  std::vector<int64_t> adminPortsHit;
};

void mostFirst(std::vector<std::pair<uint32_t, uint32_t>>& v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
}

}  // namespace

const TableSchema& inboundSchema() {
  static const TableSchema s = makeSchema();
  return s;
}

void InboundDetection::reset() {
  sourceIndex_.clear();
  sources_.clear();
  targets_.clear();
  anyDeviceNames_ = false;
  collecting_ = false;
  collectWanted_.clear();
  collected_.clear();
}

void InboundDetection::fileBegin(const Rule& rule) {
  for (auto& c : filterCounts_) c = 0;
  lookback_ = rule.inbound.lookbackMinutes * kTicksPerMinute;
}

void InboundDetection::fileEnd(FileReport& rep) {
  static const char* names[kFilterCount] = {"inbound: before the lookback window", "inbound: no RemoteIP",
                                            "inbound: from a non-public address"};
  for (int f = 0; f < kFilterCount; ++f)
    if (filterCounts_[f]) rep.filtered[names[f]] += filterCounts_[f];
}

uint32_t InboundDetection::internTarget(FileIngest& file, std::string_view name) {
  bool created;
  const InternedName* n = targets_.find(hashBytes(name, 11), std::array<std::string_view, 1>{name}, true, created);
  if (!n) {
    file.addProblem(0, 0, "too many distinct inbound targets to hold: a row was not counted");
    return UINT32_MAX;
  }
  return n->index;
}

void InboundDetection::ingest(const RawEvent& e, Ticks t, Outcome outcome, NetIngest& ctx) {
  if (ctx.ingestNow && t <= *ctx.ingestNow - lookback_) {
    ++filterCounts_[kBeforeLookback];
    return;
  }
  std::string_view ipText = trimValue(e.get(EventField::RemoteIP));
  if (ipText.empty() || ipText == "-") {
    ++filterCounts_[kNoRemoteIp];
    return;
  }
  IpAddress ip;
  if (!parseIp(ipText, ip)) {
    ctx.file.rejectCounted("unparseable RemoteIP", e.line, e.col(EventField::RemoteIP),
                           "expected an IPv4 or IPv6 address in RemoteIP, found " + quoteForMessage(ipText));
    return;
  }
  // Inbound from the internet only: RemoteIPType == "Public" where the export says, else the address.
  const bool isPublic = e.has(EventField::RemoteIPType) ? sameText(e.get(EventField::RemoteIPType), "Public")
                                                        : classifyIp(ip) == IpType::Public;
  if (!isPublic) {
    ++filterCounts_[kNotPublic];
    return;
  }
  int32_t port = -1;
  if (e.has(EventField::LocalPort)) {
    std::string_view ps = trimValue(e.get(EventField::LocalPort));
    if (!ps.empty() && ps != "-") {
      int64_t v;
      if (!parseInt64(ps, v) || v < 0 || v > 65535) {
        ctx.file.rejectCounted("unparseable LocalPort", e.line, e.col(EventField::LocalPort),
                               "expected a port number 0-65535 in LocalPort, found " + quoteForMessage(ps));
        return;
      }
      port = int32_t(v);
    }
  }
  std::string_view target = trimValue(e.get(EventField::DeviceName));
  if (target.empty()) {
    target = trimValue(e.get(EventField::LocalIP));
  } else if (!anyDeviceNames_) {
    IpAddress asAddress;  // conn logs put the local address in DeviceName
    anyDeviceNames_ = !parseIp(target, asAddress);
  }
  if (target.empty()) target = "(unknown)";
  ++ctx.file.report().kept;
  const bool refused = outcome == Outcome::Failure;

  if (collecting_) {
    auto it = sourceIndex_.find(ip);
    if (it == sourceIndex_.end() || it->second >= collectWanted_.size() || !collectWanted_[it->second]) return;
    const uint32_t ti = internTarget(ctx.file, target);
    if (ti != UINT32_MAX) collected_[it->second].push_back({t, ti, port, refused});
    return;
  }
  const uint32_t ti = internTarget(ctx.file, target);
  if (ti == UINT32_MAX) return;
  auto [it, created] = sourceIndex_.try_emplace(ip, uint32_t(sources_.size()));
  if (created) {
    sources_.emplace_back();
    sources_.back().ip = ip;
  }
  Source& s = sources_[it->second];
  const int64_t bin = floorDiv(t, kTicksPerHour);
  Bin* b = nullptr;
  for (auto r = s.bins.rbegin(); r != s.bins.rend(); ++r)
    if (r->bin == bin) {
      b = &*r;
      break;
    }
  if (!b) {
    s.bins.push_back({bin, 0, 0, t, t});
    b = &s.bins.back();
  }
  ++b->count;
  b->refused += refused;
  b->first = std::min(b->first, t);
  b->last = std::max(b->last, t);
  s.targets.add(ti);
  s.ports.add(port < 0 ? kNoPort : uint32_t(port));
}

std::vector<std::string> InboundDetection::targetNames(const std::vector<std::pair<uint32_t, uint32_t>>& top) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < top.size() && i < 5; ++i) out.emplace_back(targets_.at(top[i].first).name());
  return out;
}

void InboundDetection::finish(const FinishContext& ctx, const std::function<void(const InboundRow&)>& onRow,
                              DetectionSummary& summary, Results& res) const {
  const InboundRule& rule = ctx.rule.inbound;
  const Ticks cutoff = ctx.now - rule.lookbackMinutes * kTicksPerMinute;
  struct Network {
    IpAddress address;
    int prefix = 128;
    const std::string* name;
  };
  std::vector<Network> known;
  for (const auto& k : rule.knownSources) {
    Network n{{}, 128, &k.name};
    if (parseCidr(k.cidr, n.address, n.prefix) || parseIp(k.cidr, n.address)) known.push_back(n);
  }
  auto isAdmin = [&](uint32_t port) {
    return std::find(rule.adminPorts.begin(), rule.adminPorts.end(), int64_t(port)) != rule.adminPorts.end();
  };

  // Tuning (issue 13): destination entries take the rows of the sources inside them out.
  const SuppressionMatcher suppressions(ctx.rule.suppressions);
  std::vector<uint64_t> suppressedBy(ctx.rule.suppressions.size(), 0);

  // A source's counts over the lookback: from its collected connections when a collect pass read
  // them (the cutoff splits an hour bin), else from its hour bins.
  auto statsOf = [&](uint32_t si, Stats& st) {
    const Source& s = sources_[si];
    const auto collected = collected_.find(si);
    if (collected != collected_.end()) {
      CountedSet targets, ports;
      std::vector<int64_t> hours;
      for (const Connection& c : collected->second) {
        if (c.t <= cutoff) continue;
        ++st.connections;
        st.refused += c.refused;
        st.first = std::min(st.first, c.t);
        st.last = std::max(st.last, c.t);
        targets.add(c.target);
        ports.add(c.port < 0 ? kNoPort : uint32_t(c.port));
        hours.push_back(floorDiv(c.t, kTicksPerHour));
      }
      std::sort(hours.begin(), hours.end());
      st.hours = uint32_t(std::unique(hours.begin(), hours.end()) - hours.begin());
      targets.forEach([&](uint32_t k, uint32_t n) { st.targets.emplace_back(k, n); });
      ports.forEach([&](uint32_t k, uint32_t n) { st.ports.emplace_back(k, n); });
    } else {
      for (const Bin& b : s.bins) {
        st.connections += b.count;
        st.refused += b.refused;
        st.first = std::min(st.first, b.first);
        st.last = std::max(st.last, b.last);
      }
      st.hours = uint32_t(s.bins.size());
      s.targets.forEach([&](uint32_t k, uint32_t n) { st.targets.emplace_back(k, n); });
      s.ports.forEach([&](uint32_t k, uint32_t n) { st.ports.emplace_back(k, n); });
    }
    mostFirst(st.targets);
    mostFirst(st.ports);
  };
  // The row of a source whose Stats passed; with text false only what ranks it (Score, counts,
  // address) is filled, none of the names and reasons it is shown with.
  auto makeRow = [&](uint32_t si, Stats& st, bool text, InboundRow& row, const IpFacts*& factsOf) {
    const Source& s = sources_[si];
    row = InboundRow();
    row.remoteIp = formatIp(s.ip);
    row.sourceId = idBase() + si;
    row.connectionCount = st.connections;
    row.refusedCount = st.refused;
    row.firstSeen = st.first;
    row.lastSeen = st.last;
    row.targetCount = st.targets.size();
    if (text) row.targets = targetNames(st.targets);
    for (const auto& [port, n] : st.ports) {
      if (port == kNoPort) continue;
      ++row.uniqueTargetPorts;
      if (row.targetPorts.size() < 5) row.targetPorts.push_back(port);
      if (isAdmin(port)) {
        st.adminConnections += n;
        if (st.adminPortsHit.size() < 3) st.adminPortsHit.push_back(port);
      }
    }
    if (!factsOf) factsOf = &ctx.facts.get(s.ip);
    const IpFacts& facts = *factsOf;
    if (ctx.facts.haveAsnDatabase() && facts.hosting.asn) {
      row.remoteAsn = facts.hosting.asn;
      row.isHosting = facts.hosting.isHosting;
      if (text) row.remoteOrg = facts.hosting.org;
      if (row.isHosting && text) {
        row.hostingProvider = facts.hosting.provider;
        row.hostingCategory = std::string(hostingCategoryName(facts.hosting.category));
      }
    }
    if (facts.ti) {
      row.isTiMatch = true;
      if (text) row.threatType = facts.ti->threatType;
    }

    // Score: the evidence, each part with its words.
    double points = 0;
    std::vector<std::string>& why = row.reasons;
    const std::string* knownName = nullptr;
    for (const Network& n : known)
      if (cidrContains(n.address, n.prefix, s.ip)) knownName = n.name;
    if (knownName && text) why.push_back(*knownName + ": probes on purpose, scored low");
    if (row.remoteAsn) {
      points += hostingPoints(facts.hosting);
      if (text) {
        const std::string as = "AS" + std::to_string(row.remoteAsn) + " " + (row.isHosting ? row.hostingProvider : row.remoteOrg);
        why.push_back(as + (row.isHosting ? " (" + row.hostingCategory + ")" : std::string(" (not a listed hosting provider)")));
      }
    } else if (text) {
      why.push_back(ctx.facts.haveAsnDatabase() ? "no ASN for this address" : "ASN not looked up (no database loaded)");
    }
    const double t = double(row.targetCount), p = double(row.uniqueTargetPorts);
    points += 25 * std::min(1.0, std::log2(1 + t) / std::log2(1 + 64.0));
    points += 15 * std::min(1.0, std::log2(1 + p) / std::log2(1 + 16.0));
    if (text) {
      std::string ports;
      for (size_t i = 0; i < row.targetPorts.size() && i < 3; ++i) ports += (i ? ", " : "") + std::to_string(row.targetPorts[i]);
      if (row.uniqueTargetPorts > 3) ports += " and " + std::to_string(row.uniqueTargetPorts - 3) + " more ports";
      const std::string noun = anyDeviceNames_ ? (row.targetCount == 1 ? "device" : "devices")
                                               : (row.targetCount == 1 ? "address" : "addresses");
      std::string reached = "reached " + std::to_string(row.targetCount) + " " + noun;
      if (!ports.empty()) reached += " on " + ports;
      const Ticks span = st.last - st.first;
      if (row.connectionCount == 1) reached += ", once";
      else reached += (span < kTicksPerHour ? " within " : " over ") + spanText(span);
      why.push_back(std::move(reached));
    }
    if (int64_t(st.adminConnections) >= rule.bruteForceMinConnections) {
      points += 15;
      if (text) {
        std::string ports;
        for (size_t i = 0; i < st.adminPortsHit.size(); ++i) ports += (i ? ", " : "") + std::to_string(st.adminPortsHit[i]);
        why.push_back(std::to_string(st.adminConnections) + " connections to remote-access ports (" + ports + ")");
      }
    }
    if (st.refused >= 5 && st.refused * 2 >= st.connections) {
      points += 10;
      if (text)
        why.push_back(std::to_string(int(std::lround(100.0 * double(st.refused) / double(st.connections)))) + "% refused (" +
                    std::to_string(st.refused) + " of " + std::to_string(st.connections) + ")");
    }
    if (st.hours >= 6 && (row.targetCount >= 2 || row.uniqueTargetPorts >= 2 || int64_t(st.adminConnections) >= rule.bruteForceMinConnections)) {
      points += 5;
      if (text) why.push_back("active in " + std::to_string(st.hours) + " hours");
    }
    if (row.isTiMatch) {
      points += 30;
      if (text)
        why.push_back("TI: " + (row.threatType && !row.threatType->empty() ? *row.threatType : std::string("match")) +
                    (facts.ti->confidence ? " (confidence " + std::to_string(*facts.ti->confidence) + ")" : ""));
    } else if (text) {
      why.push_back("no TI");
    }
    if (knownName) points = std::min(points, 5.0);
    row.score = int(std::lround(std::clamp(points, 0.0, 100.0)));
  };
  // Rows are ranked on a compact key first and made one at a time in that order: a million
  // sources never hold a million rows (with their strings) at once.
  struct Ranked {
    int score;
    uint64_t connections;
    std::string ip;
    uint32_t si;
    const IpFacts* facts;  // valid for the table's life: looked up once
  };
  std::vector<Ranked> ranked;
  InboundRow row;
  for (uint32_t si = 0; si < sources_.size(); ++si) {
    const Source& s = sources_[si];
    bool before = false, after = false, straddles = false;
    for (const Bin& b : s.bins) {
      if (b.last <= cutoff) before = true;
      else if (b.first > cutoff) after = true;
      else straddles = true;
    }
    if (!after && !straddles) continue;
    ++summary.considered;
    Stats st;
    const bool collected = collected_.count(si) != 0;
    if ((before || straddles) && !collected) {
      // Some connections lie before the cutoff: only the rows can say which; a collect pass reads them.
      res.collectGroups.push_back(idBase() + si);
      continue;
    }
    statsOf(si, st);
    if (st.connections == 0 || int64_t(st.connections) < rule.minConnections) continue;
    if (const int e = suppressions.empty() ? -1 : suppressions.source(s.ip); e >= 0) {  // tuning (issue 13)
      ++suppressedBy[size_t(e)];
      continue;
    }
    ++summary.rowCount;
    if (!onRow) continue;

    const IpFacts* facts = nullptr;
    makeRow(si, st, false, row, facts);
    ranked.push_back({row.score, row.connectionCount, std::move(row.remoteIp), si, facts});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.connections != b.connections) return a.connections > b.connections;
    return a.ip < b.ip;
  });
  if (!res.collectGroups.empty() && std::any_of(res.collectGroups.begin(), res.collectGroups.end(), [](uint64_t id) { return id >= idBase(); }))
    summary.notices.push_back("some inbound sources were active before the lookback cutoff: they are counted exactly after the "
                              "files are read once more (a collect pass)");
  if (!suppressions.empty()) {
    std::string n = suppressions.notice("inbound", suppressedBy);
    if (!n.empty()) summary.notices.push_back(std::move(n));
    summary.suppressedBy = std::move(suppressedBy);
  }
  if (onRow)
    for (const Ranked& r : ranked) {
      Stats st;
      statsOf(r.si, st);
      const IpFacts* facts = r.facts;
      makeRow(r.si, st, true, row, facts);
      onRow(row);
    }
}

void InboundDetection::noteAttackers(const Rule& r, const std::function<void(const IpAddress&)>& attacker) const {
  const InboundRule& rule = r.inbound;
  std::vector<std::pair<IpAddress, int>> known;
  for (const auto& k : rule.knownSources) {
    IpAddress a;
    int prefix = 128;
    if (parseCidr(k.cidr, a, prefix) || parseIp(k.cidr, a)) known.emplace_back(a, prefix);
  }
  for (const Source& s : sources_) {
    uint64_t count = 0, refused = 0, admin = 0;
    for (const Bin& b : s.bins) {
      count += b.count;
      refused += b.refused;
    }
    s.ports.forEach([&](uint32_t port, uint32_t n) {
      if (std::find(rule.adminPorts.begin(), rule.adminPorts.end(), int64_t(port)) != rule.adminPorts.end()) admin += n;
    });
    const bool attacked = s.targets.size() >= 10 || int64_t(admin) >= rule.bruteForceMinConnections ||
                          (refused >= 5 && refused * 2 >= count);
    if (!attacked) continue;
    bool isKnown = false;
    for (const auto& [a, prefix] : known) isKnown |= cidrContains(a, prefix, s.ip);
    if (!isKnown) attacker(s.ip);
  }
}

void InboundDetection::finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& res) const {
  Row cellsRow(schema());
  std::function<void(const InboundRow&)> each;
  if (sink || ctx.keepRows)
    each = [&](const InboundRow& r) {
      if (sink) {
        cells(r, cellsRow);
        sink->row(cellsRow);
      }
      if (ctx.keepRows) res.inbound.push_back(r);
    };
  if (sink) sink->beginTable(schema());
  finish(ctx, each, summary, res);
  if (sink) sink->endTable(schema(), summary.rowCount);
}

void InboundDetection::cells(const InboundRow& r, Row& out) {
  out.key = r.sourceId;
  size_t i = 0;
  out[i++].setText("inbound");
  out[i++].setInt(r.score);
  out[i++].setText(r.remoteIp);
  r.remoteAsn ? out[i++].setInt(r.remoteAsn) : out[i++].setNull();
  r.remoteAsn ? out[i++].setText(r.remoteOrg) : out[i++].setNull();
  out[i++].setBool(r.isHosting);
  r.isHosting ? out[i++].setText(r.hostingProvider) : out[i++].setNull();
  r.isHosting ? out[i++].setText(r.hostingCategory) : out[i++].setNull();
  out[i++].setInt(int64_t(r.targetCount));
  out[i].null = false;
  out[i++].texts = r.targets;
  out[i++].setInt(int64_t(r.uniqueTargetPorts));
  out[i].null = false;
  out[i++].ints = r.targetPorts;
  out[i++].setInt(int64_t(r.connectionCount));
  out[i++].setInt(int64_t(r.refusedCount));
  out[i++].setTime(r.firstSeen);
  out[i++].setTime(r.lastSeen);
  out[i++].setBool(r.isTiMatch);
  out[i].null = false;
  out[i++].texts = r.reasons;
}

void InboundDetection::beginCollect(const std::vector<uint64_t>& ids) {
  collecting_ = true;
  collectWanted_.assign(sources_.size(), 0);
  for (uint64_t id : ids)
    if (ownsId(id)) {
      collectWanted_[id - idBase()] = 1;
      collected_[uint32_t(id - idBase())].clear();
    }
}

void InboundDetection::endCollect() {
  collecting_ = false;
  collectWanted_.clear();
}

Analysis::GroupDetail InboundDetection::detail(uint64_t id) const {
  Analysis::GroupDetail d;
  if (!ownsId(id)) return d;
  const uint32_t si = uint32_t(id - idBase());
  for (const Bin& b : sources_[si].bins) d.total += b.count;
  auto it = collected_.find(si);
  if (it == collected_.end()) return d;
  std::vector<Connection> conns = it->second;
  std::sort(conns.begin(), conns.end(), [](const Connection& a, const Connection& b) { return a.t < b.t; });
  std::unordered_map<uint32_t, uint32_t> targetSlot;
  for (const Connection& c : conns) {
    d.times.push_back(c.t);
    d.ports.push_back(c.port);
    d.refused.push_back(c.refused);
    auto [slot, created] = targetSlot.try_emplace(c.target, uint32_t(d.targetNames.size()));
    if (created) d.targetNames.emplace_back(targets_.at(c.target).name());
    d.targets.push_back(slot->second);
  }
  d.total = d.times.size();
  d.complete = true;
  return d;
}

}  // namespace vpshunt

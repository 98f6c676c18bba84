#include "detections/infrastructure/infrastructure.hpp"

#include <algorithm>
#include <cmath>

#include "detections/words.hpp"

namespace vpshunt {

namespace {

constexpr const char* kTraceNames[] = {"beacon", "inbound", "signin"};

TableSchema makeSchema() {
  TableSchema s;
  s.detection = "infrastructure";
  s.title = "Infrastructure";
  s.order = "Score desc, IPCount desc, Network";
  using T = CellType;
  s.columns = {
      {"Detection", T::Text, false, "infrastructure"},
      {"Score", T::Int, false, "how much this network looks like an attacker's rented estate, 0-100: two traces outrank one"},
      {"Network", T::Text, false, "the network: the announced range when no larger than a /24 (/48), else the /24 (/48) of the addresses"},
      {"RemoteASN", T::Int, true, "the autonomous system announcing it"},
      {"RemoteOrg", T::Text, true, "its organisation"},
      {"HostingProvider", T::Text, true, "the hosting list's provider name (or the organisation, when inferred)"},
      {"HostingCategory", T::Text, true, "vps, hosting, cloud, bulletproof, vpn or proxy"},
      {"RemoteIPs", T::TextList, false, "its addresses in any row, up to 10, the best-scored first"},
      {"IPCount", T::Int, false, "distinct addresses of it in any row"},
      {"Detections", T::TextList, false, "which detections have rows for it: beacon, inbound, signin"},
      {"BeaconRows", T::Int, false, "beacon rows to it"},
      {"BeaconDevices", T::Int, false, "distinct devices in those rows"},
      {"InboundRows", T::Int, false, "inbound rows (source addresses) from it"},
      {"InboundConnections", T::Int, false, "inbound connections from it"},
      {"SignInRows", T::Int, false, "signin rows (client addresses) from it"},
      {"SignInUsers", T::Int, false, "distinct users tried from it, over all its addresses"},
      {"SignInFailures", T::Int, false, "failed sign-ins from it"},
      {"SignInSuccesses", T::Int, false, "successful sign-ins from it"},
      {"Reasons", T::TextList, false, "why it scored what it did, in words"},
  };
  s.terminalSeed = {{"Score", "", 5},          {"Network", "", 24},           {"HostingProvider", "Hosting", 20},
                    {"IPCount", "IPs", 4},     {"Detections", "Seen by", 22}, {"SignInUsers", "Users", 6},
                    {"Reasons", "Why", 100}};
  s.terminalBeyond = s.terminalSeed;
  s.pageSeed = {{"Score", ""},          {"Network", ""},         {"HostingProvider", "Hosting"}, {"RemoteASN", "ASN"},
                {"IPCount", "IPs"},     {"Detections", "Seen by"}, {"BeaconDevices", "Devices"},  {"InboundConnections", "Inbound"},
                {"SignInUsers", "Users"}, {"SignInFailures", "Failures"}, {"SignInSuccesses", "Successes"}};
  s.pageBeyond = s.pageSeed;
  s.finalize();
  return s;
}

IpAddress masked(const IpAddress& ip, int prefix128) {
  IpAddress out = ip;
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(prefix128 - 8 * i, 0, 8);
    out.bytes[size_t(i)] &= uint8_t(bits == 8 ? 0xFF : (0xFF00 >> bits) & 0xFF);
  }
  return out;
}

int commonPrefix(uint64_t a, uint64_t b) { return a == b ? 64 : __builtin_clzll(a ^ b); }

}  // namespace

const TableSchema& infrastructureSchema() {
  static const TableSchema s = makeSchema();
  return s;
}

std::string NetworkKey::text() const {
  return formatIp(base) + "/" + std::to_string(base.isV4() ? prefix128 - 96 : prefix128);
}

NetworkKey networkOf(const AsnDatabase* db, const IpAddress& ip, const InfrastructureRule& rule) {
  const bool v4 = ip.isV4();
  const int widest = v4 ? 96 + int(rule.ipv4Prefix) : int(rule.ipv6Prefix);
  NetworkKey k;
  k.prefix128 = widest;
  if (db) {
    const AsnDatabase::Range r = db->rangeOf(ip);
    if (r.info.found()) {
      int prefix;  // the enclosing CIDR of the announced range
      if (v4) {
        prefix = 96 + std::min(32, commonPrefix(r.first.lo << 32, r.last.lo << 32));
      } else {
        prefix = r.first.hi == r.last.hi ? 64 + commonPrefix(r.first.lo, r.last.lo) : commonPrefix(r.first.hi, r.last.hi);
      }
      if (prefix >= widest) k.prefix128 = prefix;
    }
  }
  k.base = masked(ip, k.prefix128);
  return k;
}

// ---------------------------------------------------------------------------------------------
// Rollup

NetworkRollup::NetworkRollup(const FinishContext& ctx, const SignInDetection& signin) : ctx_(ctx), signin_(signin) {}

NetworkRollup::Network& NetworkRollup::at(const std::string& remoteIp, int score, Trace trace, uint64_t key) {
  IpAddress ip;
  parseIp(remoteIp, ip);  // rows carry canonical addresses
  const NetworkKey k = networkOf(ctx_.facts.asnDatabase(), ip, ctx_.rule.infrastructure);
  auto [it, created] = index_.try_emplace(k, uint32_t(nets_.size()));
  if (created) {
    nets_.emplace_back();
    nets_.back().key = k;
  }
  Network& n = nets_[it->second];
  size_t ai = n.addresses.size();
  if (n.addressIndex.empty()) {
    for (size_t i = 0; i < n.addresses.size(); ++i)
      if (n.addresses[i].ip == ip) {
        ai = i;
        break;
      }
  } else if (auto found = n.addressIndex.find(ip); found != n.addressIndex.end()) {
    ai = found->second;
  }
  if (ai == n.addresses.size()) {
    n.addresses.push_back({ip, remoteIp, -1});
    if (!n.addressIndex.empty()) {
      n.addressIndex.emplace(ip, uint32_t(ai));
    } else if (n.addresses.size() >= kLinearAddresses) {
      for (size_t i = 0; i < n.addresses.size(); ++i) n.addressIndex.emplace(n.addresses[i].ip, uint32_t(i));
    }
  }
  Address& a = n.addresses[ai];
  a.best = std::max(a.best, score);
  ++n.rows[trace];
  n.best[trace] = std::max(n.best[trace], score);
  n.members.emplace_back(trace, key);
  return n;
}

void NetworkRollup::addBeacon(const ResultRow& r) {
  Network& n = at(r.remoteIp, r.score, kBeacon, r.groupId);
  n.devices.insert(r.deviceName);
}

void NetworkRollup::addInbound(const InboundRow& r) {
  Network& n = at(r.remoteIp, r.score, kInbound, r.sourceId);
  n.inboundConnections += r.connectionCount;
}

void NetworkRollup::addSignIn(const SignInRow& r, const SignInContribution& c) {
  Network& n = at(r.remoteIp, r.score, kSignIn, r.sourceId);
  const SignInEvidence& e = c.evidence;
  n.attempts += e.attempts;
  n.failures += e.failures;
  n.successes += e.successes;
  n.interrupted += e.interrupted;
  n.first = std::min(n.first, e.first);
  n.last = std::max(n.last, e.last);
  for (const SignInUserTally& u : c.users) {
    UserTotals& t = n.users[u.user];
    t.failures += u.failures;
    t.successes += u.successes;
  }
  for (const auto& [code, count] : c.reasons) n.reasons[code] += count;
  n.found.insert(n.found.end(), e.found.begin(), e.found.end());
  if (!n.ti && e.ti) n.ti = e.ti;
  if (!n.logAsn && r.remoteAsn) {
    n.logAsn = r.remoteAsn;
    n.logOrg = r.remoteOrg;
  }
}

// ---------------------------------------------------------------------------------------------
// Finish

void InfrastructureDetection::finish(const FinishContext& ctx, const std::function<void(const InfrastructureRow&)>& onRow,
                                     DetectionSummary& summary, Results&) const {
  const NetworkRollup* in = ctx.rollup;
  members_.clear();
  memberStart_.clear();
  if (!in) return;
  const InfrastructureRule& rule = ctx.rule.infrastructure;
  const SignInRule& signinRule = ctx.rule.signin;
  summary.considered = in->nets_.size();
  summary.rowCount = in->nets_.size();
  memberStart_.reserve(in->nets_.size() + 1);
  for (const NetworkRollup::Network& n : in->nets_) {
    memberStart_.push_back(members_.size());
    for (const auto& [trace, key] : n.members) members_.push_back({uint8_t(trace), key});
  }
  memberStart_.push_back(members_.size());
  if (!onRow) return;

  // The row of network ni; with text false only what ranks it (Score, IPCount, Network) is filled,
  // none of the names and reasons it is shown with.
  auto makeRow = [&](size_t ni, bool text, InfrastructureRow& row) {
    const NetworkRollup::Network& n = in->nets_[ni];
    row = InfrastructureRow();
    row.network = n.key.text();
    row.networkId = idBase() + ni;
    std::vector<const NetworkRollup::Address*> byScore;
    for (const auto& a : n.addresses) byScore.push_back(&a);
    std::sort(byScore.begin(), byScore.end(), [](const auto* a, const auto* b) {
      if (a->best != b->best) return a->best > b->best;
      return a->ip < b->ip;
    });
    if (text)
      for (size_t i = 0; i < byScore.size() && i < 10; ++i) row.remoteIps.push_back(byScore[i]->text);
    row.ipCount = n.addresses.size();

    // The network's attribution: the ASN database's for its best address (with the attack
    // evidence of this run), else the AS a sign-in log named.
    const HostingAttribution* found = &ctx.facts.get(byScore.front()->ip).hosting;
    HostingAttribution fromLog;
    if (!found->asn && n.logAsn) {
      fromLog = attributeAsn(ctx.facts.hostingList(), AsnInfo{n.logAsn, n.logOrg}, ctx.facts.attackEvidence());
      found = &fromLog;
    }
    const HostingAttribution& att = *found;
    if (att.asn) {
      row.remoteAsn = att.asn;
      if (text) row.remoteOrg = att.org;
      if (att.isHosting && text) {
        row.hostingProvider = att.provider;
        row.hostingCategory = std::string(hostingCategoryName(att.category));
      }
    }
    for (int t = 0; t < NetworkRollup::kTraces; ++t)
      if (n.rows[t]) row.detections.emplace_back(kTraceNames[t]);
    row.beaconRows = n.rows[NetworkRollup::kBeacon];
    row.beaconDevices = n.devices.size();
    row.inboundRows = n.rows[NetworkRollup::kInbound];
    row.inboundConnections = n.inboundConnections;
    row.signinRows = n.rows[NetworkRollup::kSignIn];
    row.signinUsers = n.users.size();
    row.signinFailures = n.failures;
    row.signinSuccesses = n.successes;

    // The network's sign-ins scored together, as one source: a distributed spray.
    int signinEvidence = n.best[NetworkRollup::kSignIn];
    SignInScore together;
    bool scoredTogether = false;
    if (int64_t(n.rows[NetworkRollup::kSignIn]) >= rule.distributedMinAddresses) {
      SignInEvidence e;
      e.hosting = &att;
      e.addresses = n.rows[NetworkRollup::kSignIn];
      e.attempts = n.attempts;
      e.failures = n.failures;
      e.successes = n.successes;
      e.interrupted = n.interrupted;
      e.first = n.first;
      e.last = n.last;
      e.users = n.users.size();
      std::vector<std::pair<uint32_t, NetworkRollup::UserTotals>> users(n.users.begin(), n.users.end());
      std::sort(users.begin(), users.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [id, t] : users) {
        e.failingUsers += t.failures > 0;
        e.successUsers += t.successes > 0;
        if (t.failures > e.maxUserFailures) {
          e.maxUserFailures = t.failures;
          e.maxUserName = std::string(in->signin_.userName(id));
        }
        if (t.successes > 0 && e.successNames.size() < 10) e.successNames.emplace_back(in->signin_.userName(id));
      }
      e.found = n.found;
      std::vector<std::pair<uint32_t, uint32_t>> reasons(n.reasons.begin(), n.reasons.end());
      std::sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
      for (size_t i = 0; i < reasons.size() && i < 3; ++i) e.topReasons.push_back(in->signin_.reasonWords(signinRule, reasons[i].first));
      e.ti = n.ti;
      together = scoreSignIns(signinRule, e, att.reason);
      scoredTogether = true;
      signinEvidence = std::max(signinEvidence, together.score);
    }

    // Traces: a beacon row always counts; inbound and signin evidence from traceMinScore on.
    const int evidence[NetworkRollup::kTraces] = {n.best[NetworkRollup::kBeacon], n.best[NetworkRollup::kInbound], signinEvidence};
    int traces = 0, best = 0, bestAny = 0;
    std::vector<std::string> counted;
    for (int t = 0; t < NetworkRollup::kTraces; ++t) {
      if (evidence[t] < 0) continue;
      bestAny = std::max(bestAny, evidence[t]);
      const bool counts = t == NetworkRollup::kBeacon || evidence[t] >= rule.traceMinScore;
      if (!counts) continue;
      ++traces;
      best = std::max(best, evidence[t]);
      counted.emplace_back(kTraceNames[t]);
    }
    static const double kBase[] = {0, 20, 60, 75};
    const double breadth = std::min(10.0, 2.5 * std::log2(double(std::max<uint64_t>(1, row.ipCount))));
    const double points = kBase[traces] + 0.35 * (traces ? best : bestAny) + breadth;
    row.score = int(std::lround(std::clamp(points, 0.0, 100.0)));
    if (!text) return;

    std::vector<std::string>& why = row.reasons;
    why.push_back(att.asn ? att.reason : (ctx.facts.haveAsnDatabase() ? "no ASN for this network" : "ASN not looked up (no database loaded)"));
    if (traces) {
      std::string text = words::count(uint64_t(traces), "trace", "traces") + ": ";
      for (size_t i = 0; i < counted.size(); ++i) text += (i ? ", " : "") + counted[i];
      why.push_back(std::move(text));
    } else {
      why.push_back("no trace strong enough on its own (best row score " + std::to_string(bestAny) + ")");
    }
    if (n.rows[NetworkRollup::kBeacon]) {
      std::vector<std::string> devices(n.devices.begin(), n.devices.end());
      std::sort(devices.begin(), devices.end());
      std::string names;
      for (size_t i = 0; i < devices.size() && i < 3; ++i) names += (i ? ", " : "") + words::shown(devices[i], 48);
      if (devices.size() > 3) names += " and " + std::to_string(devices.size() - 3) + " more";
      why.push_back("beacon: " + words::count(n.rows[NetworkRollup::kBeacon], "row", "rows") + " from " +
                    words::count(devices.size(), "device", "devices") + " (" + names + "), best score " +
                    std::to_string(n.best[NetworkRollup::kBeacon]));
    }
    if (n.rows[NetworkRollup::kInbound])
      why.push_back("inbound: " + words::count(n.rows[NetworkRollup::kInbound], "address", "addresses") + ", " +
                    words::count(n.inboundConnections, "connection", "connections") + ", best score " +
                    std::to_string(n.best[NetworkRollup::kInbound]));
    if (n.rows[NetworkRollup::kSignIn]) {
      std::string text = "signin: " + words::count(n.rows[NetworkRollup::kSignIn], "address", "addresses") + ", " +
                         words::count(n.users.size(), "user", "users") + " tried, " + std::to_string(n.failures) + " failed, " +
                         std::to_string(n.successes) + " succeeded, best address score " +
                         std::to_string(n.best[NetworkRollup::kSignIn]);
      why.push_back(std::move(text));
      if (scoredTogether && together.spray) {
        why.push_back("distributed spray: " + words::count(n.users.size(), "user", "users") + " from " +
                      words::count(n.rows[NetworkRollup::kSignIn], "address", "addresses") + ", " +
                      words::percent(n.failures, n.attempts) + " of attempts failed (together they score " +
                      std::to_string(together.score) + (together.score > n.best[NetworkRollup::kSignIn] ? ", more than any one address)" : ")"));
      }
      std::vector<std::string> found;
      for (const auto& f : n.found)
        if (!f.stoppedOnly && std::find(found.begin(), found.end(), f.user) == found.end()) found.push_back(f.user);
      if (!found.empty()) {
        std::string names;
        for (size_t i = 0; i < found.size() && i < 5; ++i) names += (i ? ", " : "") + words::shown(found[i], 64);
        if (found.size() > 5) names += " and " + std::to_string(found.size() - 5) + " more";
        why.push_back("signed in after failures: " + names);
      }
    }
    if (row.ipCount > 1) why.push_back(std::to_string(row.ipCount) + " addresses of the network in the rows");
  };
  // Ranked on a compact key first, then made one at a time in that order: a million networks never
  // hold a million rows (with their strings) at once.
  struct Ranked {
    int score;
    uint64_t ipCount;
    std::string network;
    uint32_t ni;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(in->nets_.size());
  InfrastructureRow row;
  for (size_t ni = 0; ni < in->nets_.size(); ++ni) {
    makeRow(ni, false, row);
    ranked.push_back({row.score, row.ipCount, std::move(row.network), uint32_t(ni)});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.ipCount != b.ipCount) return a.ipCount > b.ipCount;
    return a.network < b.network;
  });
  for (const Ranked& r : ranked) {
    makeRow(r.ni, true, row);
    onRow(row);
  }
}

void InfrastructureDetection::finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& res) const {
  Row cellsRow(schema());
  std::function<void(const InfrastructureRow&)> each;
  if (sink || ctx.keepRows)
    each = [&](const InfrastructureRow& r) {
      if (sink) {
        cells(r, cellsRow);
        sink->row(cellsRow);
      }
      if (ctx.keepRows) res.infrastructure.push_back(r);
    };
  if (sink) sink->beginTable(schema());
  finish(ctx, each, summary, res);
  if (sink) sink->endTable(schema(), summary.rowCount);
}

void InfrastructureDetection::cells(const InfrastructureRow& r, Row& out) {
  out.key = r.networkId;
  size_t i = 0;
  out[i++].setText("infrastructure");
  out[i++].setInt(r.score);
  out[i++].setText(r.network);
  r.remoteAsn ? out[i++].setInt(r.remoteAsn) : out[i++].setNull();
  r.remoteAsn ? out[i++].setText(r.remoteOrg) : out[i++].setNull();
  r.hostingProvider.empty() ? out[i++].setNull() : out[i++].setText(r.hostingProvider);
  r.hostingCategory.empty() ? out[i++].setNull() : out[i++].setText(r.hostingCategory);
  out[i].null = false;
  out[i++].texts = r.remoteIps;
  out[i++].setInt(int64_t(r.ipCount));
  out[i].null = false;
  out[i++].texts = r.detections;
  out[i++].setInt(int64_t(r.beaconRows));
  out[i++].setInt(int64_t(r.beaconDevices));
  out[i++].setInt(int64_t(r.inboundRows));
  out[i++].setInt(int64_t(r.inboundConnections));
  out[i++].setInt(int64_t(r.signinRows));
  out[i++].setInt(int64_t(r.signinUsers));
  out[i++].setInt(int64_t(r.signinFailures));
  out[i++].setInt(int64_t(r.signinSuccesses));
  out[i].null = false;
  out[i++].texts = r.reasons;
}

std::vector<Analysis::RowRef> InfrastructureDetection::members(uint64_t key) const {
  std::vector<Analysis::RowRef> out;
  if (key < idBase() || key - idBase() + 1 >= memberStart_.size()) return out;
  const size_t ni = size_t(key - idBase());
  for (uint64_t i = memberStart_[ni]; i < memberStart_[ni + 1]; ++i) out.push_back({kTraceNames[members_[i].trace], members_[i].key});
  return out;
}

}  // namespace vpshunt

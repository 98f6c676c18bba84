#include "detections/signin/signin.hpp"

#include <algorithm>
#include <cmath>

#include "detections/hash.hpp"
#include "detections/words.hpp"
#include "events/values.hpp"
#include "formats/signin_codes.hpp"

namespace vpshunt {

namespace {

constexpr uint32_t kNone = UINT32_MAX;

TableSchema makeSchema() {
  TableSchema s;
  s.detection = "signin";
  s.title = "Sign-ins";
  s.order = "Score desc, FailureCount desc, RemoteIP";
  using T = CellType;
  s.columns = {
      {"Detection", T::Text, false, "signin"},
      {"Score", T::Int, false, "how much this client address looks like an attacker's sign-ins from rented infrastructure, 0-100"},
      {"RemoteIP", T::Text, false, "the client address, canonical"},
      {"RemoteASN", T::Int, true, "its autonomous system: the log's when the log names one, else the ASN database's"},
      {"RemoteOrg", T::Text, true, "its organisation"},
      {"IsHosting", T::Bool, false, "the ASN is on the hosting list, or inferred to be hosting"},
      {"HostingProvider", T::Text, true, "the hosting list's provider name"},
      {"HostingCategory", T::Text, true, "vps, hosting, cloud, bulletproof, vpn or proxy"},
      {"UserCount", T::Int, false, "distinct users tried (user names compare case-insensitively)"},
      {"FailureCount", T::Int, false, "failed attempts"},
      {"SuccessCount", T::Int, false, "successful sign-ins"},
      {"SuccessUsers", T::TextList, false, "users who signed in successfully from it, up to 10 (those after failures first)"},
      {"Users", T::TextList, false, "users tried, up to 10, the most attempts first"},
      {"Apps", T::TextList, false, "applications or hosts signed in to, up to 5, the most attempts first"},
      {"FailureReasons", T::TextList, false, "the most frequent failure codes in words, up to 3"},
      {"FirstSeen", T::Time, false, "its first sign-in in the lookback"},
      {"LastSeen", T::Time, false, "its last sign-in in the lookback"},
      {"IsTIMatch", T::Bool, false, "the latest indicator for RemoteIP within the TI lookback is active"},
      {"Reasons", T::TextList, false, "why it scored what it did, in words"},
  };
  s.terminalSeed = {{"Score", "", 5},          {"RemoteIP", "", 39},          {"HostingProvider", "Hosting", 20},
                    {"UserCount", "Users", 6}, {"FailureCount", "Failed", 7}, {"SuccessCount", "OK", 5},
                    {"SuccessUsers", "Signed in", 24}, {"IsTIMatch", "TI", 5}, {"Reasons", "Why", 90}};
  s.terminalBeyond = s.terminalSeed;
  s.pageSeed = {{"Score", ""},
                {"RemoteIP", ""},
                {"HostingProvider", "Hosting"},
                {"RemoteASN", "ASN"},
                {"UserCount", "Users"},
                {"FailureCount", "Failures"},
                {"SuccessCount", "Successes"},
                {"SuccessUsers", "Signed in"},
                {"FailureReasons", "Failure reasons"},
                {"FirstSeen", ""},
                {"LastSeen", ""},
                {"IsTIMatch", "TI"}};
  s.pageBeyond = s.pageSeed;
  s.finalize();
  return s;
}

bool digitsOnly(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool hexCode(std::string_view s) { return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

// A sign-in's network in points: the evidence that the address is rented infrastructure.
double networkPoints(const HostingAttribution* h) {
  if (!h || !h->isHosting) return 0;
  if (h->confidence != HostingConfidence::Listed) return h->category == HostingCategory::Vpn ? 8 : 10;
  switch (h->category) {
    case HostingCategory::Bulletproof: return 30;
    case HostingCategory::Vps:
    case HostingCategory::Hosting: return 20;
    case HostingCategory::Vpn: return 15;
    case HostingCategory::Cloud: return 10;
    case HostingCategory::Proxy: return 0;
  }
  return 0;
}

std::string nameList(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > max) out += " and " + std::to_string(names.size() - max) + " more";
  return out;
}

}  // namespace

const TableSchema& signinSchema() {
  static const TableSchema s = makeSchema();
  return s;
}

// ---------------------------------------------------------------------------------------------
// Score

SignInScore scoreSignIns(const SignInRule& rule, const SignInEvidence& e, std::string network, const std::vector<std::string>& notes) {
  SignInScore out;
  std::vector<std::string>& why = out.reasons;
  why.push_back(std::move(network));
  why.insert(why.end(), notes.begin(), notes.end());
  const HostingAttribution* h = e.hosting && e.hosting->asn && e.hosting->isHosting ? e.hosting : nullptr;
  const HostingCategory cat = h ? h->category : HostingCategory::Hosting;
  const bool rented = h && (cat == HostingCategory::Vps || cat == HostingCategory::Hosting || cat == HostingCategory::Bulletproof);
  const bool vpn = h && cat == HostingCategory::Vpn;
  const bool cloud = h && cat == HostingCategory::Cloud;
  double points = networkPoints(h);

  {  // what happened, in one sentence
    std::string text;
    if (e.addresses > 1) text = std::to_string(e.addresses) + " addresses: ";
    text += words::count(e.users, "user", "users") + " tried";
    const Ticks span = e.last - e.first;
    if (e.attempts == 1) text += " once";
    else text += (span < 90 * kTicksPerMinute ? " in " : " over ") + words::span(span);
    if (e.failures == 0) {
      text += ", none failed";
    } else {
      text += ", " + std::to_string(e.failures) + " failed";
      if (!e.topReasons.empty()) text += " (" + nameList(e.topReasons, 2) + ")";
    }
    if (e.successes) text += ", " + std::to_string(e.successes) + " succeeded";
    if (e.interrupted) text += ", " + std::to_string(e.interrupted) + " stopped for MFA or another step";
    why.push_back(std::move(text));
  }

  points += 30 * std::min(1.0, std::log2(1.0 + double(e.failingUsers)) / std::log2(51.0));
  if (e.failures >= 5 && e.failures * 2 >= e.attempts) points += 10;
  out.spray = int64_t(e.failingUsers) >= rule.sprayMinUsers &&
              double(e.failures) * 100 >= double(rule.sprayMinFailurePercent) * double(e.attempts);
  if (out.spray) {
    points += 15;
    why.push_back((e.addresses > 1 ? "distributed password spray: " : "password spray: ") +
                  words::count(e.failingUsers, "user", "users") + " with failures, " + words::percent(e.failures, e.attempts) +
                  " of " + std::to_string(e.attempts) + " attempts failed");
  }
  if (int64_t(e.maxUserFailures) >= rule.bruteForceMinFailures) {
    points += 10;
    why.push_back("brute force: " + std::to_string(e.maxUserFailures) + " failures for " + words::shown(e.maxUserName, 64));
  }

  std::vector<const SignInEvidence::Found*> signedIn, stopped;
  for (const auto& f : e.found) (f.stoppedOnly ? stopped : signedIn).push_back(&f);
  const bool attackerSide = rented || cloud || out.spray;
  if (!signedIn.empty()) {
    points += attackerSide ? 30 : 15;
    std::string text;
    if (signedIn.size() == 1) {
      const auto& f = *signedIn[0];
      text = "1 success: " + words::shown(f.user, 64) + (f.allBefore ? " after " : " among ") + words::count(f.failures, "failure", "failures");
    } else {
      text = std::to_string(signedIn.size()) + " users signed in after failures: ";
      for (size_t i = 0; i < signedIn.size() && i < 5; ++i)
        text += (i ? ", " : "") + words::shown(signedIn[i]->user, 64) + " (" + words::count(signedIn[i]->failures, "failure", "failures") + ")";
      if (signedIn.size() > 5) text += " and " + std::to_string(signedIn.size() - 5) + " more";
    }
    why.push_back(std::move(text));
  } else if (!stopped.empty()) {
    points += attackerSide ? 15 : 5;
    std::string text = "password accepted after failures, stopped for MFA or another step: ";
    for (size_t i = 0; i < stopped.size() && i < 5; ++i)
      text += (i ? ", " : "") + words::shown(stopped[i]->user, 64) + " (" + words::count(stopped[i]->failures, "failure", "failures") + ")";
    if (stopped.size() > 5) text += " and " + std::to_string(stopped.size() - 5) + " more";
    why.push_back(std::move(text));
  }

  const bool egress = int64_t(e.successUsers) >= rule.egressMinUsers &&
                      double(e.failures) * 100 <= double(rule.egressMaxFailurePercent) * double(e.attempts);
  if (e.successes > 0 && !egress) {
    if (rented && signedIn.empty()) {
      points += 10;
      why.push_back("signed in from a rented server: " + nameList(e.successNames, 3));
    }
    if (vpn) {
      points += 15;
      why.push_back("signed in through a VPN exit (" + nameList(e.successNames, 3) + "): who signed in is hidden behind it");
    }
  }
  if (egress) {
    points = std::min(points, 15.0);
    why.push_back("shared egress: " + std::to_string(e.successUsers) + " users signed in, " + words::percent(e.failures, e.attempts) +
                  " of attempts failed (a security proxy or a corporate gateway): scored low");
  }
  if (e.ti) {
    points += 30;
    why.push_back("TI: " + (e.ti->threatType.empty() ? std::string("match") : words::shown(e.ti->threatType, 64)) +
                  (e.ti->confidence ? " (confidence " + std::to_string(*e.ti->confidence) + ")" : ""));
  } else {
    why.push_back("no TI");
  }
  out.score = int(std::lround(std::clamp(points, 0.0, 100.0)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ingest

void SignInDetection::Pair::add(SignInOutcome o, Ticks t) {
  ++attempts;
  switch (o) {
    case SignInOutcome::Failure:
      ++failures;
      firstFailure = std::min(firstFailure, t);
      lastFailure = std::max(lastFailure, t);
      break;
    case SignInOutcome::Success:
      ++successes;
      firstSuccess = std::min(firstSuccess, t);
      break;
    case SignInOutcome::Interrupted:
      ++interrupted;
      firstStop = std::min(firstStop, t);
      break;
    case SignInOutcome::Unknown: break;
  }
}

void SignInDetection::reset() {
  sourceIndex_.clear();
  sources_.clear();
  pairIndex_.clear();
  pairs_.clear();
  users_.clear();
  userSpelling_.clear();
  apps_.clear();
  reasons_.clear();
  asOrgs_.clear();
  reasonText_.clear();
  reasonIsCode_.clear();
  collecting_ = false;
  collectWanted_.clear();
  collected_.clear();
}

void SignInDetection::fileBegin(const Rule& rule) {
  for (auto& c : filterCounts_) c = 0;
  lookback_ = rule.signin.lookbackMinutes * kTicksPerMinute;
}

void SignInDetection::fileEnd(FileReport& rep) {
  static const char* names[kFilterCount] = {"signin: before the lookback window", "signin: no client address",
                                            "signin: from a non-public address (an internal logon)"};
  for (int f = 0; f < kFilterCount; ++f)
    if (filterCounts_[f]) rep.filtered[names[f]] += filterCounts_[f];
}

uint32_t SignInDetection::intern(RecordTable<InternedName>& table, FileIngest& file, std::string_view key, uint64_t seed,
                                 const char* what) {
  bool created;
  const InternedName* n = table.find(hashBytes(key, seed), std::array<std::string_view, 1>{key}, true, created);
  if (!n) {
    file.addProblem(0, 0, std::string("too many distinct sign-in ") + what + " to hold: a sign-in was not counted");
    return kNone;
  }
  return n->index;
}

bool SignInDetection::ingest(const RawSignIn& s, NetIngest& ctx, Ticks& time) {
  SignInEvent ev;
  const SignInParse parsed = makeSignInEvent(s, ctx.file, ev);
  time = ev.time;
  switch (parsed) {
    case SignInParse::Ok: break;
    case SignInParse::BadTime: return false;
    case SignInParse::Rejected: return true;  // a bad address: the time was read
    case SignInParse::FilteredNoAddress: ++filterCounts_[kNoAddress]; return true;
    case SignInParse::FilteredNotPublic: ++filterCounts_[kNotPublic]; return true;
  }
  if (ctx.ingestNow && ev.time <= *ctx.ingestNow - lookback_) {
    ++filterCounts_[kBeforeLookback];
    return true;
  }
  foldUser(ev.user, folded_);
  const size_t usersBefore = users_.size();
  const uint32_t user = intern(users_, ctx.file, folded_, 21, "users");
  if (user == kNone) return true;
  if (users_.size() != usersBefore) userSpelling_.emplace_back(ev.user.empty() ? std::string_view("(no user name)") : ev.user);
  uint32_t reason = kNone;
  if (ev.outcome == SignInOutcome::Failure && (!ev.code.empty() || !ev.text.empty())) {
    const bool isCode = !ev.code.empty();
    // Codes compare without case ("0xC000006A" is "0xc000006a"); texts as written.
    if (isCode) foldUser(ev.code, foldedCode_);
    const size_t before = reasons_.size();
    reason = intern(reasons_, ctx.file, isCode ? std::string_view(foldedCode_) : ev.text, isCode ? 22 : 23, "result codes");
    if (reason == kNone) return true;
    if (reasons_.size() != before) {
      reasonText_.emplace_back(ev.text);
      reasonIsCode_.push_back(isCode);
    }
  }
  uint32_t app = kNone;
  if (!ev.app.empty()) {
    app = intern(apps_, ctx.file, ev.app, 24, "applications");
    if (app == kNone) return true;
  }
  ++ctx.file.report().kept;

  if (collecting_) {
    auto it = sourceIndex_.find(ev.remote);
    if (it == sourceIndex_.end() || it->second >= collectWanted_.size() || !collectWanted_[it->second]) return true;
    collected_[it->second].push_back({ev.time, user, reason, app, ev.outcome});
    return true;
  }
  auto [it, created] = sourceIndex_.try_emplace(ev.remote, uint32_t(sources_.size()));
  if (created) {
    sources_.emplace_back();
    sources_.back().ip = ev.remote;
  }
  const uint32_t si = it->second;
  Source& src = sources_[si];
  if (ev.logAsn) {
    if (!src.logAsn) src.logAsn = ev.logAsn;
    else if (src.logAsn != ev.logAsn) src.logAsnMixed = true;
  }
  if (src.asOrg == kNone && !ev.logAsOrg.empty()) src.asOrg = intern(asOrgs_, ctx.file, ev.logAsOrg, 25, "organisation names");
  addAttempt(si, user, reason, app, ev.outcome, ev.time);
  return true;
}

void SignInDetection::addAttempt(uint32_t si, uint32_t user, uint32_t reason, uint32_t app, SignInOutcome o, Ticks t) {
  Source& s = sources_[si];
  const int64_t bin = floorDiv(t, kTicksPerHour);
  Bin* b = nullptr;
  for (auto r = s.bins.rbegin(); r != s.bins.rend(); ++r)
    if (r->bin == bin) {
      b = &*r;
      break;
    }
  if (!b) {
    s.bins.push_back({bin, 0, 0, 0, 0, t, t});
    b = &s.bins.back();
  }
  ++b->attempts;
  b->failures += o == SignInOutcome::Failure;
  b->successes += o == SignInOutcome::Success;
  b->interrupted += o == SignInOutcome::Interrupted;
  b->first = std::min(b->first, t);
  b->last = std::max(b->last, t);
  if (app != kNone) s.apps.add(app);
  if (reason != kNone) s.reasons.add(reason);
  bool created;
  const uint32_t pi = pairIndex_.findOrInsert(uint64_t(si) << 32 | user, uint32_t(pairs_.size()), created);
  if (created) {
    pairs_.emplace_back();
    pairs_.back().source = si;
    pairs_.back().user = user;
  }
  pairs_[pi].add(o, t);
}

std::string SignInDetection::reasonWords(const SignInRule& rule, uint32_t id) const {
  const std::string_view key = reasons_.at(id).name();
  const std::string_view text = reasonText_[id];
  const bool isCode = reasonIsCode_[id];
  for (const auto& w : rule.codeWords)
    if (equalsIgnoreCaseAscii(w.code, key) || (!text.empty() && equalsIgnoreCaseAscii(w.code, text)))
      return isCode && (digitsOnly(key) || hexCode(key)) ? std::string(key) + " " + words::shown(w.words) : words::shown(w.words);
  if (!isCode) return words::shown(signin::readableReason(text));
  if (!digitsOnly(key) && !hexCode(key)) return words::shown(signin::readableReason(key));  // a named code (Okta, CloudTrail)
  std::string_view w = hexCode(key) ? signin::windowsStatusWords(key) : signin::entraCodeWords(key);
  if (w.empty() && hexCode(key)) w = signin::kerberosResultWords(key);
  if (!w.empty()) return std::string(key) + " " + std::string(w);
  if (!text.empty()) return std::string(key) + " " + words::shown(signin::readableReason(text));
  return std::string(key);
}

// ---------------------------------------------------------------------------------------------
// Finish

namespace {
// One source's numbers over the lookback, and what its row is made from.
struct Made {
  SignInRow row;
  HostingAttribution hosting;
  SignInEvidence evidence;
  std::vector<SignInUserTally> users;
  std::vector<std::pair<uint32_t, uint32_t>> reasons;
  std::vector<std::string> notes;
};

void mostFirst(std::vector<std::pair<uint32_t, uint32_t>>& v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
}
}  // namespace

void SignInDetection::noteAttackers(const Rule& r, const std::function<void(const IpAddress&)>& attacker) const {
  const SignInRule& rule = r.signin;
  std::vector<uint32_t> failingUsers(sources_.size(), 0), maxFailures(sources_.size(), 0);
  for (const Pair& p : pairs_) {
    if (!p.failures) continue;
    ++failingUsers[p.source];
    maxFailures[p.source] = std::max(maxFailures[p.source], p.failures);
  }
  for (uint32_t si = 0; si < sources_.size(); ++si)
    if (int64_t(failingUsers[si]) >= rule.sprayMinUsers || int64_t(maxFailures[si]) >= rule.bruteForceMinFailures)
      attacker(sources_[si].ip);
}

void SignInDetection::finish(const FinishContext& ctx, const RowCallback& onRow, DetectionSummary& summary, Results& res) const {
  const SignInRule& rule = ctx.rule.signin;
  const Ticks cutoff = ctx.now - rule.lookbackMinutes * kTicksPerMinute;
  // The pairs of each source (CSR): pairs of source i are pairOrder[pairStart[i] .. pairStart[i + 1]).
  std::vector<uint32_t> pairStart(sources_.size() + 1, 0), pairOrder(pairs_.size());
  for (const Pair& p : pairs_) ++pairStart[p.source + 1];
  for (size_t i = 1; i < pairStart.size(); ++i) pairStart[i] += pairStart[i - 1];
  {
    std::vector<uint32_t> fill(pairStart.begin(), pairStart.end() - 1);
    for (uint32_t pi = 0; pi < pairs_.size(); ++pi) pairOrder[fill[pairs_[pi].source]++] = pi;
  }

  std::vector<Made> made;
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
    auto collected = collected_.find(si);
    if ((before || straddles) && collected == collected_.end()) {
      // Some attempts lie before the cutoff: only the rows can say which; a collect pass reads them.
      res.collectGroups.push_back(idBase() + si);
      continue;
    }
    std::vector<Pair> pairs;
    CountedSet apps, reasons;
    uint64_t attempts = 0, failures = 0, successes = 0, interrupted = 0;
    Ticks first = INT64_MAX, last = INT64_MIN;
    if (collected != collected_.end()) {
      std::unordered_map<uint32_t, uint32_t> slot;
      for (const Attempt& a : collected->second) {
        if (a.t <= cutoff) continue;
        auto [it, created] = slot.try_emplace(a.user, uint32_t(pairs.size()));
        if (created) {
          pairs.emplace_back();
          pairs.back().source = si;
          pairs.back().user = a.user;
        }
        pairs[it->second].add(a.outcome, a.t);
        if (a.app != kNone) apps.add(a.app);
        if (a.reason != kNone) reasons.add(a.reason);
        ++attempts;
        failures += a.outcome == SignInOutcome::Failure;
        successes += a.outcome == SignInOutcome::Success;
        interrupted += a.outcome == SignInOutcome::Interrupted;
        first = std::min(first, a.t);
        last = std::max(last, a.t);
      }
    } else {
      for (const Bin& b : s.bins) {
        attempts += b.attempts;
        failures += b.failures;
        successes += b.successes;
        interrupted += b.interrupted;
        first = std::min(first, b.first);
        last = std::max(last, b.last);
      }
      for (uint32_t k = pairStart[si]; k < pairStart[si + 1]; ++k) pairs.push_back(pairs_[pairOrder[k]]);
    }
    if (attempts == 0 || int64_t(attempts) < rule.minAttempts) continue;
    ++summary.rowCount;
    if (!onRow) continue;

    Made m;
    SignInRow& row = m.row;
    SignInEvidence& e = m.evidence;
    row.remoteIp = formatIp(s.ip);
    row.sourceId = idBase() + si;
    row.firstSeen = e.first = first;
    row.lastSeen = e.last = last;
    e.attempts = attempts;
    row.failureCount = e.failures = failures;
    row.successCount = e.successes = successes;
    e.interrupted = interrupted;
    row.userCount = e.users = pairs.size();
    // Users: the most attempts first; successes: those after failures first.
    std::sort(pairs.begin(), pairs.end(), [&](const Pair& a, const Pair& b) {
      if (a.attempts != b.attempts) return a.attempts > b.attempts;
      return userSpelling_[a.user] < userSpelling_[b.user];
    });
    std::vector<const Pair*> successful;
    for (const Pair& p : pairs) {
      m.users.push_back({p.user, p.attempts, p.failures, p.successes, p.interrupted});
      if (row.users.size() < 10) row.users.push_back(userSpelling_[p.user]);
      if (p.failures) {
        ++e.failingUsers;
        if (p.failures > e.maxUserFailures) {
          e.maxUserFailures = p.failures;
          e.maxUserName = userSpelling_[p.user];
        }
      }
      if (p.successes) {
        ++e.successUsers;
        successful.push_back(&p);
      }
      if (int64_t(p.failures) >= rule.compromiseMinFailures) {
        if (p.successes && p.firstFailure < p.firstSuccess)
          e.found.push_back({userSpelling_[p.user], p.failures, p.lastFailure < p.firstSuccess, false});
        else if (!p.successes && p.interrupted && p.firstFailure < p.firstStop)
          e.found.push_back({userSpelling_[p.user], p.failures, p.lastFailure < p.firstStop, true});
      }
    }
    std::stable_sort(e.found.begin(), e.found.end(), [](const auto& a, const auto& b) { return a.failures > b.failures; });
    auto afterFailures = [&](const Pair* p) { return int64_t(p->failures) >= rule.compromiseMinFailures && p->firstFailure < p->firstSuccess; };
    std::stable_sort(successful.begin(), successful.end(), [&](const Pair* a, const Pair* b) {
      if (afterFailures(a) != afterFailures(b)) return afterFailures(a);
      return a->successes > b->successes;
    });
    for (const Pair* p : successful) {
      if (row.successUsers.size() >= 10) break;
      row.successUsers.push_back(userSpelling_[p->user]);
    }
    e.successNames = row.successUsers;
    {
      std::vector<std::pair<uint32_t, uint32_t>> top;
      apps.forEach([&](uint32_t k, uint32_t n) { top.emplace_back(k, n); });
      if (collected == collected_.end()) s.apps.forEach([&](uint32_t k, uint32_t n) { top.emplace_back(k, n); });
      mostFirst(top);
      for (size_t i = 0; i < top.size() && i < 5; ++i) row.apps.emplace_back(apps_.at(top[i].first).name());
      (collected == collected_.end() ? s.reasons : reasons).forEach([&](uint32_t k, uint32_t n) { m.reasons.emplace_back(k, n); });
      mostFirst(m.reasons);
      for (size_t i = 0; i < m.reasons.size() && i < 3; ++i) row.failureReasons.push_back(reasonWords(rule, m.reasons[i].first));
      e.topReasons = row.failureReasons;
    }

    // The network: the log's ASN when it names one (the reasons say when the database disagrees).
    const IpFacts& facts = ctx.facts.get(s.ip);
    m.hosting = facts.hosting;
    if (s.logAsn && s.logAsn != facts.hosting.asn) {
      const std::string_view org = s.asOrg != kNone ? asOrgs_.at(s.asOrg).name() : std::string_view();
      m.hosting = attributeAsn(ctx.facts.hostingList(), AsnInfo{s.logAsn, org}, ctx.facts.attackEvidence());
      if (facts.hosting.asn)
        m.notes.push_back("the log names AS" + std::to_string(s.logAsn) + ", the ASN database AS" + std::to_string(facts.hosting.asn) +
                          (facts.hosting.org.empty() ? std::string() : " " + words::shown(facts.hosting.org, 64)) +
                          ": the log's is used");
      else if (ctx.facts.haveAsnDatabase())
        m.notes.push_back("the log names AS" + std::to_string(s.logAsn) + ", the ASN database has no AS for this address");
    }
    if (s.logAsnMixed) m.notes.push_back("the log names more than one AS for this address: the first is used");
    if (m.hosting.asn) {
      row.remoteAsn = m.hosting.asn;
      row.remoteOrg = m.hosting.org;
      row.isHosting = m.hosting.isHosting;
      if (row.isHosting) {
        row.hostingProvider = m.hosting.provider;
        row.hostingCategory = std::string(hostingCategoryName(m.hosting.category));
      }
    }
    if (facts.ti) {
      row.isTiMatch = true;
      row.threatType = facts.ti->threatType;
      e.ti = facts.ti;
    }
    made.push_back(std::move(m));
  }
  for (Made& m : made) {
    m.evidence.hosting = &m.hosting;
    std::string network = m.hosting.asn ? m.hosting.reason
                                        : (ctx.facts.haveAsnDatabase() ? "no ASN for this address" : "ASN not looked up (no database loaded)");
    SignInScore sc = scoreSignIns(rule, m.evidence, std::move(network), m.notes);
    m.row.score = sc.score;
    m.row.reasons = std::move(sc.reasons);
  }
  std::vector<uint32_t> order(made.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t ia, uint32_t ib) {
    const SignInRow &a = made[ia].row, &b = made[ib].row;
    if (a.score != b.score) return a.score > b.score;
    if (a.failureCount != b.failureCount) return a.failureCount > b.failureCount;
    return a.remoteIp < b.remoteIp;
  });
  if (std::any_of(res.collectGroups.begin(), res.collectGroups.end(), [](uint64_t id) { return id >= idBase() && id < (idBase() << 1); }))
    summary.notices.push_back("some sign-in sources were active before the lookback cutoff: they are counted exactly after the "
                              "files are read once more (a collect pass)");
  if (onRow)
    for (uint32_t i : order) {
      Made& m = made[i];
      m.evidence.hosting = &m.hosting;
      onRow(m.row, SignInContribution{m.evidence, m.users, m.reasons});
    }
}

void SignInDetection::finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& res) const {
  Row cellsRow(schema());
  RowCallback each;
  if (sink || ctx.keepRows)
    each = [&](const SignInRow& r, const SignInContribution&) {
      if (sink) {
        cells(r, cellsRow);
        sink->row(cellsRow);
      }
      if (ctx.keepRows) res.signin.push_back(r);
    };
  if (sink) sink->beginTable(schema());
  finish(ctx, each, summary, res);
  if (sink) sink->endTable(schema(), summary.rowCount);
}

void SignInDetection::cells(const SignInRow& r, Row& out) {
  out.key = r.sourceId;
  size_t i = 0;
  auto texts = [&](const std::vector<std::string>& v) {
    out[i].null = false;
    out[i++].texts = v;
  };
  out[i++].setText("signin");
  out[i++].setInt(r.score);
  out[i++].setText(r.remoteIp);
  r.remoteAsn ? out[i++].setInt(r.remoteAsn) : out[i++].setNull();
  r.remoteAsn ? out[i++].setText(r.remoteOrg) : out[i++].setNull();
  out[i++].setBool(r.isHosting);
  r.isHosting ? out[i++].setText(r.hostingProvider) : out[i++].setNull();
  r.isHosting ? out[i++].setText(r.hostingCategory) : out[i++].setNull();
  out[i++].setInt(int64_t(r.userCount));
  out[i++].setInt(int64_t(r.failureCount));
  out[i++].setInt(int64_t(r.successCount));
  texts(r.successUsers);
  texts(r.users);
  texts(r.apps);
  texts(r.failureReasons);
  out[i++].setTime(r.firstSeen);
  out[i++].setTime(r.lastSeen);
  out[i++].setBool(r.isTiMatch);
  texts(r.reasons);
}

// ---------------------------------------------------------------------------------------------
// Collect pass, detail

void SignInDetection::beginCollect(const std::vector<uint64_t>& ids) {
  collecting_ = true;
  collectWanted_.assign(sources_.size(), 0);
  for (uint64_t id : ids)
    if (ownsId(id)) {
      collectWanted_[id - idBase()] = 1;
      collected_[uint32_t(id - idBase())].clear();
    }
}

void SignInDetection::endCollect() {
  collecting_ = false;
  collectWanted_.clear();
}

Analysis::GroupDetail SignInDetection::detail(uint64_t id) const {
  Analysis::GroupDetail d;
  if (!ownsId(id)) return d;
  const uint32_t si = uint32_t(id - idBase());
  for (const Bin& b : sources_[si].bins) d.total += b.attempts;
  auto it = collected_.find(si);
  if (it == collected_.end()) return d;
  std::vector<Attempt> attempts = it->second;
  std::stable_sort(attempts.begin(), attempts.end(), [](const Attempt& a, const Attempt& b) { return a.t < b.t; });
  std::unordered_map<uint32_t, uint32_t> userSlot;
  for (const Attempt& a : attempts) {
    d.times.push_back(a.t);
    d.ports.push_back(-1);
    d.refused.push_back(a.outcome == SignInOutcome::Failure);
    auto [slot, created] = userSlot.try_emplace(a.user, uint32_t(d.targetNames.size()));
    if (created) d.targetNames.push_back(userSpelling_[a.user]);
    d.targets.push_back(slot->second);
  }
  d.total = d.times.size();
  d.complete = true;
  return d;
}

}  // namespace vpshunt

// The sign-in aggregates as bytes (issue 12: the page's second worker; core/src/wire.hpp): what
// merge() reads of the other detection, sources, users, codes, apps and pairs in their order.
#include <algorithm>

#include "detections/hash.hpp"
#include "detections/signin/signin.hpp"
#include "wire.hpp"

namespace vpshunt {

namespace {
constexpr uint32_t kNone = UINT32_MAX;

void saveNames(WireWriter& w, const RecordTable<InternedName>& t) {
  w.u64(t.size());
  for (size_t i = 0; i < t.size(); ++i) w.text(t.at(i).name());
}
// Hashed again with the seed intern() uses for the table (signin.cpp): bytes never choose a slot.
void addName(WireReader& r, RecordTable<InternedName>& t, std::string_view name, uint64_t seed, const char* what) {
  bool created;
  const InternedName* e = t.find(hashBytes(name, seed), std::array<std::string_view, 1>{name}, true, created);
  if (!e || !created) r.fail(std::string(what) + (e ? ": a name repeated" : ": more names than a session holds"));
}
uint64_t loadNames(WireReader& r, RecordTable<InternedName>& t, uint64_t seed, const char* what) {
  const uint64_t n = r.count(what, 8);
  for (uint64_t i = 0; i < n; ++i) addName(r, t, r.text(what), seed, what);
  return n;
}
// In key order (the same set, the same bytes); the order of a set never shows: rows sort its entries.
void saveCounted(WireWriter& w, const CountedSet& s) {
  std::vector<std::pair<uint32_t, uint32_t>> v;
  s.forEach([&](uint32_t k, uint32_t n) { v.emplace_back(k, n); });
  std::sort(v.begin(), v.end());
  w.u64(v.size());
  for (const auto& [k, n] : v) {
    w.u32(k);
    w.u32(n);
  }
}
void loadCounted(WireReader& r, CountedSet& s, uint64_t keys, const char* what) {
  for (uint64_t n = r.count(what, 8); n > 0; --n) {
    const uint32_t k = r.index(what, keys);
    s.add(k, r.u32(what));
  }
}
}  // namespace

void SignInDetection::save(WireWriter& w) const {
  saveNames(w, users_);
  for (const std::string& s : userSpelling_) w.text(s);
  w.u64(reasons_.size());
  for (size_t i = 0; i < reasons_.size(); ++i) {
    w.text(reasons_.at(i).name());
    w.text(reasonText_[i]);
    w.boolean(reasonIsCode_[i] != 0);
  }
  saveNames(w, apps_);
  saveNames(w, asOrgs_);
  w.u64(sources_.size());
  for (const Source& s : sources_) {
    w.raw(s.ip.bytes.data(), 16);
    w.u64(s.bins.size());
    for (const Bin& b : s.bins) {
      w.i64(b.bin);
      w.u32(b.attempts);
      w.u32(b.failures);
      w.u32(b.successes);
      w.u32(b.interrupted);
      w.i64(b.first);
      w.i64(b.last);
    }
    saveCounted(w, s.apps);
    saveCounted(w, s.reasons);
    w.u32(s.logAsn);
    w.boolean(s.logAsnMixed);
    w.u32(s.asOrg);
  }
  w.u64(pairs_.size());
  for (const Pair& p : pairs_) {
    w.u32(p.source);
    w.u32(p.user);
    w.u32(p.attempts);
    w.u32(p.failures);
    w.u32(p.successes);
    w.u32(p.interrupted);
    w.i64(p.firstFailure);
    w.i64(p.lastFailure);
    w.i64(p.firstSuccess);
    w.i64(p.firstStop);
  }
}

void SignInDetection::load(WireReader& r) {
  if (!sources_.empty() || users_.size() || reasons_.size() || apps_.size())
    r.fail("signin: loaded into a detection that read rows");
  const uint64_t users = loadNames(r, users_, 21, "signin user");
  for (uint64_t i = 0; i < users; ++i) userSpelling_.emplace_back(r.text("signin user spelling"));
  const uint64_t reasons = r.count("signin result code count", 24);
  for (uint64_t i = 0; i < reasons; ++i) {
    const std::string_view key = r.text("signin result code");
    reasonText_.emplace_back(r.text("signin result text"));
    const bool isCode = r.boolean("signin result is a code");
    reasonIsCode_.push_back(isCode ? 1 : 0);
    addName(r, reasons_, key, isCode ? 22 : 23, "signin result code");
  }
  const uint64_t apps = loadNames(r, apps_, 24, "signin app");
  const uint64_t orgs = loadNames(r, asOrgs_, 25, "signin AS organisation");
  const uint64_t sourceCount = r.count("signin source count", 50);
  sources_.reserve(size_t(sourceCount));
  for (uint64_t si = 0; si < sourceCount; ++si) {
    Source& s = sources_.emplace_back();
    r.raw(s.ip.bytes.data(), 16, "signin source address");
    if (!sourceIndex_.emplace(s.ip, uint32_t(si)).second) r.fail("a signin source repeated");
    s.bins.resize(size_t(r.count("signin bin count", 40)));
    for (Bin& b : s.bins) {
      b.bin = r.i64("signin bin");
      b.attempts = r.u32("signin bin attempts");
      b.failures = r.u32("signin bin failures");
      b.successes = r.u32("signin bin successes");
      b.interrupted = r.u32("signin bin interrupted");
      b.first = r.i64("signin bin first");
      b.last = r.i64("signin bin last");
      if (b.first > b.last) r.fail("signin bin: first time after the last");
    }
    loadCounted(r, s.apps, apps, "signin source app");
    loadCounted(r, s.reasons, reasons, "signin source result code");
    s.logAsn = r.u32("signin log ASN");
    s.logAsnMixed = r.boolean("signin log ASN mixed");
    s.asOrg = r.indexOrNone("signin AS organisation", orgs, kNone);
  }
  const uint64_t pairCount = r.count("signin pair count", 56);
  pairs_.reserve(size_t(pairCount));
  for (uint64_t pi = 0; pi < pairCount; ++pi) {
    Pair& p = pairs_.emplace_back();
    p.source = r.index("signin pair source", sourceCount);
    p.user = r.index("signin pair user", users);
    p.attempts = r.u32("signin pair attempts");
    p.failures = r.u32("signin pair failures");
    p.successes = r.u32("signin pair successes");
    p.interrupted = r.u32("signin pair interrupted");
    p.firstFailure = r.i64("signin pair first failure");
    p.lastFailure = r.i64("signin pair last failure");
    p.firstSuccess = r.i64("signin pair first success");
    p.firstStop = r.i64("signin pair first stop");
    bool created;
    pairIndex_.findOrInsert(uint64_t(p.source) << 32 | p.user, uint32_t(pi), created);
    if (!created) r.fail("a signin (source, user) pair repeated");
  }
}

}  // namespace vpshunt

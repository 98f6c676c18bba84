// Merging two sign-in aggregates (issue 12: a file read in pieces by several threads). `other`'s
// rows came after this one's: its sources, users, codes, apps and (source, user) pairs are appended
// in its own order, so that ids (and the first spelling of each user, the first words of each code)
// are those of a single read.
#include "detections/hash.hpp"
#include "detections/signin/signin.hpp"

namespace vpshunt {

namespace {
constexpr uint32_t kNone = UINT32_MAX;

std::vector<uint32_t> mergeNames(RecordTable<InternedName>& into, const RecordTable<InternedName>& from,
                                 const std::function<void(size_t from)>& onNew = {}) {
  std::vector<uint32_t> map(from.size(), kNone);
  for (size_t i = 0; i < from.size(); ++i) {
    const InternedName& n = from.at(i);
    bool created;
    const InternedName* t = into.find(n.hash, std::array<std::string_view, 1>{n.name()}, true, created);
    if (!t) continue;
    map[i] = t->index;
    if (created && onNew) onNew(i);
  }
  return map;
}
}  // namespace

void SignInDetection::merge(SignInDetection&& o) {
  if (sources_.empty() && users_.size() == 0 && reasons_.size() == 0 && apps_.size() == 0) {
    sourceIndex_ = std::move(o.sourceIndex_);
    sources_ = std::move(o.sources_);
    pairIndex_ = std::move(o.pairIndex_);
    pairs_ = std::move(o.pairs_);
    users_ = std::move(o.users_);
    userSpelling_ = std::move(o.userSpelling_);
    apps_ = std::move(o.apps_);
    reasons_ = std::move(o.reasons_);
    asOrgs_ = std::move(o.asOrgs_);
    reasonText_ = std::move(o.reasonText_);
    reasonIsCode_ = std::move(o.reasonIsCode_);
    return;
  }
  const auto users = mergeNames(users_, o.users_, [&](size_t i) { userSpelling_.push_back(o.userSpelling_[i]); });
  const auto reasons = mergeNames(reasons_, o.reasons_, [&](size_t i) {
    reasonText_.push_back(o.reasonText_[i]);
    reasonIsCode_.push_back(o.reasonIsCode_[i]);
  });
  const auto apps = mergeNames(apps_, o.apps_);
  std::vector<uint32_t> sourceMap(o.sources_.size(), kNone);
  for (size_t osi = 0; osi < o.sources_.size(); ++osi) {
    Source& os = o.sources_[osi];
    auto [it, created] = sourceIndex_.try_emplace(os.ip, uint32_t(sources_.size()));
    if (created) {
      sources_.emplace_back();
      sources_.back().ip = os.ip;
    }
    sourceMap[osi] = it->second;
    Source& s = sources_[it->second];
    for (const Bin& ob : os.bins) {
      Bin* b = nullptr;
      for (auto r = s.bins.rbegin(); r != s.bins.rend(); ++r)
        if (r->bin == ob.bin) {
          b = &*r;
          break;
        }
      if (!b) {
        s.bins.push_back(ob);
        continue;
      }
      b->attempts += ob.attempts;
      b->failures += ob.failures;
      b->successes += ob.successes;
      b->interrupted += ob.interrupted;
      b->first = std::min(b->first, ob.first);
      b->last = std::max(b->last, ob.last);
    }
    os.apps.forEach([&](uint32_t k, uint32_t n) {
      if (apps[k] != kNone) s.apps.add(apps[k], n);
    });
    os.reasons.forEach([&](uint32_t k, uint32_t n) {
      if (reasons[k] != kNone) s.reasons.add(reasons[k], n);
    });
    // The first ASN the log named wins; any other makes it mixed (as a single read decides).
    if (os.logAsn) {
      if (!s.logAsn) {
        s.logAsn = os.logAsn;
        s.logAsnMixed = s.logAsnMixed || os.logAsnMixed;
      } else if (s.logAsn != os.logAsn || os.logAsnMixed) {
        s.logAsnMixed = true;
      }
    }
    if (s.asOrg == kNone && os.asOrg != kNone) {
      const InternedName& n = o.asOrgs_.at(os.asOrg);
      bool made;
      const InternedName* t = asOrgs_.find(n.hash, std::array<std::string_view, 1>{n.name()}, true, made);
      if (t) s.asOrg = t->index;
    }
  }
  for (const Pair& op : o.pairs_) {
    const uint32_t si = sourceMap[op.source], user = users[op.user];
    if (si == kNone || user == kNone) continue;
    bool created;
    const uint32_t pi = pairIndex_.findOrInsert(uint64_t(si) << 32 | user, uint32_t(pairs_.size()), created);
    if (created) {
      pairs_.push_back(op);
      pairs_.back().source = si;
      pairs_.back().user = user;
      continue;
    }
    Pair& p = pairs_[pi];
    p.attempts += op.attempts;
    p.failures += op.failures;
    p.successes += op.successes;
    p.interrupted += op.interrupted;
    p.firstFailure = std::min(p.firstFailure, op.firstFailure);
    p.lastFailure = std::max(p.lastFailure, op.lastFailure);
    p.firstSuccess = std::min(p.firstSuccess, op.firstSuccess);
    p.firstStop = std::min(p.firstStop, op.firstStop);
  }
}

}  // namespace vpshunt

// The inbound aggregates as bytes (issue 12: the page's second worker; core/src/wire.hpp): what
// merge() reads of the other detection, sources and target names in their order.
#include <algorithm>

#include "detections/hash.hpp"
#include "detections/inbound/inbound.hpp"
#include "wire.hpp"

namespace vpshunt {

namespace {
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
// Keys below `keys` (0: any); the order of a counted set never shows (rows sort its entries).
void loadCounted(WireReader& r, CountedSet& s, uint64_t keys, const char* what) {
  for (uint64_t n = r.count(what, 8); n > 0; --n) {
    const uint32_t k = keys ? r.index(what, keys) : r.u32(what);
    s.add(k, r.u32(what));
  }
}
}  // namespace

void InboundDetection::save(WireWriter& w) const {
  w.u64(targets_.size());
  for (size_t i = 0; i < targets_.size(); ++i) w.text(targets_.at(i).name());
  w.boolean(anyDeviceNames_);
  w.u64(sources_.size());
  for (const Source& s : sources_) {
    w.raw(s.ip.bytes.data(), 16);
    w.u64(s.bins.size());
    for (const Bin& b : s.bins) {
      w.i64(b.bin);
      w.u32(b.count);
      w.u32(b.refused);
      w.i64(b.first);
      w.i64(b.last);
    }
    saveCounted(w, s.targets);
    saveCounted(w, s.ports);
  }
}

void InboundDetection::load(WireReader& r) {
  if (!sources_.empty() || targets_.size()) r.fail("inbound: loaded into a detection that read rows");
  const uint64_t targetCount = r.count("inbound target count", 8);
  for (uint64_t i = 0; i < targetCount; ++i) {
    const std::string_view name = r.text("inbound target");
    bool created;
    const InternedName* t = targets_.find(hashBytes(name, 11), std::array<std::string_view, 1>{name}, true, created);
    if (!t || !created) r.fail(t ? "an inbound target repeated" : "more inbound targets than a session holds");
  }
  anyDeviceNames_ = r.boolean("inbound device names");
  const uint64_t sourceCount = r.count("inbound source count", 40);
  sources_.reserve(size_t(sourceCount));
  for (uint64_t si = 0; si < sourceCount; ++si) {
    Source& s = sources_.emplace_back();
    r.raw(s.ip.bytes.data(), 16, "inbound source address");
    if (!sourceIndex_.emplace(s.ip, uint32_t(si)).second) r.fail("an inbound source repeated");
    s.bins.resize(size_t(r.count("inbound bin count", 32)));
    for (Bin& b : s.bins) {
      b.bin = r.i64("inbound bin");
      b.count = r.u32("inbound bin count");
      b.refused = r.u32("inbound bin refused");
      b.first = r.i64("inbound bin first");
      b.last = r.i64("inbound bin last");
      if (b.refused > b.count || b.first > b.last) r.fail("inbound bin counts or times out of range");
    }
    loadCounted(r, s.targets, targetCount, "inbound source target");
    loadCounted(r, s.ports, 65537, "inbound source port");
  }
}

}  // namespace vpshunt

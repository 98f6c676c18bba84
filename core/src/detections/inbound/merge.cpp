// Merging two inbound aggregates (issue 12: a file read in pieces by several threads). `other`'s
// rows came after this one's: its sources and target names are appended in its own order, so that
// source ids and target ids are those of a single read.
#include "detections/hash.hpp"
#include "detections/inbound/inbound.hpp"

namespace vpshunt {

void InboundDetection::merge(InboundDetection&& o) {
  if (sources_.empty() && targets_.size() == 0) {
    sourceIndex_ = std::move(o.sourceIndex_);
    sources_ = std::move(o.sources_);
    targets_ = std::move(o.targets_);
    anyDeviceNames_ = o.anyDeviceNames_;
    return;
  }
  std::vector<uint32_t> targetMap(o.targets_.size(), UINT32_MAX);
  for (size_t i = 0; i < o.targets_.size(); ++i) {
    const InternedName& n = o.targets_.at(i);
    bool created;
    const InternedName* t = targets_.find(n.hash, std::array<std::string_view, 1>{n.name()}, true, created);
    if (t) targetMap[i] = t->index;
  }
  anyDeviceNames_ = anyDeviceNames_ || o.anyDeviceNames_;
  for (Source& os : o.sources_) {
    auto [it, created] = sourceIndex_.try_emplace(os.ip, uint32_t(sources_.size()));
    if (created) {
      sources_.emplace_back();
      sources_.back().ip = os.ip;
    }
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
      b->count += ob.count;
      b->refused += ob.refused;
      b->first = std::min(b->first, ob.first);
      b->last = std::max(b->last, ob.last);
    }
    os.targets.forEach([&](uint32_t k, uint32_t n) {
      if (targetMap[k] != UINT32_MAX) s.targets.add(targetMap[k], n);
    });
    os.ports.forEach([&](uint32_t k, uint32_t n) { s.ports.add(k, n); });
  }
}

}  // namespace vpshunt

// Merging two beacon aggregates (issue 12: a file read in pieces by several threads). `other` holds
// rows that came after this one's: everything it created is appended in its own creation order, so
// that flow and group indexes (row keys, collect ids, tie order) are those of a single read.
#include <cstring>

#include "detections/beacon/beacon.hpp"
#include "events/values.hpp"

namespace vpshunt {

namespace {
constexpr size_t kMaxFilteredActions = 16;  // as beacon.cpp: names counted by name in a file's report
}  // namespace

void BeaconDetection::merge(BeaconDetection&& o) {
  if (groups_.empty() && flows_.size() == 0 && excludedContacts_.size() == 0 && devices_.size() == 0 &&
      mixedNotes_.empty() && droppedNames_.empty()) {
    // Nothing read here yet: the other's aggregates are exactly those of one read (boundary logs too).
    // The per-file state (filter counts, ActionType names) stays this one's.
    flows_ = std::move(o.flows_);
    mixedNotes_ = std::move(o.mixedNotes_);
    devices_ = std::move(o.devices_);
    excludedContacts_ = std::move(o.excludedContacts_);
    droppedNames_ = std::move(o.droppedNames_);
    groups_ = std::move(o.groups_);
    groupBins_ = GroupBins();
    flowGroups_ = FlowGroups();
    boundaryLogs_ = std::move(o.boundaryLogs_);
    logBin_ = o.logBin_;
    logCompleteFrom_ = o.logCompleteFrom_;
    return;
  }
  // Flows, in the other's creation order.
  std::vector<uint32_t> flowMap(o.flowCount());
  for (size_t fi = 0; fi < o.flowCount(); ++fi) {
    const FlowHeader& of = o.flows_.at(fi);
    const ProcessIdentity oid = Flow{&of}.process();
    const size_t payload = oid.payloadSize();
    bool created;
    FlowHeader* f = flows_.find(of.hash, std::array<std::string_view, 1>{std::string_view(of.key(), of.keySize)}, true,
                                created, payload);
    if (!f) {  // beyond any run (32 GiB of keys); the other's rows of this flow are lost, as one read would
      flowMap[fi] = kNoGroup;
      continue;
    }
    flowMap[fi] = f->index;
    if (created) {
      f->lastBin = INT64_MIN;
      f->minBin = INT64_MAX;
      f->maxBin = INT64_MIN;
      f->lastGroup = kNoGroup;
      f->headGroup = kNoGroup;
      std::memcpy(const_cast<char*>(f->payload()), of.payload(), payload);
      if (auto it = o.mixedNotes_.find(uint32_t(fi)); it != o.mixedNotes_.end()) mixedNotes_.emplace(f->index, it->second);
      continue;
    }
    // An existing flow compares the other's first identity as a single read compares each row
    // (findGroup); a flow mixed within the other's rows is mixed here too, for the same reason.
    const ProcessIdentity mine = Flow{f}.process();
    if (!mine.present || mine.mixed || !oid.present) continue;
    const bool same = mine.folder == oid.folder && mine.company == oid.company && mine.product == oid.product &&
                      mine.overlong == oid.overlong;
    if (!same) {
      ProcessIdentity row = oid;
      noteMixed(*f, row);
    } else if (oid.mixed) {
      char* p = const_cast<char*>(f->payload());
      ProcessIdentity::Head head;
      std::memcpy(&head, p, sizeof head);
      head.state |= ProcessIdentity::kMixed;
      std::memcpy(p, &head, sizeof head);
      if (auto it = o.mixedNotes_.find(uint32_t(fi)); it != o.mixedNotes_.end()) mixedNotes_.emplace(f->index, it->second);
    }
  }
  // Groups, in the other's creation order: a (flow, bin) seen here adds up, a new one is appended.
  for (const Group& og : o.groups_) {
    const uint32_t fi = flowMap[og.flow];
    if (fi == kNoGroup) continue;
    FlowHeader& f = flows_.at(fi);
    const int64_t bin = floorDiv(og.first, window_);
    Group* g = nullptr;
    if (bin >= f.minBin && bin <= f.maxBin) {
      const uint32_t gi = groupOfBin(fi, bin);
      if (gi != kNoGroup) g = &groups_[gi];
    }
    if (g) {
      g->count += og.count;
      g->first = std::min(g->first, og.first);
      g->last = std::max(g->last, og.last);
      if (og.hasSent()) g->sent = addBytes(std::max<int64_t>(g->sent, 0), og.sent);
      if (og.hasReceived()) g->received = addBytes(std::max<int64_t>(g->received, 0), og.received);
      og.ports.forEach([g](int32_t p) { g->ports.add(p); });
      continue;
    }
    if (groups_.size() >= kNoGroup) continue;
    Group& ng = groups_.emplace_back();
    ng.flow = fi;
    ng.prevInFlow = f.headGroup;
    ng.count = og.count;
    ng.first = og.first;
    ng.last = og.last;
    ng.sent = og.sent;
    ng.received = og.received;
    og.ports.forEach([&ng](int32_t p) { ng.ports.add(p); });
    f.headGroup = uint32_t(groups_.size() - 1);
    f.minBin = std::min(f.minBin, bin);
    f.maxBin = std::max(f.maxBin, bin);
  }
  // Excluded processes' contacts: only first and last time per (device, address) matter.
  std::vector<uint32_t> deviceMap(o.devices_.size(), ContactTable::kEmpty);
  for (size_t di = 0; di < o.devices_.size(); ++di) {
    const DeviceHeader& od = o.devices_.at(di);
    bool created;
    const DeviceHeader* d =
        devices_.find(od.hash, std::array<std::string_view, 1>{od.name()}, true, created);
    if (d) deviceMap[di] = d->index;
  }
  o.excludedContacts_.forEach([&](const ContactTable::Entry& e) {
    const uint32_t d = deviceMap[e.device];
    if (d == ContactTable::kEmpty) return;
    excludedContacts_.note(d, e.ip, e.first);
    excludedContacts_.note(d, e.ip, e.last);
  });
  for (const auto& n : o.droppedNames_) droppedNames_.insert(n);
  flowGroups_ = FlowGroups();
  // Rows merged in were not logged here: no group counts as logged from the start of its bin any
  // more, and the straddling groups are recounted by a collect pass (same numbers, read again).
  boundaryLogs_.clear();
  logCompleteFrom_ = groups_.size();
}

void BeaconDetection::mergeFileActions(const BeaconDetection& chunk) {
  for (const auto& action : chunk.filteredActions_) {
    const std::string& name = action.first;
    auto it = std::find_if(fileActions_.begin(), fileActions_.end(), [&](const auto& p) { return sameText(p.first, name); });
    if (it != fileActions_.end()) it->second += action.second;
    else fileActions_.emplace_back(name, action.second);
  }
}

void BeaconDetection::endChunkedFile(FileReport& rep) {
  // One read names the first kMaxFilteredActions names of the file and counts the rest together.
  for (size_t i = 0; i < fileActions_.size(); ++i) {
    if (i < kMaxFilteredActions) rep.filtered["ActionType " + fileActions_[i].first] += fileActions_[i].second;
    else rep.filtered["ActionType (other values)"] += fileActions_[i].second;
  }
  fileActions_.clear();
}

}  // namespace vpshunt

// The beacon aggregates as bytes (issue 12: the page's second worker; core/src/wire.hpp): exactly
// what merge() and mergeFileActions() read of the other detection, in creation order, so that a
// loaded detection merges as the one that was saved would have.
#include <algorithm>

#include "detections/beacon/beacon.hpp"
#include "wire.hpp"

namespace vpshunt {

namespace {

void saveConnections(WireWriter& w, const std::vector<Connection>& v) {
  w.u64(v.size());
  for (const Connection& c : v) {
    w.i64(c.t);
    w.i64(c.sent);
    w.i64(c.received);
    w.u32(uint32_t(c.port));
    w.boolean(c.seedAction);
  }
}

std::vector<Connection> loadConnections(WireReader& r) {
  std::vector<Connection> v(r.count("boundary connections", 29));
  for (Connection& c : v) {
    c.t = r.i64("connection time");
    c.sent = r.i64("connection SentBytes");
    c.received = r.i64("connection ReceivedBytes");
    c.port = int32_t(r.u32("connection port"));
    if (c.port < -1 || c.port > 65535) r.fail("connection port " + std::to_string(c.port) + " out of range");
    c.seedAction = r.boolean("connection seed action");
  }
  return v;
}

}  // namespace

void BeaconDetection::save(WireWriter& w) const {
  w.i64(window_);
  w.u64(groups_.size());
  w.u64(flows_.size());
  for (size_t fi = 0; fi < flows_.size(); ++fi) {
    const FlowHeader& h = flows_.at(fi);
    const Flow f{&h};
    for (int k = 0; k < 4; ++k) w.text(f.part(k));
    w.raw(f.ip().bytes.data(), 16);
    ProcessIdentity::Head head;
    std::memcpy(&head, h.payload(), sizeof head);
    const ProcessIdentity id = f.process();
    w.u8(head.state);
    w.text(id.folder);
    w.text(id.company);
    w.text(id.product);
    w.i64(h.lastBin);
    w.i64(h.minBin);
    w.i64(h.maxBin);
    w.u32(h.lastGroup);
    w.u32(h.headGroup);
  }
  for (const Group& g : groups_) {
    w.u32(g.flow);
    w.u32(g.prevInFlow);
    w.i64(g.count);
    w.i64(g.first);
    w.i64(g.last);
    w.i64(g.sent);
    w.i64(g.received);
    const std::vector<int32_t> ports = g.ports.values();  // in the order first seen: make_set keeps it
    w.u64(ports.size());
    for (int32_t p : ports) w.u32(uint32_t(p));
  }
  // Hash containers are written in key order: the same aggregates give the same bytes.
  std::vector<std::pair<uint32_t, const std::string*>> notes;
  for (const auto& [fi, note] : mixedNotes_) notes.emplace_back(fi, &note);
  std::sort(notes.begin(), notes.end());
  w.u64(notes.size());
  for (const auto& [fi, note] : notes) {
    w.u32(fi);
    w.text(*note);
  }
  w.u64(devices_.size());
  for (size_t di = 0; di < devices_.size(); ++di) w.text(devices_.at(di).name());
  std::vector<const ContactTable::Entry*> contacts;
  excludedContacts_.forEach([&](const ContactTable::Entry& e) { contacts.push_back(&e); });
  std::sort(contacts.begin(), contacts.end(), [](const auto* a, const auto* b) {
    return a->device != b->device ? a->device < b->device : a->ip < b->ip;
  });
  w.u64(contacts.size());
  for (const ContactTable::Entry* e : contacts) {
    w.u32(e->device);
    w.raw(e->ip.bytes.data(), 16);
    w.i64(e->first);
    w.i64(e->last);
  }
  std::vector<const std::string*> dropped;
  for (const std::string& n : droppedNames_) dropped.push_back(&n);
  std::sort(dropped.begin(), dropped.end(), [](const auto* a, const auto* b) { return *a < *b; });
  w.u64(dropped.size());
  for (const std::string* n : dropped) w.text(*n);
  std::vector<uint64_t> logged;
  for (const auto& entry : boundaryLogs_) logged.push_back(entry.first);
  std::sort(logged.begin(), logged.end());
  w.u64(logged.size());
  for (uint64_t gi : logged) {
    w.u64(gi);
    saveConnections(w, boundaryLogs_.at(gi));
  }
  w.i64(logBin_);
  w.u64(logCompleteFrom_);
  w.u64(filteredActions_.size());
  for (const auto& [name, n] : filteredActions_) {
    w.text(name);
    w.u64(n);
  }
}

void BeaconDetection::load(WireReader& r) {
  if (flows_.size() || !groups_.empty() || devices_.size()) r.fail("beacon: loaded into a detection that read rows");
  window_ = r.i64("beacon window");
  if (window_ <= 0) r.fail("beacon window " + std::to_string(window_) + ": expected a positive width");
  const uint64_t groupCount = r.count("beacon group count", 64);
  const uint64_t flowCount = r.count("beacon flow count", 100);
  for (uint64_t fi = 0; fi < flowCount; ++fi) {
    std::string_view part[4];
    for (auto& p : part) p = r.text("flow key text");
    IpAddress ip;
    r.raw(ip.bytes.data(), 16, "flow address");
    const uint8_t state = r.u8("flow identity state");
    if (state > (ProcessIdentity::kPresent | ProcessIdentity::kMixed | ProcessIdentity::kOverlong))
      r.fail("flow identity state " + std::to_string(state));
    ProcessIdentity id;
    id.folder = r.text("flow folder");
    id.company = r.text("flow company");
    id.product = r.text("flow product");
    if (id.folder.size() > ProcessIdentity::kMaxFolder || id.company.size() > ProcessIdentity::kMaxVersionText ||
        id.product.size() > ProcessIdentity::kMaxVersionText)
      r.fail("flow identity longer than a flow keeps");
    for (const auto& p : part)
      if (p.size() > UINT32_MAX) r.fail("flow key text too long");
    const uint32_t len[4] = {uint32_t(part[0].size()), uint32_t(part[1].size()), uint32_t(part[2].size()),
                             uint32_t(part[3].size())};
    // The hash is made again from the key, as findGroup makes it: bytes never choose a slot.
    uint64_t h = mix64(hashAddress(ip.bytes.data()), hashBytes(part[0], 1));
    h = mix64(h, hashBytes(part[1], 2));
    h = mix64(h, hashBytes(part[2], 3));
    h = mix64(h, hashBytes(part[3], 4));
    const std::array<std::string_view, 6> parts{std::string_view(reinterpret_cast<const char*>(len), sizeof len),
                                                 part[0], part[1], part[2], part[3],
                                                 std::string_view(reinterpret_cast<const char*>(ip.bytes.data()), 16)};
    bool created;
    FlowHeader* f = flows_.find(h, parts, true, created, id.payloadSize());
    if (!f || !created) r.fail(f ? "a flow key repeated" : "more flows than a session holds");
    const ProcessIdentity::Head head{uint16_t(id.folder.size()), uint16_t(id.company.size()), uint16_t(id.product.size()),
                                     state, 0};
    char* w = const_cast<char*>(f->payload());
    std::memcpy(w, &head, sizeof head);
    w += sizeof head;
    for (std::string_view t : {id.folder, id.company, id.product}) {
      if (!t.empty()) std::memcpy(w, t.data(), t.size());
      w += t.size();
    }
    f->lastBin = r.i64("flow last bin");
    f->minBin = r.i64("flow min bin");
    f->maxBin = r.i64("flow max bin");
    f->lastGroup = r.indexOrNone("flow last group", groupCount, kNoGroup);
    f->headGroup = r.indexOrNone("flow head group", groupCount, kNoGroup);
  }
  groups_.reserve(size_t(groupCount));
  for (uint64_t gi = 0; gi < groupCount; ++gi) {
    Group& g = groups_.emplace_back();
    g.flow = r.index("group flow", flowCount);
    g.prevInFlow = r.indexOrNone("group previous in flow", gi, kNoGroup);  // an older group, or none
    g.count = r.i64("group count");
    g.first = r.i64("group first");
    g.last = r.i64("group last");
    g.sent = r.i64("group SentBytes");
    g.received = r.i64("group ReceivedBytes");
    if (g.count < 1 || g.first > g.last || g.sent < -1 || g.received < -1) r.fail("group counts or times out of range");
    const uint64_t ports = r.count("group port count", 4);
    for (uint64_t k = 0; k < ports; ++k) {
      const uint32_t p = r.u32("group port");
      if (p > 65535) r.fail("group port " + std::to_string(p) + " out of range");
      g.ports.add(int32_t(p));
    }
    if (g.prevInFlow != kNoGroup && groups_[g.prevInFlow].flow != g.flow) r.fail("a group chained to another flow's");
  }
  for (size_t fi = 0; fi < flows_.size(); ++fi) {  // a flow's chain starts at one of its own groups
    const FlowHeader& f = flows_.at(fi);
    for (uint32_t gi : {f.headGroup, f.lastGroup})
      if (gi != kNoGroup && groups_[gi].flow != fi) r.fail("flow " + std::to_string(fi) + " names another flow's group");
  }
  for (uint64_t n = r.count("mixed note count", 12); n > 0; --n) {
    const uint32_t fi = r.index("mixed note flow", flowCount);
    mixedNotes_.emplace(fi, std::string(r.text("mixed note")));
  }
  const uint64_t deviceCount = r.count("device count", 8);
  for (uint64_t di = 0; di < deviceCount; ++di) {
    const std::string_view name = r.text("device name");
    bool created;
    const DeviceHeader* d = devices_.find(hashBytes(name, 1), std::array<std::string_view, 1>{name}, true, created);
    if (!d || !created) r.fail(d ? "a device name repeated" : "more devices than a session holds");
  }
  for (uint64_t n = r.count("excluded contact count", 36); n > 0; --n) {
    const uint32_t device = r.index("excluded contact device", deviceCount);
    IpAddress ip;
    r.raw(ip.bytes.data(), 16, "excluded contact address");
    const Ticks first = r.i64("excluded contact first"), last = r.i64("excluded contact last");
    if (first > last) r.fail("excluded contact: first time after the last");
    excludedContacts_.note(device, ip, first);
    excludedContacts_.note(device, ip, last);
  }
  for (uint64_t n = r.count("dropped name count", 8); n > 0; --n) droppedNames_.emplace(r.text("dropped name"));
  for (uint64_t n = r.count("boundary log count", 16); n > 0; --n) {
    const uint64_t gi = r.u64("boundary log group");
    if (gi >= groupCount) r.fail("boundary log group " + std::to_string(gi) + " of " + std::to_string(groupCount));
    if (!boundaryLogs_.emplace(gi, loadConnections(r)).second) r.fail("a boundary log repeated");
  }
  logBin_ = r.i64("boundary log bin");
  logCompleteFrom_ = r.u64("boundary log complete from");
  for (uint64_t n = r.count("filtered ActionType count", 16); n > 0; --n) {
    std::string name(r.text("filtered ActionType"));
    filteredActions_.emplace_back(std::move(name), r.u64("filtered ActionType rows"));
  }
  flowGroups_ = FlowGroups();
}

}  // namespace vpshunt

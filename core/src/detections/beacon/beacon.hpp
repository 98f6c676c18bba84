// The beacon detection: endpoints calling rented servers on a schedule. Seed mode is the seed KQL
// rule exactly (one row per hour group: device, account, process, command line, remote address,
// bin); beyond mode makes one row per flow over the lookback, with periodicity, hosting and
// prevalence (VpsScore). Memory holds per-group aggregates, never a row; what needs rows again (the
// groups straddling the lookback cutoff, a detail view, periodicity) gets them from a collect pass.
#pragma once
#include <algorithm>
#include <climits>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "detections/detection.hpp"
#include "detections/hash.hpp"
#include "detections/record_table.hpp"
#include "enrich/ip_facts.hpp"
#include "formats/record.hpp"
#include "vpshunt/analysis.hpp"
#include "vpshunt/ip.hpp"

namespace vpshunt {

// One connection of a group, gathered by a collect pass (boundary recount, detail view).
struct Connection {
  Ticks t;
  int64_t sent, received;
  int32_t port;  // -1: none
  bool seedAction;  // its ActionType is one of the seed's (not a beyond-mode extra)
};

// A flow: (DeviceName, AccountName, InitiatingProcessFileName, InitiatingProcessCommandLine,
// RemoteIP). Each is one record in an arena: a 48-byte header with what every row touches, followed
// by its key (4 x uint32 lengths, the four texts, 16 address bytes) and the process's identity
// (ProcessIdentity, not part of the key), so that a lookup reads one contiguous stretch of memory. The flow's groups form a chain (newest first) through
// Group::prevInFlow; with the range of their bins kept here, a row of an export in time order (either
// direction) finds or creates its group without walking the chain.
struct FlowHeader {
  uint64_t hash;
  int64_t lastBin;           // bin of the group the last row went to (INT64_MIN: none yet)
  int64_t minBin, maxBin;    // range of the flow's group bins (empty when headGroup is kNoGroup)
  uint32_t lastGroup;
  uint32_t headGroup;        // the flow's newest group, kNoGroup when none
  uint32_t keySize;
  uint32_t index;  // the flow's number (group.flow)
  const char* key() const { return reinterpret_cast<const char*>(this + 1); }
  const char* payload() const { return key() + keySize; }  // the process identity (see ProcessIdentity)
};
static_assert(sizeof(FlowHeader) == 48);

// What the flow's rows say about the process, for the known-software matcher: its path
// (InitiatingProcessFolderPath, Sysmon Image) and version-info company and product. A flow keeps its
// first row's values after its key; every later row is compared with them byte for byte (they are
// in the memory the lookup read), and a flow whose rows disagree is marked mixed: it is never named
// known software, since one of its binaries could be an impostor hiding in the other's traffic.
// Rows of an export without these columns say nothing and contradict nothing. Values are capped
// (kMaxFolder: longer paths never match anyway; kMaxVersionText: a longer company or product is
// marked overlong and never matches).
struct ProcessIdentity {
  std::string_view folder, company, product;
  bool present = false;   // the row (first row, for a flow) had at least one of the columns
  bool mixed = false;     // rows of the flow disagree
  bool overlong = false;  // a company or product longer than kMaxVersionText
  static constexpr size_t kMaxFolder = 1025;  // KnownSoftwareCatalog::kMaxPath + 1: still "too long"
  static constexpr size_t kMaxVersionText = 256;
  // The payload after a flow's key: this head, then the three texts.
  struct Head {
    uint16_t folder, company, product;
    uint8_t state;  // kPresent | kMixed | kOverlong
    uint8_t pad;
  };
  static constexpr uint8_t kPresent = 1, kMixed = 2, kOverlong = 4;
  size_t payloadSize() const { return sizeof(Head) + folder.size() + company.size() + product.size(); }
};
static_assert(sizeof(ProcessIdentity::Head) == 8);
constexpr uint32_t kNoGroup = UINT32_MAX;

using DeviceHeader = InternedName;  // a device name

// (device, RemoteIP) of rows dropped at ingest because their process is on the seed's exclusion
// lists, with the first and last time: all that prevalence (DeviceCount, RemoteIPFirstSeen/LastSeen)
// needs of them. Entries sit in the table itself (40 bytes, one cache line at most per lookup): it is
// probed for every such row, about half of a typical export.
class ContactTable {
 public:
  struct Entry {
    uint32_t device = kEmpty;  // index in the device table
    uint32_t pad = 0;
    IpAddress ip;
    Ticks first = 0, last = 0;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  ContactTable() { clear(); }
  void clear() {
    entries_.assign(1 << 10, Entry{});
    size_ = 0;
  }
  void note(uint32_t device, const IpAddress& ip, Ticks t) {
    const uint64_t h = mix64(hashAddress(ip.bytes.data()), device);
    const size_t mask = entries_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Entry& e = entries_[i];
      if (e.device == device && e.ip == ip) {
        e.first = std::min(e.first, t);
        e.last = std::max(e.last, t);
        return;
      }
      if (e.device == kEmpty) {
        e.device = device;
        e.ip = ip;
        e.first = e.last = t;
        if (++size_ * 2 > entries_.size()) grow();
        return;
      }
    }
  }
  size_t size() const { return size_; }
  template <class F>
  void forEach(F&& f) const {
    for (const Entry& e : entries_)
      if (e.device != kEmpty) f(e);
  }

 private:
  void grow() {
    std::vector<Entry> old(entries_.size() * 2, Entry{});
    old.swap(entries_);
    size_ = 0;
    for (const Entry& e : old)
      if (e.device != kEmpty) {
        note(e.device, e.ip, e.first);
        note(e.device, e.ip, e.last);
      }
  }
  std::vector<Entry> entries_;
  size_t size_ = 0;
};

// A read-only view of one flow record.
struct Flow {
  const FlowHeader* h;
  std::string_view keyView() const { return {h->key(), h->keySize}; }
  std::string_view part(int k) const;  // 0 device, 1 account, 2 process, 3 command line
  IpAddress ip() const;
  ProcessIdentity process() const;
};

// Distinct ports (0-65535) of a group: most groups have one to three, kept inline (no allocation
// per group). 16 bytes.
class PortSet {
 public:
  void add(int32_t port) {
    if (port < 0 || port > 65535) return;
    for (uint8_t i = 0; i < inlineCount_; ++i)
      if (inline_[i] == port) return;
    if (inlineCount_ < kInline) {
      inline_[inlineCount_++] = uint16_t(port);
      return;
    }
    if (!more_) more_ = std::make_unique<std::vector<int32_t>>();
    if (std::find(more_->begin(), more_->end(), port) == more_->end()) more_->push_back(port);
  }
  size_t size() const { return inlineCount_ + (more_ ? more_->size() : 0); }
  // In the order first seen, without a copy (merge() adds every group's ports).
  template <class F>
  void forEach(F&& f) const {
    for (uint8_t i = 0; i < inlineCount_; ++i) f(int32_t(inline_[i]));
    if (more_)
      for (int32_t p : *more_) f(p);
  }
  std::vector<int32_t> values() const {
    std::vector<int32_t> out(inline_, inline_ + inlineCount_);
    if (more_) out.insert(out.end(), more_->begin(), more_->end());
    return out;
  }

 private:
  static constexpr uint8_t kInline = 3;
  std::unique_ptr<std::vector<int32_t>> more_;
  uint16_t inline_[kInline] = {0, 0, 0};
  uint8_t inlineCount_ = 0;
};

// One (flow, bin) aggregate: 64 bytes, one cache line. Its bin is that of `first` (every row of the
// group lies in it); byte sums are -1 until a row from an export with the column adds to them.
struct Group {
  uint32_t flow = 0;
  uint32_t prevInFlow = kNoGroup;  // the flow's group created before this one
  int64_t count = 0;
  Ticks first = 0, last = 0;
  int64_t sent = -1, received = -1;
  PortSet ports;  // distinct ports
  bool hasSent() const { return sent >= 0; }
  bool hasReceived() const { return received >= 0; }
};
static_assert(sizeof(Group) == 64);

const TableSchema& beaconSchema();

class SuppressionMatcher;
class WireWriter;
class WireReader;

// What the known-software catalogue (enrich/known_software.hpp) or the analyst's knownSoftware
// entries say of a flow. Beyond mode adds `points` to VpsScore and `reason` to VpsReasons:
//   named by the catalogue      -40; -25 when one fact an attacker could also reach fitted (a
//                               per-user folder, a vendor network that also hosts cloud tenants,
//                               the vendor's service on a public cloud), -15 for two
//   marked by the analyst       -40
//   catalogued name, masquerade +10 (wrong folder, contradicting company or product, a ".." or a
//                               network share in the path: T1036.005, a name or place that is not
//                               the product's)
//   other near misses           0, with the reason (another drive, no folder in the export, the
//                               genuine folder calling elsewhere, a flow whose rows disagree)
struct KnownSoftwareFinding {
  std::optional<std::string> product;  // the KnownSoftware column
  std::string reason;                  // empty: the name is in no catalogue entry and no mark
  int points = 0;
  std::string folder;                  // knownSoftwareOfRow only: the flow's path, and whether its rows disagree
  bool folderDisagrees = false;
};

class BeaconDetection final : public Detection {
 public:
  std::string_view name() const override { return "beacon"; }
  const TableSchema& schema() const override;
  void reset() override;
  bool sawEvents() const override { return !groups_.empty() || excludedContacts_.size() > 0; }

  // Per file: the beacon's own filter counts, written into the report when the file ends.
  void fileBegin(const Rule& rule);
  void fileEnd(const Rule& rule, FileReport& report);
  // One network event that is not inbound (the engine routes by direction), from its lookback on.
  void ingest(const RawEvent& e, Ticks t, Direction direction, NetIngest& ctx);

  // Rows in the final order (RiskScore desc, ConnectionCount desc in seed mode; VpsScore first in
  // beyond mode), each handed to `onRow` as it is made. Fills summary.rowCount, collect ids and notices.
  void finish(const FinishContext& ctx, const std::function<void(const ResultRow&)>& onRow, DetectionSummary& summary,
              Results& results) const;
  void finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& results) const override;
  // The row's cells (the schema's columns) for a writer.
  static void cells(const ResultRow& r, Row& out);

  bool excludesAllDropped(const Rule& next) const;
  // Collect pass: ids are group indexes (seed rows) or flowIdBase() + flow index (beyond rows).
  static constexpr uint64_t flowIdBase() { return uint64_t(1) << 40; }
  bool ownsId(uint64_t id) const { return id < groups_.size() || (id >= flowIdBase() && id - flowIdBase() < flowCount()); }
  void beginCollect(const std::vector<uint64_t>& ids);
  void endCollect();
  Analysis::GroupDetail detail(uint64_t id) const;
  // Known software of a row's key (a seed row's group, a beyond row's flow), in either mode;
  // nullopt for other keys (Analysis::knownSoftware).
  std::optional<KnownSoftwareFinding> knownSoftwareOfRow(uint64_t id, IpFactsTable& facts, const Rule& rule) const;

  // --- threads (issue 12); detections/beacon/merge.cpp ---
  // Adds what `other` read (same rule, neither collecting) as if its rows had come after this one's:
  // flows, groups and their order, process identities, excluded contacts. The boundary logs are
  // dropped (their rows are recounted by a collect pass) unless this one had read nothing.
  void merge(BeaconDetection&& other);
  // A piece of a file (FileIngest::beginChunk): fileBegin(rule, true) keeps the ActionType counts
  // of up to kMaxChunkActions names in first-seen order; fileEnd(.., true) leaves them to
  // mergeFileActions, and endChunkedFile writes the file's counts as one read would have.
  void fileBegin(const Rule& rule, bool chunk);
  void fileEnd(const Rule& rule, FileReport& report, bool chunk);
  void mergeFileActions(const BeaconDetection& chunk);
  void endChunkedFile(FileReport& report);
  static constexpr size_t kMaxChunkActions = 256;
  // --- end threads ---
  // --- workers (issue 12): the aggregates merge() reads, as bytes (wire.cpp beside this;
  // core/src/wire.hpp). load() is for a detection that read nothing; it throws WireError. ---
  void save(WireWriter& w) const;
  void load(WireReader& r);


 private:
  std::vector<std::pair<std::string, uint64_t>> fileActions_;  // threads: a chunked file's ActionType counts
  size_t actionCap_ = 16;                                       // distinct ActionType names counted by name
  struct PrevalenceEntry {
    std::unordered_set<std::string_view> devices;
    Ticks first = INT64_MAX, last = INT64_MIN;
  };
  using Prevalence = std::unordered_map<IpAddress, PrevalenceEntry, IpHash>;
  // Why a row did not reach aggregation (not a problem: the rule's own filters). Counted in an
  // array on the hot path, turned into the report's named counts when the file ends.
  enum Filter { kBeforeLookback, kOtherActionTypes, kNoRemoteIp, kIpTypeColumn, kIpTypeClassified, kExcludedProcess, kInbound, kFilterCount };
  void filteredOut(Filter f) { ++filterCounts_[f]; }
  uint64_t filterCounts_[kFilterCount] = {};
  // Distinct ActionType values filtered out in this file (bounded).
  std::vector<std::pair<std::string, uint64_t>> filteredActions_;

  int64_t binOf(const Group& g) const { return floorDiv(g.first, window_); }
  // The group for (flow key, bin); created when `create`, else null when absent.
  // `identity` (null in a collect pass) is stored with a new flow, compared with an existing one's.
  Group* findGroup(Ticks t, std::string_view device, std::string_view account, std::string_view process,
                   std::string_view cmdline, const IpAddress& ip, bool create, const ProcessIdentity* identity = nullptr);
  void aggregate(NetIngest& ctx, Ticks t, std::string_view device, std::string_view account, std::string_view process,
                 std::string_view cmdline, const IpAddress& ip, int32_t port, bool hasSent, int64_t sent,
                 bool hasReceived, int64_t received, bool seedAction, const ProcessIdentity& identity);
  void noteMixed(FlowHeader& flow, const ProcessIdentity& row);
  // The first row that disagreed with a mixed flow's identity (by flow index): for the reason.
  std::unordered_map<uint32_t, std::string> mixedNotes_;
  int riskScoreFor(const Rule& rule, int64_t count, int64_t uniquePorts, bool ti) const;
  // `known`: beyond mode's known-software finding for the row (its points and reason count), or null.
  void enrich(const FinishContext& ctx, ResultRow& row, const IpAddress& ip, const IpFacts& facts,
              const Prevalence& prevalence, uint64_t totalDevices, const KnownSoftwareFinding* known = nullptr) const;
  KnownSoftwareFinding knownSoftwareOf(uint32_t flowIndex, const IpFacts& facts, bool haveAsnDatabase,
                                       const SuppressionMatcher& marks) const;  // detections/beacon/known.cpp
  // The knownSoftware entry that names flow `fi` (-1: none; never a flow whose rows disagree).
  int markOf(uint32_t fi, const SuppressionMatcher& marks) const;
  std::vector<uint64_t> groupsOf(uint64_t id) const;

  // Aggregates
  int64_t window_ = 60 * kTicksPerMinute;  // the rule's observation window, set when a file begins
  RecordTable<FlowHeader> flows_;
  Flow flow(size_t index) const { return {&flows_.at(index)}; }
  size_t flowCount() const { return flows_.size(); }
  // Seed mode drops rows of excluded processes at ingest (the seed's where clause, before its
  // summarize) and keeps only who talked to which address, for prevalence.
  RecordTable<DeviceHeader> devices_;  // names of the devices in excludedContacts_
  ContactTable excludedContacts_;
  std::unordered_set<std::string> droppedNames_;  // lower-case names whose rows were dropped
  struct IngestName {
    std::string lower;
    bool dropped = false;  // some row of this file was dropped for it (then it is in droppedNames_)
  };
  std::vector<IngestName> ingestExcluded_[64];  // by length (< 64 bytes)
  uint64_t ingestExcludedLengths_ = 0;           // bit n: some name has n bytes (n < 64)
  bool excludedAtIngest(std::string_view process);
  void noteExcludedContact(FileIngest& file, Ticks t, std::string_view device, const IpAddress& ip);
  // rule.mode is "seed" (set when a file begins): rows of excluded processes are dropped at ingest
  // (beyond mode lets hosting and TI override the lists) and failed attempts are not read.
  bool seedMode_ = true;
  // The groups of each flow in creation order, built from the chains when finish() or detail()
  // needs them (CSR: flow i's groups are groups[start[i] .. start[i + 1])).
  struct FlowGroups {
    std::vector<uint32_t> start, groups;
    size_t builtFor = SIZE_MAX;  // groups_.size() when built
  };
  mutable FlowGroups flowGroups_;
  const FlowGroups& flowGroups() const;
  // Group indexes of flow `fi`, oldest first.
  struct GroupRange {
    const uint32_t *b, *e;
    const uint32_t* begin() const { return b; }
    const uint32_t* end() const { return e; }
    bool empty() const { return b == e; }
  };
  GroupRange groupsOfFlow(size_t fi) const {
    const FlowGroups& fg = flowGroups();
    return {fg.groups.data() + fg.start[fi], fg.groups.data() + fg.start[fi + 1]};
  }
  std::vector<Group> groups_;
  // (flow, bin) -> group, for a row out of time order: in a random-order export the walk down the
  // flow's chain (a cache miss and a division a group) was most of findGroup's time. Open addressing,
  // each slot the group's index and 32 bits of its key's hash (a probe reads no group but the one it
  // matches); at most half full. Rows, merges and loads only append groups, so the groups appended
  // since the last lookup are indexed first; reset() and merge()'s move start it again.
  struct GroupBins {
    std::vector<uint64_t> slots;  // (hash >> 32) << 32 | group index; kEmpty: none
    size_t indexed = 0;           // groups_[0, indexed) are in slots
    static constexpr uint64_t kEmpty = UINT64_MAX;
  };
  GroupBins groupBins_;
  uint32_t groupOfBin(uint32_t flow, int64_t bin);  // kNoGroup when the flow has no group in that bin
  // Collect pass: the connections of chosen groups, read from the files a second time.
  bool collecting_ = false;
  std::vector<uint8_t> collectWanted_;                       // by group index
  std::unordered_map<uint64_t, std::vector<Connection>> collected_;
  // Rows of the groups in the bin that will hold the lookback cutoff, when that is known early
  // (newest-first exports); see logForBoundary.
  std::unordered_map<uint64_t, std::vector<Connection>> boundaryLogs_;
  int64_t logBin_ = INT64_MIN;
  uint64_t logCompleteFrom_ = 0;
  void logForBoundary(const Rule& rule, Ticks maxEventTime, const Group& g, Ticks t, int64_t sent, int64_t received,
                      int32_t port, bool seedAction);
};

}  // namespace vpshunt

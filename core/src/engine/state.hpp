// Engine internals: the per-analysis state behind vpshunt::Analysis.
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

#include "engine/hash.hpp"
#include "engine/record_table.hpp"
#include "formats/encoding.hpp"
#include "formats/record.hpp"
#include "vpshunt/analysis.hpp"
#include "vpshunt/asn.hpp"
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
// by its key (4 x uint32 lengths, the four texts, 16 address bytes), so that a lookup reads one
// contiguous stretch of memory. The flow's groups form a chain (newest first) through
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
};
static_assert(sizeof(FlowHeader) == 48);
constexpr uint32_t kNoGroup = UINT32_MAX;

// A device name, interned: the key is the name.
struct DeviceHeader {
  uint64_t hash;
  uint32_t keySize;
  uint32_t index;
  const char* key() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view name() const { return {key(), keySize}; }
};

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

struct IndicatorInfo {
  bool timed = false;
  Ticks time = 0;
  bool active = true;
  std::optional<Ticks> expiration;
  std::string threatType, description;
  std::optional<int64_t> confidence;
  uint64_t order = 0;  // read order, for ties
};

// Latest indicator per address (timed and untimed kept apart: an indicator without a time is
// always inside the TI lookback and loses arg_max to any timed one).
struct IndicatorSlot {
  std::optional<IndicatorInfo> timed, untimed;
};

struct IpHash {
  size_t operator()(const IpAddress& ip) const {
    return size_t(hashBytes(std::string_view(reinterpret_cast<const char*>(ip.bytes.data()), 16), 7));
  }
};

enum class TiSource : uint8_t { NetworkIP, NetworkSourceIP, NetworkDestinationIP, NetworkCidrBlock, kCount };

class AnalysisState final : public RecordSink {
 public:
  explicit AnalysisState(Rule rule);

  // Files
  void beginFile(std::string path, FileKind kind, std::string format);
  void feed(const char* data, size_t size);
  void endFile();
  void fileError(std::string message);

  using RowCallback = std::function<void(const ResultRow&)>;
  // Rows go to onRow (when set) in the final order, and into Results::rows when keepRows.
  Results finish(std::optional<Ticks> now, const RowCallback& onRow, bool keepRows) const;
  void setNow(std::optional<Ticks> now);
  void beginCollect(const std::vector<uint64_t>& groupIds);
  void endCollect();
  Analysis::GroupDetail detail(uint64_t groupId) const;
  void reset();

  Rule rule;
  std::shared_ptr<const AsnDatabase> asnDb_;
  std::shared_ptr<const HostingList> hosting_;
  // Flow ids (beyond-mode rows) start here: far above any group index.
  static constexpr uint64_t flowIdBase() { return uint64_t(1) << 40; }
  uint64_t recordsInCurrentFile() const { return inFile_ ? reports_.back().records : 0; }
  // Rows of excluded processes were dropped at ingest (seed mode): a rule that excludes less must re-read.
  // Whether `next` keeps excluding every process whose rows were dropped so far (else the files
  // must be read again for them).
  bool excludesAllDropped(const Rule& next) const;

  // RecordSink
  void onEvent(const RawEvent& e) override;
  void onIndicator(const RawIndicator& i) override;
  void onSignIn(const RawSignIn& s) override;
  void skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) override;
  void other(std::string_view reason) override;
  void fatal(uint64_t line, uint64_t column, std::string message) override;
  void note(std::string text) override;
  void missingColumn(std::string name) override;
  FileKind kind() const override { return currentKind_; }

 private:
  void chooseReader();
  void pushToReader(const char* data, size_t size);
  void addProblem(uint64_t line, uint64_t column, std::string message);
  // skip() for a record already counted as read.
  void rejectCounted(std::string_view reason, uint64_t line, uint64_t column, std::string message);
  // Why a row did not reach aggregation (not a problem: the rule's own filters). Counted in an
  // array on the hot path, turned into the report's named counts when the file ends.
  enum Filter { kBeforeLookback, kOtherActionTypes, kNoRemoteIp, kIpTypeColumn, kIpTypeClassified, kExcludedProcess, kFilterCount };
  void filteredOut(Filter f) { ++filterCounts_[f]; }
  uint64_t filterCounts_[kFilterCount] = {};
  // The group for (flow key, bin); created when `create`, else null when absent.
  int64_t binOf(const Group& g) const { return floorDiv(g.first, rule.observationWindowMinutes * kTicksPerMinute); }
  Group* findGroup(Ticks t, std::string_view device, std::string_view account, std::string_view process,
                   std::string_view cmdline, const IpAddress& ip, bool create);
  void aggregate(Ticks t, std::string_view device, std::string_view account, std::string_view process,
                 std::string_view cmdline, const IpAddress& ip, int32_t port, bool hasSent, int64_t sent,
                 bool hasReceived, int64_t received, bool seedAction);
  struct PrevalenceEntry {
    std::unordered_set<std::string_view> devices;
    Ticks first = INT64_MAX, last = INT64_MIN;
  };
  using Prevalence = std::unordered_map<IpAddress, PrevalenceEntry, IpHash>;
  int riskScoreFor(int64_t count, int64_t uniquePorts, bool ti) const;
  void enrich(ResultRow& row, const IpAddress& ip, const Prevalence& prevalence, uint64_t totalDevices) const;
  std::vector<uint64_t> groupsOf(uint64_t id) const;
  void storeIndicator(TiSource src, const IpAddress& ip, int prefix, const IndicatorInfo& info);
  const IndicatorInfo* latestIndicator(const IpAddress& ip, Ticks now) const;

  // Current file
  bool inFile_ = false;
  bool fileFatal_ = false;
  FileKind requestedKind_ = FileKind::Auto, currentKind_ = FileKind::Auto;
  std::string requestedFormat_;
  std::string head_;       // bytes held back until the format is known
  Utf8Normalizer encoding_;  // every byte passes through here first (BOMs, UTF-16, invalid UTF-8)
  std::string converted_;
  std::unique_ptr<Reader> reader_;
  std::vector<FileReport> reports_;
  // Distinct ActionType values filtered out in this file (bounded).
  std::vector<std::pair<std::string, uint64_t>> filteredActions_;

  // Aggregates
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
  void prepareIngestExclusions();
  bool excludedAtIngest(std::string_view process);
  void noteExcludedContact(Ticks t, std::string_view device, const IpAddress& ip);
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
  bool haveEventTime_ = false;
  Ticks maxEventTime_ = 0;
  bool anyEventFile_ = false;
  std::optional<Ticks> ingestNow_;  // when set, rows at or before now - lookback are dropped at ingest
  // Collect pass: the connections of chosen groups, read from the files a second time.
  bool collecting_ = false;
  std::vector<uint8_t> collectWanted_;                       // by group index
  std::unordered_map<uint64_t, std::vector<Connection>> collected_;
  std::vector<FileReport> collectReports_;                   // reports of the collect pass (discarded)
  // Rows of the groups in the bin that will hold the lookback cutoff, when that is known early
  // (newest-first exports); see logForBoundary.
  std::unordered_map<uint64_t, std::vector<Connection>> boundaryLogs_;
  int64_t logBin_ = INT64_MIN;
  uint64_t logCompleteFrom_ = 0;
  void logForBoundary(const Group& g, Ticks t, int64_t sent, int64_t received, int32_t port, bool seedAction);

  // Threat intel
  std::unordered_map<IpAddress, IndicatorSlot, IpHash> indicators_[3];  // per TiSource (not CIDR)
  // Ranges by prefix length (128-bit sense): [0] written as addresses, [1] from NetworkCidrBlock.
  std::unordered_map<IpAddress, IndicatorSlot, IpHash> cidrs_[2][129];
  std::vector<int> cidrPrefixes_[2];
  uint64_t indicatorOrder_ = 0;
};

}  // namespace vpshunt

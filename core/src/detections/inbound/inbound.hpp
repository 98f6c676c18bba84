// The inbound detection: scanning, exploit delivery and brute force arriving from rented servers.
// One row per remote source address over the lookback: how many connections it made and how many
// were refused, how many targets (devices, or local addresses when the log has no device names)
// and target ports it reached, when, from which network, and a Score (0-100) from the evidence:
// breadth (targets, ports), brute force on remote-access ports, refusals, persistence, hosting
// category and threat intelligence. Platform addresses that probe on purpose (Azure's
// 168.63.129.16, Google's health checkers) and a lone admin or partner on one port score low.
//
// Memory per source: its hour bins (counts, first/last) and its targets and ports with a count
// each; a source whose hour straddles the lookback cutoff is recounted exactly by a collect pass.
#pragma once
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "detections/counted_set.hpp"
#include "detections/detection.hpp"
#include "detections/record_table.hpp"
#include "vpshunt/analysis.hpp"

namespace vpshunt {

const TableSchema& inboundSchema();
class WireWriter;
class WireReader;

class InboundDetection final : public Detection {
 public:
  std::string_view name() const override { return "inbound"; }
  const TableSchema& schema() const override { return inboundSchema(); }
  void reset() override;
  bool sawEvents() const override { return !sources_.empty(); }

  void fileBegin(const Rule& rule);
  void fileEnd(FileReport& report);
  // One inbound network event (the engine routes by direction).
  void ingest(const RawEvent& e, Ticks t, Outcome outcome, NetIngest& ctx);

  void finish(const FinishContext& ctx, const std::function<void(const InboundRow&)>& onRow, DetectionSummary& summary,
              Results& results) const;
  void finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& results) const override;
  static void cells(const InboundRow& r, Row& out);
  // The sources that attacked, over everything loaded (not only the lookback): attribution's
  // evidence that an unlisted AS rents servers (AttackEvidence). A source attacked when it scanned
  // (10 or more targets), brute-forced remote-access ports (rule.inbound.bruteForceMinConnections)
  // or was mostly refused (5 or more refusals, at least half of its connections). The rule's known
  // sources (platform health probes) never count. Cheap: the aggregates only, no row is made.
  void noteAttackers(const Rule& rule, const std::function<void(const IpAddress&)>& attacker) const;

  // Ids of sources (InboundRow::sourceId) start here: above the beacon's group and flow ids.
  static constexpr uint64_t idBase() { return uint64_t(1) << 41; }
  bool ownsId(uint64_t id) const { return id >= idBase() && id - idBase() < sources_.size(); }
  void beginCollect(const std::vector<uint64_t>& ids);
  void endCollect();
  Analysis::GroupDetail detail(uint64_t id) const;
  // threads (issue 12; merge.cpp beside this): adds what `other` read (same rule, neither
  // collecting) as if its rows had come after this one's; sources, names and their order as one read.
  void merge(InboundDetection&& other);
  // --- workers (issue 12): the aggregates merge() reads, as bytes (wire.cpp beside this;
  // core/src/wire.hpp). load() is for a detection that read nothing; it throws WireError. ---
  void save(WireWriter& w) const;
  void load(WireReader& r);

 private:
  struct Bin {
    int64_t bin;
    uint32_t count, refused;
    Ticks first, last;
  };
  struct Source {
    IpAddress ip;
    std::vector<Bin> bins;  // one per hour with connections, usually in time order
    CountedSet targets;     // target index -> connections
    CountedSet ports;       // local (target) port -> connections; port 65536: none
  };
  // One connection of a collected source (collect pass: the boundary recount and the detail view).
  struct Connection {
    Ticks t;
    uint32_t target;
    int32_t port;  // -1: none
    bool refused;
  };
  enum Filter { kBeforeLookback, kNoRemoteIp, kNotPublic, kFilterCount };
  uint64_t filterCounts_[kFilterCount] = {};

  uint32_t internTarget(FileIngest& file, std::string_view name);
  std::vector<std::string> targetNames(const std::vector<std::pair<uint32_t, uint32_t>>& top) const;

  std::unordered_map<IpAddress, uint32_t, IpHash> sourceIndex_;
  std::vector<Source> sources_;
  RecordTable<InternedName> targets_;
  bool anyDeviceNames_ = false;  // targets are devices (else local addresses): the reasons say which
  int64_t lookback_ = 24 * 60 * kTicksPerMinute;
  bool collecting_ = false;
  std::vector<uint8_t> collectWanted_;  // by source index
  std::unordered_map<uint32_t, std::vector<Connection>> collected_;
};

}  // namespace vpshunt

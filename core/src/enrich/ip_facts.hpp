// What is known about one remote address, computed once per address per finish and shared by
// every detection: its autonomous system and hosting attribution (ASN database + hosting list) and
// its threat-intel match (the seed's join). Detections never look these up themselves.
#pragma once
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "enrich/threat_intel.hpp"
#include "vpshunt/asn.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/rule.hpp"

namespace vpshunt {

struct IpFacts {
  // asn 0 when unknown (no database, or no announced range). Shared by every address with the same
  // attribution (IpFactsTable interns them): a million addresses hold a few thousand of these.
  const HostingAttribution& hosting;
  const IndicatorInfo* ti = nullptr;      // the latest active indicator (seed semantics), or null
  bool hostingOverridesExclusions = false;  // a listed rented server: vps, hosting or bulletproof
};

// The enrichment sources of one analysis; Facts for one finish (one `now`).
class IpFactsTable {
 public:
  // `evidence`: the addresses that attacked in the loaded data (filled by the detections that see
  // attacks before any fact is asked for), for attributions inferred from activity; may be null.
  IpFactsTable(const AsnDatabase* asnDb, const HostingList& hosting, const ThreatIntel& intel, const Rule& rule, Ticks now,
               const AttackEvidence* evidence = nullptr)
      : asnDb_(asnDb), hosting_(hosting), intel_(intel), rule_(rule), now_(now), evidence_(evidence) {}
  // The facts of `ip`; the reference stays valid for the table's life.
  const IpFacts& get(const IpAddress& ip);
  const IndicatorInfo* ti(const IpAddress& ip) const { return intel_.latest(ip, now_, rule_); }
  bool haveAsnDatabase() const { return asnDb_ != nullptr; }
  const AsnDatabase* asnDatabase() const { return asnDb_; }
  const HostingList& hostingList() const { return hosting_; }
  const AttackEvidence* attackEvidence() const { return evidence_; }
  Ticks now() const { return now_; }

 private:
  const AsnDatabase* asnDb_;
  const HostingList& hosting_;
  const ThreatIntel& intel_;
  const Rule& rule_;
  Ticks now_;
  const AttackEvidence* evidence_;
  struct AttributionHash {
    size_t operator()(const HostingAttribution& a) const noexcept;
  };
  struct AttributionEqual {
    bool operator()(const HostingAttribution& a, const HostingAttribution& b) const noexcept;
  };
  // Node-based, so that the references handed out stay valid as they grow.
  std::unordered_set<HostingAttribution, AttributionHash, AttributionEqual> attributions_;
  std::unordered_map<IpAddress, IpFacts, IpHash> cache_;
};

}  // namespace vpshunt

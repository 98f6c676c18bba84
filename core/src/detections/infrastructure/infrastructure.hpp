// The infrastructure detection: the attacker's rented estate, seen across the three traces. The
// rows of beacon, inbound and signin are rolled up per network — the ASN-announced range that
// holds the row's remote address when that range is no larger than a /24 (IPv4) or /48 (IPv6),
// else the address's /24 or /48 — into one row per network: its addresses, which detections saw
// it and the counts behind each, a Score (0-100) and Reasons.
//
// Evidence from two traces in one network outranks more of one: the Score is a base for the number
// of traces (a beacon row always counts; an inbound or signin row from rule.infrastructure
// .traceMinScore), plus a share of the best evidence and of the network's breadth, weighted so that
// any network with two traces ranks above any with one. A network's sign-ins are also scored
// together, with the signin detection's own function, so that a spray spread thin over many
// addresses of one provider (no address standing out alone) surfaces here.
//
// Memory: per network and per address of a network, plus one (detection, row key) reference per
// contributing row (the rows behind a network: Analysis::infrastructureMembers). The other
// detections hand their rows to a NetworkRollup as they are made; nothing re-reads the files.
#pragma once
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "detections/detection.hpp"
#include "detections/signin/signin.hpp"
#include "vpshunt/analysis.hpp"

namespace vpshunt {

const TableSchema& infrastructureSchema();

// The network an address is rolled up into: base address and prefix (in the IPv6 sense: IPv4 /24
// is 120), from the ASN database's range when there is one. "51.38.10.0/24", "2a03:b0c0:3::/48".
struct NetworkKey {
  IpAddress base;
  int prefix128 = 128;
  bool operator==(const NetworkKey& o) const { return base == o.base && prefix128 == o.prefix128; }
  std::string text() const;
};
NetworkKey networkOf(const AsnDatabase* db, const IpAddress& ip, const InfrastructureRule& rule);

// The rows of one finish, rolled up per network as the detections make them.
class NetworkRollup {
 public:
  NetworkRollup(const FinishContext& ctx, const SignInDetection& signin);
  void addBeacon(const ResultRow& r);
  void addInbound(const InboundRow& r);
  void addSignIn(const SignInRow& r, const SignInContribution& c);
  size_t networkCount() const { return nets_.size(); }

 private:
  friend class InfrastructureDetection;
  enum Trace : uint8_t { kBeacon, kInbound, kSignIn, kTraces };
  struct Address {
    IpAddress ip;
    std::string text;
    int best = -1;  // the best score of a row for it
  };
  struct UserTotals {
    uint32_t failures = 0, successes = 0;
  };
  struct Network {
    NetworkKey key;
    std::vector<Address> addresses;
    // Built once a network has kLinearAddresses addresses (most hold one: a scan from a million
    // sources makes a million networks, each of which would otherwise carry a hash table).
    std::unordered_map<IpAddress, uint32_t, IpHash> addressIndex;
    uint64_t rows[kTraces] = {0, 0, 0};
    int best[kTraces] = {-1, -1, -1};
    std::unordered_set<std::string> devices;  // beacon rows' devices
    uint64_t inboundConnections = 0;
    // The network's sign-ins, summed over its addresses.
    uint64_t attempts = 0, failures = 0, successes = 0, interrupted = 0;
    Ticks first = INT64_MAX, last = INT64_MIN;
    std::unordered_map<uint32_t, UserTotals> users;          // by the signin detection's user id
    std::unordered_map<uint32_t, uint32_t> reasons;          // code id -> failures
    std::vector<SignInEvidence::Found> found;                // a user signed in after failures (per address)
    const IndicatorInfo* ti = nullptr;                       // some address of it matched TI
    uint32_t logAsn = 0;                                     // a signin row's ASN, for a run without database
    std::string logOrg;
    std::vector<std::pair<Trace, uint64_t>> members;         // (detection, row key) of every row behind it
  };
  Network& at(const std::string& remoteIp, int score, Trace trace, uint64_t key);

  const FinishContext& ctx_;
  const SignInDetection& signin_;
  struct KeyHash {
    size_t operator()(const NetworkKey& k) const noexcept { return IpHash{}(k.base) * 31 + size_t(k.prefix128); }
  };
  static constexpr size_t kLinearAddresses = 8;
  std::unordered_map<NetworkKey, uint32_t, KeyHash> index_;
  std::deque<Network> nets_;  // a deque: growing never moves (or briefly doubles) a million networks
};

class InfrastructureDetection final : public Detection {
 public:
  // It reads no events: it saw events when one of the detections it rolls up did.
  InfrastructureDetection(const Detection& beacon, const Detection& inbound, const Detection& signin)
      : beacon_(beacon), inbound_(inbound), signin_(signin) {}
  std::string_view name() const override { return "infrastructure"; }
  const TableSchema& schema() const override { return infrastructureSchema(); }
  void reset() override {
    members_.clear();
    memberStart_.clear();
  }
  bool sawEvents() const override { return beacon_.sawEvents() || inbound_.sawEvents() || signin_.sawEvents(); }

  // The rows from ctx.rollup (which must be set), in order: Score desc, IPCount desc, Network.
  void finish(const FinishContext& ctx, const std::function<void(const InfrastructureRow&)>& onRow, DetectionSummary& summary,
              Results& results) const;
  void finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& results) const override;
  static void cells(const InfrastructureRow& r, Row& out);

  // Row keys (InfrastructureRow::networkId) start here: above the signin detection's.
  static constexpr uint64_t idBase() { return uint64_t(1) << 43; }
  // The rows behind a network of the last finish (in the order they were made: beacon, inbound,
  // signin, each in its own order); empty for a key it does not know.
  std::vector<Analysis::RowRef> members(uint64_t key) const;

 private:
  const Detection &beacon_, &inbound_, &signin_;
  struct Member {
    uint8_t trace;
    uint64_t key;
  };
  // By network id, as of the last finish: network ni's members are members_[memberStart_[ni] ..
  // memberStart_[ni + 1]) (one allocation for all, not one per network).
  mutable std::vector<Member> members_;
  mutable std::vector<uint64_t> memberStart_;
};

}  // namespace vpshunt

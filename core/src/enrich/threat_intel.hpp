// Threat-intelligence indicators: the one owner of what the intel files said. Indicators are kept
// per address (latest per NetworkIP, as the seed's arg_max) and per range; the seed's join asks for
// the latest indicator of an address within the TI lookback, active.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "detections/hash.hpp"
#include "formats/record.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/results.hpp"
#include "vpshunt/rule.hpp"

namespace vpshunt {

struct IndicatorInfo {
  bool timed = false;
  Ticks time = 0;
  bool active = true;
  std::optional<Ticks> expiration;
  std::string threatType, description;
  std::optional<int64_t> confidence;
  uint64_t order = 0;  // read order, for ties
};

struct IpHash {
  size_t operator()(const IpAddress& ip) const {
    return size_t(hashBytes(std::string_view(reinterpret_cast<const char*>(ip.bytes.data()), 16), 7));
  }
};

class ThreatIntel {
 public:
  // One intel record: parsed (times, flags, numbers, addresses), counted in `report`, its problems
  // reported through `sink` (skip / other) with the record's line and column.
  void add(const RawIndicator& r, RecordSink& sink, FileReport& report);
  // The seed's join: the latest indicator for `ip` with TimeGenerated within the TI lookback of
  // `now` (untimed indicators always count and lose to timed ones), if that one is active (and,
  // when the rule says so, not expired). Extra match fields and ranges as the rule asks.
  const IndicatorInfo* latest(const IpAddress& ip, Ticks now, const Rule& rule) const;
  void clear();

 private:
  enum class Source : uint8_t { NetworkIP, NetworkSourceIP, NetworkDestinationIP, NetworkCidrBlock };
  // Latest indicator per address (timed and untimed kept apart: an indicator without a time is
  // always inside the TI lookback and loses arg_max to any timed one).
  struct Slot {
    std::optional<IndicatorInfo> timed, untimed;
  };
  void store(Source src, const IpAddress& ip, int prefix, const IndicatorInfo& info);

  std::unordered_map<IpAddress, Slot, IpHash> byAddress_[3];  // per Source (not CIDR)
  // Ranges by prefix length (128-bit sense): [0] written as addresses, [1] from NetworkCidrBlock.
  std::unordered_map<IpAddress, Slot, IpHash> ranges_[2][129];
  std::vector<int> prefixes_[2];
  uint64_t order_ = 0;
};

}  // namespace vpshunt

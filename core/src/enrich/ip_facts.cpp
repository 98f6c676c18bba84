#include "enrich/ip_facts.hpp"

namespace vpshunt {

const IpFacts& IpFactsTable::get(const IpAddress& ip) {
  auto& slot = cache_[ip];
  if (slot) return *slot;
  slot = std::make_unique<IpFacts>();
  IpFacts& f = *slot;
  if (asnDb_) {
    f.hosting = attribute(*asnDb_, hosting_, ip);
    // Not the hyperscalers' shared ASNs ("cloud"): they also carry the vendors' own services,
    // which browsers and system processes talk to all day.
    f.hostingOverridesExclusions = f.hosting.isHosting && f.hosting.category != HostingCategory::Cloud;
  }
  f.ti = intel_.latest(ip, now_, rule_);
  return f;
}

}  // namespace vpshunt

#include "enrich/ip_facts.hpp"

namespace vpshunt {

const IpFacts& IpFactsTable::get(const IpAddress& ip) {
  auto& slot = cache_[ip];
  if (slot) return *slot;
  slot = std::make_unique<IpFacts>();
  IpFacts& f = *slot;
  if (asnDb_) {
    f.hosting = attribute(*asnDb_, hosting_, ip, evidence_);
    // Rented servers on a list (vps, hosting, bulletproof). Not cloud (browsers and system
    // processes talk to the hyperscalers' own services all day), vpn or proxy (a device on a VPN
    // or behind a security proxy sends everything, browsers included, to its exit), nor inferred
    // ASNs (too weak to unhide them).
    const HostingCategory c = f.hosting.category;
    f.hostingOverridesExclusions = f.hosting.isHosting && f.hosting.confidence == HostingConfidence::Listed &&
                                   (c == HostingCategory::Vps || c == HostingCategory::Hosting || c == HostingCategory::Bulletproof);
  }
  f.ti = intel_.latest(ip, now_, rule_);
  return f;
}

}  // namespace vpshunt

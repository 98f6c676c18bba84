#include "enrich/ip_facts.hpp"

#include <functional>

namespace vpshunt {

size_t IpFactsTable::AttributionHash::operator()(const HostingAttribution& a) const noexcept {
  const std::hash<std::string> h;
  size_t v = std::hash<uint32_t>{}(a.asn);
  for (const std::string* s : {&a.org, &a.provider, &a.source, &a.reason}) v = v * 1000003u ^ h(*s);
  return v * 31 + size_t(a.isHosting) * 7 + size_t(a.category) * 3 + size_t(a.confidence);
}

bool IpFactsTable::AttributionEqual::operator()(const HostingAttribution& a, const HostingAttribution& b) const noexcept {
  return a.asn == b.asn && a.isHosting == b.isHosting && a.category == b.category && a.confidence == b.confidence &&
         a.org == b.org && a.provider == b.provider && a.source == b.source && a.reason == b.reason;
}

const IpFacts& IpFactsTable::get(const IpAddress& ip) {
  if (auto it = cache_.find(ip); it != cache_.end()) return it->second;
  const HostingAttribution& hosting =
      *attributions_.insert(asnDb_ ? attribute(*asnDb_, hosting_, ip, evidence_) : HostingAttribution()).first;
  IpFacts& f = cache_.emplace(ip, IpFacts{hosting}).first->second;
  if (asnDb_) {
    // Rented servers on a list (vps, hosting, bulletproof). Not cloud (browsers and system
    // processes talk to the hyperscalers' own services all day), vpn or proxy (a device on a VPN
    // or behind a security proxy sends everything, browsers included, to its exit), nor inferred
    // ASNs (too weak to unhide them).
    const HostingCategory c = hosting.category;
    f.hostingOverridesExclusions = hosting.isHosting && hosting.confidence == HostingConfidence::Listed &&
                                   (c == HostingCategory::Vps || c == HostingCategory::Hosting || c == HostingCategory::Bulletproof);
  }
  f.ti = intel_.latest(ip, now_, rule_);
  return f;
}

}  // namespace vpshunt

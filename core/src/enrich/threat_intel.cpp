#include "enrich/threat_intel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>

#include "events/values.hpp"

namespace vpshunt {

void ThreatIntel::clear() {
  for (auto& m : byAddress_) m.clear();
  for (auto& set : ranges_)
    for (auto& m : set) m.clear();
  for (auto& p : prefixes_) p.clear();
  order_ = 0;
}

void ThreatIntel::add(const RawIndicator& r, RecordSink& sink, FileReport& rep) {
  IndicatorInfo info;
  if (r.hasTime) {
    info.timed = true;
    info.time = r.time;
  } else if (r.has(IntelField::TimeGenerated)) {
    std::string_view ts = trimValue(r.get(IntelField::TimeGenerated));
    if (!ts.empty()) {
      if (!parseAnyTime(ts, info.time)) {
        sink.skip("unparseable TimeGenerated", r.line, r.column[size_t(IntelField::TimeGenerated)],
             "expected an ISO 8601 time in TimeGenerated, found " + quoteForMessage(ts));
        return;
      }
      info.timed = true;
    }
  }
  if (r.has(IntelField::Active)) {
    std::string_view a = trimValue(r.get(IntelField::Active));
    if (!parseBoolText(a, info.active)) {
      sink.skip("unparseable Active", r.line, r.column[size_t(IntelField::Active)],
           "expected True or False in Active, found " + quoteForMessage(a));
      return;
    }
  }
  if (r.has(IntelField::ConfidenceScore)) {
    std::string_view c = trimValue(r.get(IntelField::ConfidenceScore));
    int64_t v;
    if (!c.empty()) {
      if (parseInt64(c, v)) info.confidence = v;
      else {
        double d;
        char* endp = nullptr;
        std::string tmp(c);
        d = std::strtod(tmp.c_str(), &endp);
        if (endp && *endp == 0) info.confidence = int64_t(std::llround(d));
        else {
          sink.skip("unparseable ConfidenceScore", r.line, r.column[size_t(IntelField::ConfidenceScore)],
               "expected a number in ConfidenceScore, found " + quoteForMessage(c));
          return;
        }
      }
    }
  }
  if (r.has(IntelField::ExpirationDateTime)) {
    std::string_view x = trimValue(r.get(IntelField::ExpirationDateTime));
    Ticks xt;
    if (!x.empty()) {
      if (parseAnyTime(x, xt)) info.expiration = xt;
      else {
        sink.skip("unparseable ExpirationDateTime", r.line, r.column[size_t(IntelField::ExpirationDateTime)],
             "expected an ISO 8601 time in ExpirationDateTime, found " + quoteForMessage(x));
        return;
      }
    }
  }
  info.threatType = std::string(trimValue(r.get(IntelField::ThreatType)));
  info.description = std::string(trimValue(r.get(IntelField::Description)));

  static constexpr IntelField ipFields[] = {IntelField::NetworkIP, IntelField::NetworkSourceIP,
                                            IntelField::NetworkDestinationIP, IntelField::NetworkCidrBlock};
  struct Parsed {
    Source src;
    IpAddress ip;
    int prefix;
  } parsed[4];
  int nParsed = 0;
  for (int k = 0; k < 4; ++k) {
    IntelField f = ipFields[k];
    if (!r.has(f)) continue;
    std::string_view v = trimValue(r.get(f));
    if (v.empty()) continue;
    IpAddress ip;
    int prefix = 128;
    bool ok = f == IntelField::NetworkCidrBlock ? parseCidr(v, ip, prefix) : parseIp(v, ip);
    if (!ok && f != IntelField::NetworkCidrBlock && v.find('/') != std::string_view::npos && parseCidr(v, ip, prefix)) ok = true;
    if (!ok) {
      sink.skip("unparseable " + std::string(intelFieldName(f)), r.line, r.column[size_t(f)],
           std::string("expected an IP address in ") + std::string(intelFieldName(f)) + ", found " + quoteForMessage(v));
      return;
    }
    parsed[nParsed++] = {static_cast<Source>(k), ip, prefix};
  }
  if (nParsed == 0) {
    sink.other("indicator without an IP address (domain, URL, hash, ...)");
    return;
  }
  ++rep.records;
  ++rep.kept;
  info.order = ++order_;
  for (int k = 0; k < nParsed; ++k) store(parsed[k].src, parsed[k].ip, parsed[k].prefix, info);
}

void ThreatIntel::store(Source src, const IpAddress& ip, int prefix, const IndicatorInfo& info) {
  Slot* slot;
  if (prefix < 128 || src == Source::NetworkCidrBlock) {
    // Ranges, keyed by (prefix, network): from NetworkCidrBlock (matched only when the rule asks),
    // or written where an address belongs (a plain list's or a STIX pattern's CIDR; always matched).
    int set = src == Source::NetworkCidrBlock ? 1 : 0;
    auto& m = ranges_[set][prefix];
    if (m.empty()) {
      prefixes_[set].push_back(prefix);
      std::sort(prefixes_[set].begin(), prefixes_[set].end(), std::greater<int>());
    }
    slot = &m[ip];
  } else {
    slot = &byAddress_[static_cast<int>(src)][ip];
  }
  auto& target = info.timed ? slot->timed : slot->untimed;
  if (!target || !info.timed || info.time >= target->time) target = info;
}

const IndicatorInfo* ThreatIntel::latest(const IpAddress& ip, Ticks now, const Rule& rule) const {
  const Ticks tiCutoff = now - rule.tiLookbackMinutes * kTicksPerMinute;
  bool useSrc[3] = {true, false, false};
  bool useCidrSet[2] = {true, false};  // ranges given as addresses (plain lists, STIX) always count
  for (const auto& f : rule.tiExtraMatchFields) {
    if (f == "NetworkSourceIP") useSrc[1] = true;
    if (f == "NetworkDestinationIP") useSrc[2] = true;
    if (f == "NetworkCidrBlock") useCidrSet[1] = true;
  }
  const IndicatorInfo* best = nullptr;
  auto consider = [&](const Slot& s) {
    // arg_max(TimeGenerated) among indicators with TimeGenerated > now - TI lookback; untimed
    // indicators are always inside the lookback and lose to any timed one.
    if (s.timed && s.timed->time > tiCutoff) {
      if (!best || !best->timed || s.timed->time > best->time || (s.timed->time == best->time && s.timed->order > best->order))
        best = &*s.timed;
    } else if (s.untimed) {
      if (!best || (!best->timed && s.untimed->order > best->order)) best = &*s.untimed;
    }
  };
  for (int k = 0; k < 3; ++k) {
    if (!useSrc[k]) continue;
    auto it = byAddress_[k].find(ip);
    if (it != byAddress_[k].end()) consider(it->second);
  }
  for (int set = 0; set < 2; ++set) {
    if (!useCidrSet[set]) continue;
    for (int prefix : prefixes_[set]) {
      IpAddress key = ip;
      for (int bit = prefix; bit < 128; ++bit) key.bytes[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
      auto it = ranges_[set][prefix].find(key);
      if (it != ranges_[set][prefix].end()) consider(it->second);
    }
  }
  if (!best || !best->active) return nullptr;
  if (rule.tiHonourExpiration && best->expiration && *best->expiration < now) return nullptr;
  return best;
}

}  // namespace vpshunt

#include "formats/zeek_conn.hpp"

#include <cstdlib>
#include <string>

#include "vpshunt/ip.hpp"

namespace vpshunt::zeek {

namespace {

constexpr std::string_view kFieldNames[kFieldCount] = {
    "ts",         "id.orig_h",  "id.orig_p",  "id.resp_h",  "id.resp_p", "conn_state",
    "local_orig", "local_resp", "orig_bytes", "resp_bytes", "resp_pkts",
};

bool isPublic(std::string_view text) {
  IpAddress ip;
  return parseIp(text, ip) && classifyIp(ip) == IpType::Public;
}

}  // namespace

std::string_view fieldName(Field f) { return kFieldNames[f]; }

int fieldByName(std::string_view name) {
  for (int f = 0; f < kFieldCount; ++f)
    if (name == kFieldNames[f]) return f;
  return -1;
}

bool parseEpochSeconds(std::string_view s, Ticks& out, Exponent exponent) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  int64_t whole = 0;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (whole > 900'000'000'000LL) return false;  // beyond any sensible time
    whole = whole * 10 + (s[i] - '0');
    ++i;
    ++digits;
  }
  int64_t frac = 0;
  int fracDigits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (fracDigits < 7) {
        frac = frac * 10 + (s[i] - '0');
        ++fracDigits;
      }
      ++i;
    }
  }
  if (digits == 0 || whole > 900'000'000'000LL) return false;  // beyond year 30,000: ticks would overflow
  if (i != s.size()) {
    // Exponent form: rare; go through double (microsecond precision is plenty there).
    if (exponent != Exponent::Allow || (s[i] != 'e' && s[i] != 'E')) return false;
    std::string tmp(s);
    char* end = nullptr;
    double d = std::strtod(tmp.c_str(), &end);
    if (end != tmp.c_str() + tmp.size() || !(d > -1e11 && d < 1e11)) return false;
    out = static_cast<Ticks>(d * 1e7);
    return true;
  }
  while (fracDigits < 7) {
    frac *= 10;
    ++fracDigits;
  }
  Ticks t = whole * kTicksPerSecond + frac;
  out = neg ? -t : t;
  return true;
}

bool remoteIsOriginator(Flag localOrig, Flag localResp, std::string_view origH, std::string_view respH) {
  if (localOrig == Flag::True) return false;
  if (localOrig == Flag::False && localResp != Flag::False) return true;
  return !isPublic(respH) && isPublic(origH);
}

StateGroup stateGroup(std::string_view st) {
  if (st == "SF" || st == "S1" || st == "S2" || st == "S3" || st == "RSTO" || st == "RSTR") return StateGroup::Established;
  if (st == "S0" || st == "REJ" || st == "SH" || st == "RSTOS0") return StateGroup::Failed;
  if (st == "OTH" || st == "SHR" || st == "RSTRH") return StateGroup::NoSyn;
  return StateGroup::Unknown;
}

void announceConnLog(RecordSink& sink, bool hasLocalOrig) {
  sink.note("Zeek conn log: no device names; the local-side address stands for DeviceName");
  sink.missingColumn("InitiatingProcessFileName");
  sink.missingColumn("InitiatingProcessAccountName");
  sink.missingColumn("InitiatingProcessCommandLine");
  if (!hasLocalOrig)
    sink.note("Zeek conn log without local_orig: the responder is taken as the remote side unless it is a "
              "non-public address and the originator a public one");
}

}  // namespace vpshunt::zeek

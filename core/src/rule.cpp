#include "vpshunt/rule.hpp"

#include <nlohmann/json.hpp>

#include "tuning/suppressions_json.hpp"
#include "vpshunt/ip.hpp"

namespace vpshunt {

// The seed's two lists, exactly as SEED_RULE.kql publishes them (ExcludedBrowsers,
// ExcludedSystemProcesses): the same rule run in Sentinel must report the same rows.
const std::vector<std::string>& seedBrowserProcesses() {
  static const std::vector<std::string> v{"chrome.exe",  "firefox.exe", "msedge.exe", "microsoftedgecp.exe", "iexplore.exe",
                                          "brave.exe",   "opera.exe",   "safari.exe", "waterfox.exe"};
  return v;
}
const std::vector<std::string>& seedSystemProcesses() {
  static const std::vector<std::string> v{"svchost.exe", "wuauclt.exe", "trustedinstaller.exe", "msiexec.exe",
                                          "MsMpEng.exe", "ccmexec.exe", "onedrive.exe",         "teams.exe"};
  return v;
}
// The opt-in "extended" preset: the seed's lists plus more browsers and the Windows and Defender
// processes that talk to Microsoft all day. A tuning choice: it hides an lsass.exe beacon.
const std::vector<std::string>& extendedBrowserProcesses() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out = seedBrowserProcesses();
    for (const char* n : {"vivaldi.exe", "msedgewebview2.exe"}) out.push_back(n);
    return out;
  }();
  return v;
}
const std::vector<std::string>& extendedSystemProcesses() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out = seedSystemProcesses();
    for (const char* n : {"system", "lsass.exe", "services.exe", "wininit.exe", "csrss.exe", "smss.exe", "mssense.exe",
                          "sensecncproxy.exe", "senseir.exe", "searchapp.exe", "backgroundtaskhost.exe", "wmiprvse.exe"})
      out.push_back(n);
    return out;
  }();
  return v;
}

std::string exclusionPresetName(const Rule& r) {
  if (r.browserProcesses == seedBrowserProcesses() && r.systemProcesses == seedSystemProcesses()) return "seed";
  if (r.browserProcesses == extendedBrowserProcesses() && r.systemProcesses == extendedSystemProcesses()) return "extended";
  return "custom";
}

Rule::Rule()
    : browserProcesses(seedBrowserProcesses()),
      systemProcesses(seedSystemProcesses()),
      actionTypes{"ConnectionSuccess", "NetworkSignatureInspected"},
      riskScore{{true, 20, std::nullopt, 95},         {true, 12, std::nullopt, 80},
                {true, std::nullopt, std::nullopt, 65}, {std::nullopt, 30, 1, 60},
                {std::nullopt, 20, 2, 45},              {std::nullopt, 12, std::nullopt, 30}} {}

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw RuleError("rule: \"" + key + "\" " + what);
}

std::vector<std::string> stringList(const json& v, const std::string& key) {
  if (!v.is_array()) bad(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) bad(key, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

int64_t integer(const json& v, const std::string& key, int64_t min, int64_t max) {
  if (!v.is_number_integer() && !v.is_number_unsigned()) bad(key, "must be a whole number");
  int64_t x = v.get<int64_t>();
  if (x < min || x > max)
    bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return x;
}

InboundRule inboundFromJson(const json& v) {
  const std::string k = "inbound";
  if (!v.is_object()) bad(k, "must be an object");
  InboundRule r;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string key = k + "." + it.key();
    const json& x = it.value();
    if (it.key() == "lookbackMinutes") r.lookbackMinutes = integer(x, key, 1, 100LL * 366 * 24 * 60);
    else if (it.key() == "minConnections") r.minConnections = integer(x, key, 1, 1'000'000'000);
    else if (it.key() == "bruteForceMinConnections") r.bruteForceMinConnections = integer(x, key, 1, 1'000'000'000);
    else if (it.key() == "adminPorts") {
      if (!x.is_array()) bad(key, "must be an array of port numbers");
      r.adminPorts.clear();
      for (const auto& p : x) r.adminPorts.push_back(integer(p, key, 0, 65535));
    } else if (it.key() == "knownSources") {
      if (!x.is_array()) bad(key, "must be an array of {cidr, name}");
      r.knownSources.clear();
      for (size_t i = 0; i < x.size(); ++i) {
        const std::string where = key + "[" + std::to_string(i) + "]";
        const json& e = x[i];
        if (!e.is_object() || !e.contains("cidr") || !e["cidr"].is_string()) bad(where, "must be {\"cidr\": \"a.b.c.d/n\", \"name\": \"...\"}");
        InboundRule::KnownSource ks;
        ks.cidr = e["cidr"].get<std::string>();
        IpAddress ip;
        int prefix;
        if (!parseCidr(ks.cidr, ip, prefix) && !parseIp(ks.cidr, ip)) bad(where + ".cidr", "must be an address or CIDR, not \"" + ks.cidr + "\"");
        for (auto f = e.begin(); f != e.end(); ++f) {
          if (f.key() == "name") {
            if (!f.value().is_string()) bad(where + ".name", "must be a string");
            ks.name = f.value().get<std::string>();
          } else if (f.key() != "cidr") {
            bad(where + "." + f.key(), "is not a known key (cidr, name)");
          }
        }
        r.knownSources.push_back(std::move(ks));
      }
    } else {
      bad(key, "is not a known rule key");
    }
  }
  return r;
}

json inboundToJson(const InboundRule& r) {
  json known = json::array();
  for (const auto& k : r.knownSources) known.push_back({{"cidr", k.cidr}, {"name", k.name}});
  json j = json::object();
  j["lookbackMinutes"] = r.lookbackMinutes;
  j["minConnections"] = r.minConnections;
  j["adminPorts"] = r.adminPorts;
  j["bruteForceMinConnections"] = r.bruteForceMinConnections;
  j["knownSources"] = known;
  return j;
}

SignInRule signinFromJson(const json& v) {
  const std::string k = "signin";
  if (!v.is_object()) bad(k, "must be an object");
  SignInRule r;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string key = k + "." + it.key();
    const json& x = it.value();
    const std::string& n = it.key();
    if (n == "lookbackMinutes") r.lookbackMinutes = integer(x, key, 1, 100LL * 366 * 24 * 60);
    else if (n == "minAttempts") r.minAttempts = integer(x, key, 1, 1'000'000'000);
    else if (n == "sprayMinUsers") r.sprayMinUsers = integer(x, key, 2, 1'000'000'000);
    else if (n == "sprayMinFailurePercent") r.sprayMinFailurePercent = integer(x, key, 0, 100);
    else if (n == "bruteForceMinFailures") r.bruteForceMinFailures = integer(x, key, 1, 1'000'000'000);
    else if (n == "compromiseMinFailures") r.compromiseMinFailures = integer(x, key, 1, 1'000'000'000);
    else if (n == "egressMinUsers") r.egressMinUsers = integer(x, key, 2, 1'000'000'000);
    else if (n == "egressMaxFailurePercent") r.egressMaxFailurePercent = integer(x, key, 0, 100);
    else if (n == "codeWords") {
      if (!x.is_object()) bad(key, "must be an object of code: words");
      for (auto c = x.begin(); c != x.end(); ++c) {
        if (!c.value().is_string()) bad(key + "." + c.key(), "must be a string");
        if (c.key().empty()) bad(key, "may not have an empty code");
        r.codeWords.push_back({c.key(), c.value().get<std::string>()});
      }
    } else {
      bad(key, "is not a known rule key");
    }
  }
  return r;
}

json signinToJson(const SignInRule& r) {
  json words = json::object();
  for (const auto& w : r.codeWords) words[w.code] = w.words;
  json j = json::object();
  j["lookbackMinutes"] = r.lookbackMinutes;
  j["minAttempts"] = r.minAttempts;
  j["sprayMinUsers"] = r.sprayMinUsers;
  j["sprayMinFailurePercent"] = r.sprayMinFailurePercent;
  j["bruteForceMinFailures"] = r.bruteForceMinFailures;
  j["compromiseMinFailures"] = r.compromiseMinFailures;
  j["egressMinUsers"] = r.egressMinUsers;
  j["egressMaxFailurePercent"] = r.egressMaxFailurePercent;
  j["codeWords"] = words;
  return j;
}

InfrastructureRule infrastructureFromJson(const json& v) {
  const std::string k = "infrastructure";
  if (!v.is_object()) bad(k, "must be an object");
  InfrastructureRule r;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string key = k + "." + it.key();
    const json& x = it.value();
    const std::string& n = it.key();
    if (n == "traceMinScore") r.traceMinScore = integer(x, key, 0, 100);
    else if (n == "ipv4Prefix") r.ipv4Prefix = integer(x, key, 8, 32);
    else if (n == "ipv6Prefix") r.ipv6Prefix = integer(x, key, 16, 128);
    else if (n == "distributedMinAddresses") r.distributedMinAddresses = integer(x, key, 2, 1'000'000'000);
    else bad(key, "is not a known rule key");
  }
  return r;
}

json infrastructureToJson(const InfrastructureRule& r) {
  json j = json::object();
  j["traceMinScore"] = r.traceMinScore;
  j["ipv4Prefix"] = r.ipv4Prefix;
  j["ipv6Prefix"] = r.ipv6Prefix;
  j["distributedMinAddresses"] = r.distributedMinAddresses;
  return j;
}

}  // namespace

Rule ruleFromJson(const json& j) {
  if (!j.is_object()) throw RuleError("rule: expected a JSON object");
  Rule r;
  // A preset names the two lists; explicit lists given beside it win (they are read after it).
  if (auto preset = j.find("exclusionPreset"); preset != j.end()) {
    const std::string k = "exclusionPreset";
    if (!preset->is_string()) bad(k, "must be \"seed\", \"extended\" or \"custom\"");
    const std::string name = preset->get<std::string>();
    if (name == "extended") {
      r.browserProcesses = extendedBrowserProcesses();
      r.systemProcesses = extendedSystemProcesses();
    } else if (name != "seed" && name != "custom") {
      bad(k, "must be \"seed\", \"extended\" or \"custom\"");
    }
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "exclusionPreset") continue;  // read above
    if (k == "inbound") r.inbound = inboundFromJson(v);
    else if (k == "signin") r.signin = signinFromJson(v);
    else if (k == "infrastructure") r.infrastructure = infrastructureFromJson(v);
    else if (k == "browserProcesses") r.browserProcesses = stringList(v, k);
    else if (k == "systemProcesses") r.systemProcesses = stringList(v, k);
    else if (k == "actionTypes") r.actionTypes = stringList(v, k);
    else if (k == "tiExtraMatchFields") {
      r.tiExtraMatchFields = stringList(v, k);
      for (const auto& f : r.tiExtraMatchFields)
        if (f != "NetworkSourceIP" && f != "NetworkDestinationIP" && f != "NetworkCidrBlock")
          bad(k, "may name NetworkSourceIP, NetworkDestinationIP, NetworkCidrBlock; not \"" + f + "\"");
    } else if (k == "mode") {
      if (!v.is_string() || (v.get<std::string>() != "seed" && v.get<std::string>() != "beyond"))
        bad(k, "must be \"seed\" or \"beyond\"");
      r.mode = v.get<std::string>();
    } else if (k == "beyondMinConnections") {
      r.beyondMinConnections = integer(v, k, 3, 1'000'000'000);
    } else if (k == "beyondMinPeriodicity") {
      if (!v.is_number()) bad(k, "must be a number between 0 and 1");
      r.beyondMinPeriodicity = v.get<double>();
      if (r.beyondMinPeriodicity < 0 || r.beyondMinPeriodicity > 1) bad(k, "must be a number between 0 and 1");
    } else if (k == "beyondExtraActionTypes") {
      r.beyondExtraActionTypes = stringList(v, k);
    } else if (k == "hostingOverridesExclusions") {
      if (!v.is_boolean()) bad(k, "must be true or false");
      r.hostingOverridesExclusions = v.get<bool>();
    } else if (k == "tiHonourExpiration") {
      if (!v.is_boolean()) bad(k, "must be true or false");
      r.tiHonourExpiration = v.get<bool>();
    }
    else if (k == "remoteIpType") {
      if (!v.is_string()) bad(k, "must be a string");
      r.remoteIpType = v.get<std::string>();
    } else if (k == "beaconMinConnections") r.beaconMinConnections = integer(v, k, 1, 1'000'000'000);
    else if (k == "observationWindowMinutes") r.observationWindowMinutes = integer(v, k, 1, 366 * 24 * 60);
    else if (k == "lookbackMinutes") r.lookbackMinutes = integer(v, k, 1, 100LL * 366 * 24 * 60);
    else if (k == "tiLookbackMinutes") r.tiLookbackMinutes = integer(v, k, 1, 100LL * 366 * 24 * 60);
    else if (k == "defaultRiskScore") r.defaultRiskScore = int(integer(v, k, 0, 100));
    else if (k == "riskScore") {
      if (!v.is_array()) bad(k, "must be an array of {tiMatch?, minConnections?, maxUniquePorts?, score}");
      r.riskScore.clear();
      for (size_t i = 0; i < v.size(); ++i) {
        const json& row = v[i];
        std::string where = k + "[" + std::to_string(i) + "]";
        if (!row.is_object()) bad(where, "must be an object");
        RiskScoreRow rr;
        bool haveScore = false;
        for (auto f = row.begin(); f != row.end(); ++f) {
          if (f.key() == "tiMatch") {
            if (!f.value().is_boolean()) bad(where + ".tiMatch", "must be true or false");
            rr.tiMatch = f.value().get<bool>();
          } else if (f.key() == "minConnections") {
            rr.minConnections = integer(f.value(), where + ".minConnections", 0, 1'000'000'000);
          } else if (f.key() == "maxUniquePorts") {
            rr.maxUniquePorts = integer(f.value(), where + ".maxUniquePorts", 0, 65536);
          } else if (f.key() == "score") {
            rr.score = int(integer(f.value(), where + ".score", 0, 100));
            haveScore = true;
          } else {
            bad(where + "." + f.key(), "is not a known key (tiMatch, minConnections, maxUniquePorts, score)");
          }
        }
        if (!haveScore) bad(where, "needs a \"score\"");
        r.riskScore.push_back(rr);
      }
    } else if (k == "suppressions") {  // tuning (issue 13)
      r.suppressions = tuning::suppressionsFromJson(v);
    } else if (k == "hideKnownSoftware") {  // tuning (issue 13)
      if (!v.is_boolean()) bad(k, "must be true or false");
      r.hideKnownSoftware = v.get<bool>();
    } else if (k == "kqlTiTable") {  // KQL export
      if (!v.is_string() || (v.get<std::string>() != "ThreatIntelligenceIndicator" &&
                             v.get<std::string>() != "ThreatIntelIndicators"))
        bad(k, "must be \"ThreatIntelligenceIndicator\" or \"ThreatIntelIndicators\"");
      r.kqlTiTable = v.get<std::string>();
    } else {
      bad(k, "is not a known rule key");
    }
  }
  return r;
}

json ruleToJson(const Rule& r) {
  json rows = json::array();
  for (const auto& rr : r.riskScore) {
    json o = json::object();
    if (rr.tiMatch) o["tiMatch"] = *rr.tiMatch;
    if (rr.minConnections) o["minConnections"] = *rr.minConnections;
    if (rr.maxUniquePorts) o["maxUniquePorts"] = *rr.maxUniquePorts;
    o["score"] = rr.score;
    rows.push_back(o);
  }
  json j = json::object();
  j["exclusionPreset"] = exclusionPresetName(r);
  j["browserProcesses"] = r.browserProcesses;
  j["systemProcesses"] = r.systemProcesses;
  j["actionTypes"] = r.actionTypes;
  j["remoteIpType"] = r.remoteIpType;
  j["beaconMinConnections"] = r.beaconMinConnections;
  j["observationWindowMinutes"] = r.observationWindowMinutes;
  j["lookbackMinutes"] = r.lookbackMinutes;
  j["tiLookbackMinutes"] = r.tiLookbackMinutes;
  j["tiExtraMatchFields"] = r.tiExtraMatchFields;
  j["tiHonourExpiration"] = r.tiHonourExpiration;
  j["mode"] = r.mode;
  j["beyondMinConnections"] = r.beyondMinConnections;
  j["beyondMinPeriodicity"] = r.beyondMinPeriodicity;
  j["hostingOverridesExclusions"] = r.hostingOverridesExclusions;
  j["beyondExtraActionTypes"] = r.beyondExtraActionTypes;
  j["riskScore"] = rows;
  j["defaultRiskScore"] = r.defaultRiskScore;
  j["inbound"] = inboundToJson(r.inbound);
  j["signin"] = signinToJson(r.signin);
  j["infrastructure"] = infrastructureToJson(r.infrastructure);
  j["hideKnownSoftware"] = r.hideKnownSoftware;                      // tuning (issue 13)
  j["suppressions"] = tuning::suppressionsToJson(r.suppressions);  // tuning (issue 13)
  j["kqlTiTable"] = r.kqlTiTable;  // KQL export
  return j;
}

bool ruleChangeNeedsReread(const Rule& a, const Rule& b) {
  // Suppressions and hideKnownSoftware are applied to the aggregates at finish: never listed here.
  // The ActionTypes read at ingest depend on the mode (beyond adds failed attempts).
  return a.actionTypes != b.actionTypes || a.remoteIpType != b.remoteIpType ||
         a.observationWindowMinutes != b.observationWindowMinutes || a.mode != b.mode ||
         (b.mode == "beyond" && a.beyondExtraActionTypes != b.beyondExtraActionTypes);
}

}  // namespace vpshunt

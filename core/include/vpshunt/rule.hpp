// The detection rule: every number and list of the seed KQL as a parameter, with the seed's values
// as defaults. Read from and written to JSON; unknown keys are an error (a typo must not silently
// fall back to a default).
//
//   Rule r = ruleFromJson(nlohmann::json::parse(text));   // throws RuleError with the key at fault
//   std::string text = ruleToJson(r).dump(2);
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vpshunt {

// One row of the seed's `RiskScore = case(...)`, tried in order; the first row whose conditions all
// hold gives the score. An absent condition always holds.
struct RiskScoreRow {
  std::optional<bool> tiMatch;         // IsTIMatch must equal this
  std::optional<int64_t> minConnections;  // ConnectionCount >= this
  std::optional<int64_t> maxUniquePorts;  // UniqueRemotePorts <= this
  int score = 0;
};

// The inbound detection: scanning, exploit delivery and brute force arriving from outside, one row
// per remote source address over its lookback. In the rule JSON: "inbound": {...}.
struct InboundRule {
  int64_t lookbackMinutes = 24 * 60;  // connections after now - lookback count
  int64_t minConnections = 1;         // a source with fewer connections makes no row
  // Remote-access and database services: many connections to these from one source is brute force.
  std::vector<int64_t> adminPorts{21, 22, 23, 135, 139, 445, 1433, 1521, 2222, 2323, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 27017};
  int64_t bruteForceMinConnections = 20;  // connections to admin ports that count as brute force
  // Addresses that probe on purpose (platform health checks): their rows score low, with the reason.
  struct KnownSource {
    std::string cidr;
    std::string name;
  };
  std::vector<KnownSource> knownSources{
      {"168.63.129.16/32", "Azure platform address (health probes, DNS, DHCP)"},
      {"35.191.0.0/16", "Google Cloud health checks"},
      {"130.211.0.0/22", "Google Cloud health checks"},
  };
};

// The signin detection: authentication attempts from rented servers, one row per client address
// over its lookback. In the rule JSON: "signin": {...}.
struct SignInRule {
  int64_t lookbackMinutes = 24 * 60;  // sign-ins after now - lookback count
  int64_t minAttempts = 1;            // a source with fewer sign-ins makes no row
  // A password spray: at least this many distinct users with failures from one address, and at
  // least this share of its attempts failed.
  int64_t sprayMinUsers = 10;
  int64_t sprayMinFailurePercent = 80;
  int64_t bruteForceMinFailures = 10;  // failures for one user from one address: brute force
  // A success (or a sign-in stopped only for MFA) after at least this many failures of the same
  // user from the same address: the password was found.
  int64_t compromiseMinFailures = 3;
  // Shared egress (a security proxy, a corporate gateway): at least this many users signed in
  // successfully through one address with at most this share of failures. Scored low.
  int64_t egressMinUsers = 10;
  int64_t egressMaxFailurePercent = 30;
  // Words for result codes, for the reasons and FailureReasons ("50126": "wrong password"); they
  // win over the built-in tables (core/src/formats/signin_codes.hpp). Keys are codes as the log
  // writes them (case-insensitive), or reason texts of logs without codes.
  struct CodeWords {
    std::string code;
    std::string words;
  };
  std::vector<CodeWords> codeWords;
};

// The infrastructure detection: the rows of beacon, inbound and signin rolled up per network.
// In the rule JSON: "infrastructure": {...}.
struct InfrastructureRule {
  // An inbound or signin row counts as a trace of the network from this Score on (a beacon row
  // always counts: it passed the beacon rule's threshold). A network's aggregate sign-ins count as
  // one too (a distributed spray).
  int64_t traceMinScore = 35;
  // The widest network an address is rolled up into: its announced range when that is no larger,
  // else the address's /ipv4Prefix (/ipv6Prefix).
  int64_t ipv4Prefix = 24;
  int64_t ipv6Prefix = 48;
  // Sign-ins from at least this many addresses of one network are scored together as well.
  int64_t distributedMinAddresses = 3;
};
// --- tuning: suppressions (issue 13, part 3) ---
// One entry of the rule's "suppressions" list: a decision an analyst took on a row of the results,
// with who took it and why. Applied when the results are made (Analysis::finish): no re-read.
//   flow           the beacon flow (device, account, process, commandLine exactly as the row shows
//                  them; remoteIp an address, compared in canonical form) disappears
//   process        every beacon row of `process` (ASCII case-insensitive), on every device
//   destination    every beacon row to `remoteIp` (an address or a CIDR) and every inbound row
//                  from it
//   knownSoftware  not hidden: beacon rows of `process` (case-insensitive) running from `folder`
//                  (ASCII case-insensitive, `\` and `/` alike; "" = the export gave no folder) to
//                  `remoteIp` (address or CIDR) are named `product` in KnownSoftware, as the
//                  catalogue names a product (beyond mode: scored down, hidden by
//                  hideKnownSoftware)
// In the rule JSON each is an object with "kind" and exactly that kind's keys, plus "who" and "why"
// (required, the analyst's words) and "added" (optional, ISO 8601). Values are compared as
// written; ruleFromJson checks addresses and times.
struct Suppression {
  enum class Kind { Flow, Process, Destination, KnownSoftware };
  Kind kind = Kind::Flow;
  std::string device, account, process, commandLine;
  std::string remoteIp;
  std::string folder, product;  // knownSoftware
  std::string who, why, added;
  bool operator==(const Suppression& o) const;
  bool operator!=(const Suppression& o) const { return !(*this == o); }
};
std::string_view suppressionKindName(Suppression::Kind k);  // "flow", "process", "destination", "knownSoftware"
// --- end tuning ---

struct Rule {
  std::vector<std::string> browserProcesses;  // InitiatingProcessFileName !in~ (...); default: the seed's list
  std::vector<std::string> systemProcesses;   // InitiatingProcessFileName !in~ (...)
  std::vector<std::string> actionTypes;       // ActionType in (...), case-sensitive
  std::string remoteIpType = "Public";        // RemoteIPType == ..., case-sensitive
  int64_t beaconMinConnections = 12;
  int64_t observationWindowMinutes = 60;
  int64_t lookbackMinutes = 24 * 60;
  int64_t tiLookbackMinutes = 7 * 24 * 60;
  // Beyond the seed (off by default): also match TI on these columns besides NetworkIP
  // ("NetworkSourceIP", "NetworkDestinationIP", "NetworkCidrBlock"), and drop indicators whose
  // ExpirationDateTime is before now.
  std::vector<std::string> tiExtraMatchFields;
  bool tiHonourExpiration = false;
  // "seed" (the default: the seed KQL exactly) or "beyond": candidates are whole flows over the
  // lookback with enough connections and a periodicity score of at least beyondMinPeriodicity (or
  // a seed row); a hosting or TI hit overrides the browser/system exclusions.
  std::string mode = "seed";
  int64_t beyondMinConnections = 6;
  double beyondMinPeriodicity = 0.6;
  bool hostingOverridesExclusions = true;
  // Beyond mode also reads these ActionTypes (failed attempts keep a beacon's rhythm). They count
  // for periodicity and ConnectionCount, never for RiskScore.
  std::vector<std::string> beyondExtraActionTypes{"ConnectionFailed", "ConnectionAttempt", "ConnectionRequest"};
  std::vector<RiskScoreRow> riskScore;        // the case() table, in order
  int defaultRiskScore = 20;                  // case()'s else
  InboundRule inbound;
  SignInRule signin;
  InfrastructureRule infrastructure;
  // --- tuning (issue 13): applied by finish(), never a reason to read the files again ---
  std::vector<Suppression> suppressions;
  // Beyond mode: rows named in KnownSoftware (the catalogue or a knownSoftware entry) are left out.
  bool hideKnownSoftware = false;
  // --- end tuning ---
  // --- KQL export (vpshunt/kql.hpp) ---
  // The Sentinel threat-intelligence table the exported query joins: "ThreatIntelligenceIndicator"
  // (the seed's) or its successor "ThreatIntelIndicators". Not used by the local analysis.
  std::string kqlTiTable = "ThreatIntelligenceIndicator";
  // --- end KQL export ---

  Rule();  // the seed's values
};

// The seed's exclusion lists (SEED_RULE.kql, exactly: the defaults) and the opt-in "extended"
// preset (the seed's plus more browsers and Windows/Defender system processes). In the rule JSON,
// "exclusionPreset": "extended" sets both lists (explicit lists beside it win); ruleToJson writes
// the name of the preset the lists equal, or "custom".
const std::vector<std::string>& seedBrowserProcesses();
const std::vector<std::string>& seedSystemProcesses();
const std::vector<std::string>& extendedBrowserProcesses();
const std::vector<std::string>& extendedSystemProcesses();
std::string exclusionPresetName(const Rule& r);  // "seed", "extended" or "custom"

struct RuleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Rule ruleFromJson(const nlohmann::json& j);  // missing keys keep the seed default
nlohmann::json ruleToJson(const Rule& r);

// True when going from `before` to `after` changes which rows are aggregated or how they are
// binned (ActionType, RemoteIPType, window), so the files must be read again. Every other change
// is applied by Analysis::finish() over the aggregates already held.
bool ruleChangeNeedsReread(const Rule& before, const Rule& after);

}  // namespace vpshunt

// The beacon detection as KQL (vpshunt/kql.hpp): the seed query (seed mode) and the flow query of
// beyond mode, for Sentinel, Defender advanced hunting and ADX; and the row pivots.
//
// Seed mode is the published seed rule line by line (DESIGN.md's semantics table maps each line to
// the core), with the rule's values written where the seed has its literals. Beyond mode follows
// the core's beyond-mode finish (beacon.cpp beside this file) and measurePeriodicity()
// (periodicity.cpp) step by step; where KQL cannot do exactly the same, the header says so.
#include <algorithm>

#include "detections/kql_common.hpp"
#include "vpshunt/ip.hpp"

namespace vpshunt::kql {

// Shared with the other detections' KQL (kql_common.hpp).

bool hasTiTable(KqlTarget t) { return t != KqlTarget::Defender; }

// The TI subquery's body: the latest indicator per address within the TI lookback, kept only when
// active (the seed's arg_max then `Active == true`), projected to the seed's TI columns.
std::string tiSubquery(const Rule& r, std::vector<std::string>& notExpressed, std::vector<std::string>& differences) {
  const bool src = std::count(r.tiExtraMatchFields.begin(), r.tiExtraMatchFields.end(), "NetworkSourceIP") > 0;
  const bool dst = std::count(r.tiExtraMatchFields.begin(), r.tiExtraMatchFields.end(), "NetworkDestinationIP") > 0;
  const bool cidr = std::count(r.tiExtraMatchFields.begin(), r.tiExtraMatchFields.end(), "NetworkCidrBlock") > 0;
  if (cidr)
    notExpressed.push_back("tiExtraMatchFields \"NetworkCidrBlock\": indicators of a CIDR block are not matched "
                           "(vpshunt matches every address inside the block)");
  std::string s;
  if (r.kqlTiTable == "ThreatIntelIndicators") {
    std::vector<std::string> keys{"ipv4-addr:value", "ipv6-addr:value"};
    if (dst) keys.push_back("network-traffic:dst_ref.value");
    if (src) keys.push_back("network-traffic:src_ref.value");
    s += "    ThreatIntelIndicators\n";
    s += "    | where TimeGenerated > ago(" + duration(r.tiLookbackMinutes) + ")\n";
    s += "    | where ObservableKey in " + inList(keys) + "\n";
    s += "    | extend NetworkIP = ObservableValue\n";
    s += "    | where isnotempty(NetworkIP)\n";
    s += "    | summarize arg_max(TimeGenerated, *) by NetworkIP\n";
    s += "    | project TINetworkIP = NetworkIP, ThreatType = tostring(Data.indicator_types[0]), TIConfidence = Confidence,\n";
    s += "              TIDescription = tostring(Data.description), TIActive = IsActive and not(IsDeleted) and not(Revoked)";
    s += r.tiHonourExpiration ? ",\n              TIExpiration = ValidUntil\n" : "\n";
    differences.push_back("ThreatIntelIndicators: ThreatType is the STIX object's first indicator_types entry and "
                          "TIDescription its description (Data column)");
  } else {
    s += "    ThreatIntelligenceIndicator\n";
    s += "    | where TimeGenerated > ago(" + duration(r.tiLookbackMinutes) + ")\n";
    if (src || dst) {
      // An indicator counts for every column the rule matches on; the latest per address wins.
      std::string cols = "NetworkIP";
      if (src) cols += ", NetworkSourceIP";
      if (dst) cols += ", NetworkDestinationIP";
      s += "    | mv-expand TIMatchIP = pack_array(" + cols + ") to typeof(string)\n";
      s += "    | extend NetworkIP = TIMatchIP\n";
    }
    s += "    | where isnotempty(NetworkIP)\n";
    s += "    | summarize arg_max(TimeGenerated, *) by NetworkIP\n";
    s += "    | project TINetworkIP = NetworkIP, ThreatType, TIConfidence = ConfidenceScore,\n";
    s += "              TIDescription = Description, TIActive = Active";
    s += r.tiHonourExpiration ? ", TIExpiration = ExpirationDateTime\n" : "\n";
  }
  s += "    | where TIActive == true\n";
  if (r.tiHonourExpiration) s += "    | where isnull(TIExpiration) or TIExpiration >= now()\n";
  differences.push_back("of indicators with the same TimeGenerated, arg_max() keeps any one; vpshunt keeps the one read last");
  return s;
}

std::string tiJoin(const Rule& r, KqlTarget t, const std::string& source, std::vector<std::string>& notExpressed,
                   std::vector<std::string>& differences) {
  if (!hasTiTable(t))
    return source + "\n| extend TINetworkIP = \"\", ThreatType = \"\", TIConfidence = real(null), TIDescription = \"\"\n"
                    "| extend IsTIMatch = false\n";
  return source + "\n| join kind=leftouter (\n" + tiSubquery(r, notExpressed, differences) +
         ") on $left.RemoteIP == $right.TINetworkIP\n| extend IsTIMatch = isnotempty(TINetworkIP)\n";
}

// RemoteIP in an entry's address or range. IPv4 and IPv6 ranges are tested only on addresses of
// their family (the *_is_in_range functions give null for the other, and not(null) would drop the
// row). Empty when the entry's address does not parse (ruleFromJson refuses those).
std::string addressCondition(const std::string& text, std::string_view column) {
  const std::string c(column);
  IpAddress net;
  int prefix = 128;
  if (text.find('/') == std::string::npos) {
    if (!parseIp(text, net)) return {};
    return c + " == " + quote(formatIp(net));
  }
  if (!parseCidr(text, net, prefix)) return {};
  if (net.isV4())
    return "isnotnull(parse_ipv4(" + c + ")) and ipv4_is_in_range(" + c + ", " +
           quote(formatIp(net) + "/" + std::to_string(prefix - 96)) + ")";
  return "isnull(parse_ipv4(" + c + ")) and ipv6_is_in_range(" + c + ", " + quote(formatIp(net) + "/" + std::to_string(prefix)) +
         ")";
}

namespace {

constexpr const char* kFlowKey =
    "DeviceName, AccountName, InitiatingProcessFileName, InitiatingProcessCommandLine, RemoteIP";


bool listHasEmpty(const std::vector<std::string>& v) {
  return std::any_of(v.begin(), v.end(), [](const std::string& s) { return s.empty(); });
}

bool listHasNonAscii(const std::vector<std::string>& v) {
  return std::any_of(v.begin(), v.end(), [](const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  });
}

// The seed's `RiskScore = case(...)` over the given count and port columns, one row a line.
std::string riskScoreCase(const Rule& r, const std::string& count, const std::string& ports) {
  if (r.riskScore.empty()) return "| extend RiskScore = " + std::to_string(r.defaultRiskScore) + "\n";
  std::string s = "| extend RiskScore = case(\n";
  for (const RiskScoreRow& row : r.riskScore) {
    std::vector<std::string> cond;
    if (row.tiMatch) cond.push_back(*row.tiMatch ? "IsTIMatch" : "not(IsTIMatch)");
    if (row.minConnections)
      cond.push_back(count + " >= " +
                     (*row.minConnections == r.beaconMinConnections ? std::string("BeaconMinConnections")
                                                                     : std::to_string(*row.minConnections)));
    if (row.maxUniquePorts) cond.push_back(ports + " <= " + std::to_string(*row.maxUniquePorts));
    std::string c;
    for (size_t i = 0; i < cond.size(); ++i) c += (i ? " and " : "") + cond[i];
    s += "    " + (c.empty() ? std::string("true") : c) + ", " + std::to_string(row.score) + ",\n";
  }
  s += "    " + std::to_string(r.defaultRiskScore) + "\n)\n";
  return s;
}


void commonDifferences(const Rule& r, KqlTarget t, std::vector<std::string>& notExpressed,
                       std::vector<std::string>& differences) {
  differences.push_back("now: ago() counts back from when the query runs; vpshunt's now is --now or the latest event "
                        "in the loaded files");
  differences.push_back("AccountName is InitiatingProcessAccountName (DeviceNetworkEvents has no AccountName column); "
                        "vpshunt reads an AccountName column when an export has one");
  differences.push_back("TotalBytesSent and TotalBytesReceived are null (no byte columns in DeviceNetworkEvents), so "
                        "ByteRatio is 0");
  if (listHasEmpty(r.browserProcesses) || listHasEmpty(r.systemProcesses))
    differences.push_back("an empty name in an exclusion list excludes processes without a name here; vpshunt never "
                          "excludes an empty name");
  if (listHasNonAscii(r.browserProcesses) || listHasNonAscii(r.systemProcesses))
    differences.push_back("in~ and !in~ ignore the case of non-ASCII letters too; vpshunt ignores the case of ASCII "
                          "letters only");
  if (!hasTiTable(t)) {
    notExpressed.push_back("the threat-intelligence join (tiLookbackMinutes, tiExtraMatchFields, tiHonourExpiration, "
                           "kqlTiTable): advanced hunting has no Sentinel TI table, so IsTIMatch is false and the "
                           "RiskScore rows that need a TI match never apply");
  } else if (t == KqlTarget::Adx) {
    differences.push_back("the cluster must hold DeviceNetworkEvents and " + r.kqlTiTable +
                          " with Sentinel's columns (e.g. exported from the workspace)");
  }
}


// ---------------------------------------------------------------------------------------------
// tuning (issue 13): the rule's suppressions and knownSoftware entries

bool isMark(const Suppression& s) { return s.kind == Suppression::Kind::KnownSoftware; }

bool anyNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}


// `| where not(...)` per flow, process and destination entry, on a flow's key columns (DeviceName,
// AccountName, InitiatingProcessFileName, InitiatingProcessCommandLine, RemoteIP).
std::string suppressionClauses(const Rule& r, std::vector<std::string>& differences) {
  std::string out;
  size_t n = 0;
  bool nonAscii = false;
  for (const Suppression& s : r.suppressions) {
    std::string cond;
    switch (s.kind) {
      case Suppression::Kind::Flow: {
        const std::string ip = addressCondition(s.remoteIp);
        if (ip.empty()) continue;
        cond = "DeviceName == " + quote(s.device) + " and AccountName == " + quote(s.account) +
               " and InitiatingProcessFileName == " + quote(s.process) + "\n    and InitiatingProcessCommandLine == " +
               quote(s.commandLine) + " and " + ip;
        break;
      }
      case Suppression::Kind::Process:
        cond = "InitiatingProcessFileName =~ " + quote(s.process);
        nonAscii |= anyNonAscii(s.process);
        break;
      case Suppression::Kind::Destination: cond = addressCondition(s.remoteIp); break;
      case Suppression::Kind::KnownSoftware: continue;
    }
    if (cond.empty()) continue;
    out += "| where not(" + cond + ")  // suppression " + std::to_string(&s - r.suppressions.data() + 1) + ": " +
           std::string(suppressionKindName(s.kind)) + "\n";
    ++n;
  }
  if (!n) return {};
  differences.push_back("suppressions compare the texts as the tenant stores them; vpshunt trims spaces around device, "
                        "account and process names" +
                        std::string(nonAscii ? "; =~ ignores the case of non-ASCII letters too, vpshunt of ASCII letters only" : ""));
  return "// Tuning: the rule's suppressions (who decided each, and why, is in the rule file)\n" + out;
}

size_t markCount(const Rule& r) { return size_t(std::count_if(r.suppressions.begin(), r.suppressions.end(), isMark)); }

// KnownSoftware and its reason, from the rule's knownSoftware entries (the first that fits), for the
// beyond query's flows (FolderPaths: the flow's distinct InitiatingProcessFolderPath, at most 2).
std::string knownSoftwareColumns(const Rule& r) {
  std::string names, reasons;
  for (const Suppression& s : r.suppressions) {
    if (!isMark(s)) continue;
    const std::string ip = addressCondition(s.remoteIp);
    if (ip.empty()) continue;
    std::string folder = s.folder;
    for (char& c : folder) {
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
      else if (c == '/') c = '\\';
    }
    const std::string cond = "    array_length(FolderPaths) <= 1 and InitiatingProcessFileName =~ " + quote(s.process) +
                             "\n        and replace_string(tolower(tostring(FolderPaths[0])), \"/\", \"\\\\\") == " +
                             quote(folder) + "\n        and " + ip + ",\n";
    names += cond + "        " + quote(s.product) + ",\n";
    reasons += cond + "        " + quote("marked as known software by " + s.who + ": " + s.why) + ",\n";
  }
  if (names.empty()) return "| extend KnownSoftware = \"\", KnownSoftwareReason = \"\"\n";
  return "| extend KnownSoftware = case(\n" + names + "    \"\")\n| extend KnownSoftwareReason = case(\n" + reasons + "    \"\")\n";
}

// ---------------------------------------------------------------------------------------------
// seed mode

std::string seedBody(const Rule& r, KqlTarget t, std::vector<std::string>& notExpressed, std::vector<std::string>& differences) {
  commonDifferences(r, t, notExpressed, differences);
  notExpressed.push_back("beyond-mode parameters (beyondMinConnections, beyondMinPeriodicity, beyondExtraActionTypes, "
                         "hostingOverridesExclusions): not used in seed mode, by vpshunt either");
  differences.push_back("RemoteIP is compared as text; vpshunt compares addresses in canonical form (::ffff:1.2.3.4 "
                        "is 1.2.3.4)");
  differences.push_back("make_set(RemotePort, 5) keeps any 5 of the ports, vpshunt the 5 lowest; dcount() is an "
                        "estimate (exact for small counts)");
  if ((24 * 60) % r.observationWindowMinutes != 0)
    differences.push_back("bin() aligns the windows to Kusto's time origin, vpshunt to the Unix epoch: they can start "
                          "at other minutes when the window does not divide a day");
  differences.push_back("vpshunt adds columns beyond the seed (GroupId, RemoteASN, ..., VpsScore); this query has the "
                        "seed's columns");
  if (markCount(r))
    notExpressed.push_back("knownSoftware entries: in seed mode they name rows on vpshunt's page only (the seed rule "
                           "knows nothing of known software)");

  std::string body;
  body += "// T1583.003 \xE2\x80\x94 Virtual Private Server: Detect C2 beaconing to VPS-hosted infrastructure\n";
  body += "// Identifies non-browser processes making high-frequency repetitive outbound connections,\n";
  body += "// enriched with Threat Intelligence indicator matches where available.\n";
  body += "let ExcludedBrowsers = " + dynamicList(r.browserProcesses) + ";\n";
  body += "let ExcludedSystemProcesses = " + dynamicList(r.systemProcesses) + ";\n";
  body += "let BeaconMinConnections = " + std::to_string(r.beaconMinConnections) + ";\n";
  body += "let ObservationWindowMinutes = " + std::to_string(r.observationWindowMinutes) + ";\n";
  body += "// Step 1: Find non-browser processes with high-frequency outbound public connections\n";
  body += "let BeaconingCandidates = DeviceNetworkEvents\n";
  body += "| where Timestamp > ago(" + duration(r.lookbackMinutes) + ")\n";
  body += "| where ActionType in " + inList(r.actionTypes) + "\n";
  body += "| where RemoteIPType == " + quote(r.remoteIpType) + "\n";
  body += "| where InitiatingProcessFileName !in~ (ExcludedBrowsers)\n";
  body += "| where InitiatingProcessFileName !in~ (ExcludedSystemProcesses)\n";
  body += "| summarize\n";
  body += "    ConnectionCount = count(),\n";
  body += "    UniqueRemotePorts = dcount(RemotePort),\n";
  body += "    RemotePorts = make_set(RemotePort, 5),\n";
  body += "    FirstConnection = min(Timestamp),\n";
  body += "    LastConnection = max(Timestamp)\n";
  body += "  by DeviceName, AccountName = InitiatingProcessAccountName, InitiatingProcessFileName,\n";
  body += "     InitiatingProcessCommandLine, RemoteIP,\n";
  body += "     bin(Timestamp, totimespan(strcat(tostring(ObservationWindowMinutes), \"m\")))\n";
  body += "| where ConnectionCount >= BeaconMinConnections\n";
  body += suppressionClauses(r, differences);
  body += "| extend TotalBytesSent = long(null), TotalBytesReceived = long(null);\n";
  body += hasTiTable(t) ? "// Step 2: Enrich with Threat Intelligence indicators\n"
                        : "// Step 2: No Threat Intelligence table in advanced hunting (see the header)\n";
  body += tiJoin(r, t, "BeaconingCandidates", notExpressed, differences);
  body += "| extend ConnectionsPerMinute = round(todouble(ConnectionCount) / ObservationWindowMinutes, 2)\n";
  body += "| extend ByteRatio = iif(TotalBytesReceived > 0,\n";
  body += "    round(todouble(TotalBytesSent) / todouble(TotalBytesReceived), 2), real(0))\n";
  body += riskScoreCase(r, "ConnectionCount", "UniqueRemotePorts");
  body += "| project\n";
  body += "    Timestamp, DeviceName, AccountName,\n";
  body += "    InitiatingProcessFileName, InitiatingProcessCommandLine,\n";
  body += "    RemoteIP, ConnectionCount, ConnectionsPerMinute,\n";
  body += "    UniqueRemotePorts, RemotePorts,\n";
  body += "    TotalBytesSent, TotalBytesReceived, ByteRatio,\n";
  body += "    IsTIMatch, ThreatType, TIConfidence, TIDescription,\n";
  body += "    RiskScore\n";
  body += "| sort by RiskScore desc, ConnectionCount desc\n";
  return body;
}

// ---------------------------------------------------------------------------------------------
// beyond mode

std::string beyondBody(const Rule& r, KqlTarget t, const KqlOptions& options, std::vector<std::string>& notExpressed,
                       std::vector<std::string>& differences) {
  commonDifferences(r, t, notExpressed, differences);
  differences.push_back("DeviceCount, RemoteIPFirstSeen, RemoteIPLastSeen and the reasons' device total count the "
                        "events of the lookback; vpshunt counts all loaded events. dcount() is an estimate (exact for "
                        "small counts)");
  hostingDifferences(t, options, differences);
  differences.push_back("a flow's connection times are collected with make_list(), which keeps at most 1,048,576 of "
                        "them");
  differences.push_back("round() and the reasons' whole numbers may round halves differently; sorting of texts among "
                        "equal scores may differ");
  notExpressed.push_back("the known-software catalogue (core/src/enrich/known-software.json): a product is recognised by "
                         "its install folders and the vendor's own networks by ASN, and the VpsHosting watchlist holds "
                         "hosting ranges only, so KnownSoftware names only the rows of the rule's knownSoftware entries; "
                         "catalogued agents keep the 15-40 points vpshunt takes off, and masquerading names (a catalogued "
                         "name outside its folders) miss the 10 points vpshunt adds");
  differences.push_back("KnownSoftware is \"\" where vpshunt writes null");
  if (markCount(r))
    differences.push_back("a knownSoftware entry's folder is compared, case-insensitively and with / as \\, with "
                          "InitiatingProcessFolderPath as stored, on flows with one folder; vpshunt also refuses a flow "
                          "whose version-info company or product differ between rows");

  const std::string window = "totimespan(strcat(tostring(ObservationWindowMinutes), \"m\"))";
  std::string q;
  q += "// T1583.003 \xE2\x80\x94 Virtual Private Server: beaconing to VPS-hosted infrastructure, beyond the seed:\n";
  q += "// one row per flow over the lookback, its periodicity, hosting attribution, prevalence and VpsScore.\n";
  q += "let ExcludedBrowsers = " + dynamicList(r.browserProcesses) + ";\n";
  q += "let ExcludedSystemProcesses = " + dynamicList(r.systemProcesses) + ";\n";
  q += "let SeedActionTypes = " + dynamicList(r.actionTypes) + ";\n";
  q += "// Failed attempts keep a beacon's rhythm: they count for periodicity and ConnectionCount, never for RiskScore.\n";
  q += "let ExtraActionTypes = " + dynamicList(r.beyondExtraActionTypes) + ";\n";
  q += "let BeaconMinConnections = " + std::to_string(r.beaconMinConnections) + ";\n";
  q += "let ObservationWindowMinutes = " + std::to_string(r.observationWindowMinutes) + ";\n";
  q += "let BeyondMinConnections = " + std::to_string(r.beyondMinConnections) + ";\n";
  q += "let BeyondMinPeriodicity = " + real(r.beyondMinPeriodicity) + ";\n";
  q += std::string("let HostingOverridesExclusions = ") + (r.hostingOverridesExclusions ? "true" : "false") + ";\n";
  q += "let DefaultRiskScore = " + std::to_string(r.defaultRiskScore) + ";\n";
  q += "let BurstSeconds = 1.0;  // connections closer than this are one beat (one callback)\n";
  q += "let Window = " + window + ";\n";
  q += "// The q-quantile of a sorted array, interpolated between neighbours (as vpshunt's periodicity.cpp).\n";
  q += "let Quantile = (sorted:dynamic, q:real) {\n";
  q += "    let n = array_length(sorted);\n";
  q += "    let pos = q * (n - 1);\n";
  q += "    let i = toint(floor(pos, 1));\n";
  q += "    iff(n == 0, real(0), iff(i + 1 >= n, todouble(sorted[n - 1]),\n";
  q += "        todouble(sorted[i]) * (1 - (pos - i)) + todouble(sorted[i + 1]) * (pos - i)))\n";
  q += "};\n";
  q += "// Hosting ranges: CIDR, ASN, provider, category, organisation (vpshunt --export-watchlist).\n";
  q += "let Hosting = materialize(" + hostingTable(t, options) + ");\n";
  q += "let HostingV4 = Hosting | where HostingCidr !contains \":\";\n";
  if (t == KqlTarget::Adx) q += "let HostingV6 = Hosting | where HostingCidr contains \":\";\n";
  q += "// Step 1: the events the rule reads (IPv4-mapped IPv6 addresses written as IPv4, as vpshunt compares them)\n";
  q += "let Events = DeviceNetworkEvents\n";
  q += "| where Timestamp > ago(" + duration(r.lookbackMinutes) + ")\n";
  q += "| where ActionType in (SeedActionTypes) or ActionType in (ExtraActionTypes)\n";
  q += "| where RemoteIPType == " + quote(r.remoteIpType) + "\n";
  q += "| extend IsSeedAction = ActionType in (SeedActionTypes)\n";
  q += "| extend RemoteIP = iff(RemoteIP startswith \"::ffff:\" and isnotnull(parse_ipv4(substring(RemoteIP, 7))),\n";
  q += "    substring(RemoteIP, 7), RemoteIP)\n";
  q += "| project Timestamp, DeviceName, AccountName = InitiatingProcessAccountName, InitiatingProcessFileName,\n";
  q += std::string("    InitiatingProcessCommandLine, RemoteIP, RemotePort, IsSeedAction") +
       (markCount(r) ? ", InitiatingProcessFolderPath" : "") + ";\n";
  q += "// Prevalence: the devices that talked to each address\n";
  q += "let TotalDevices = toscalar(Events | summarize dcount(DeviceName));\n";
  q += "let Prevalence = Events\n";
  q += "| summarize DeviceCount = dcount(DeviceName), RemoteIPFirstSeen = min(Timestamp), RemoteIPLastSeen = max(Timestamp)\n";
  q += "  by RemoteIP;\n";
  q += "// The seed's view of a flow: its busiest window of seed ActionTypes (the earliest of equals)\n";
  q += "let Busiest = Events\n";
  q += "| where IsSeedAction\n";
  q += "| summarize BinCount = count(), BinPorts = dcount(RemotePort)\n";
  q += std::string("  by ") + kFlowKey + ", Bin = bin_at(Timestamp, Window, datetime(1970-01-01))\n";
  q += std::string("| summarize arg_min(Bin, BinPorts) by ") + kFlowKey + ", BinCount\n";
  q += std::string("| summarize arg_max(BinCount, BinPorts) by ") + kFlowKey + "\n";
  q += std::string("| project ") + kFlowKey + ", BusiestBinCount = BinCount, BusiestBinPorts = BinPorts;\n";
  q += "// Step 2: one row per flow over the lookback, with TI and hosting\n";
  q += "let Flows = Events\n";
  q += "| summarize ConnectionCount = count(), Ports = make_set(RemotePort), FirstConnection = min(Timestamp),\n";
  q += std::string("    LastConnection = max(Timestamp), Times = make_list(Timestamp)") +
       (markCount(r) ? ", FolderPaths = make_set(InitiatingProcessFolderPath, 2)" : "") + "\n";
  q += std::string("  by ") + kFlowKey + "\n";
  q += "| where ConnectionCount >= min_of(BeyondMinConnections, BeaconMinConnections)\n";
  q += suppressionClauses(r, differences);
  q += std::string("| lookup kind=leftouter Busiest on ") + kFlowKey;
  q += tiJoin(r, t, "", notExpressed, differences);
  q.back() = ';';
  q += "\n";
  q += "let Attributed = union\n";
  q += "    (Flows | where isnotnull(parse_ipv4(RemoteIP))\n";
  q += "        | evaluate ipv4_lookup(HostingV4, RemoteIP, HostingCidr, return_unmatched = true)),\n";
  if (t == KqlTarget::Adx)
    q += "    (Flows | where isnull(parse_ipv4(RemoteIP))\n"
         "        | evaluate ipv6_lookup(HostingV6, RemoteIP, HostingCidr, return_unmatched = true));\n";
  else
    q += "    (Flows | where isnull(parse_ipv4(RemoteIP))\n"
         "        | extend HostingCidr = \"\", RemoteASN = long(null), HostingProvider = \"\", HostingCategory = \"\",\n"
         "                 HostingConfidence = \"\", RemoteOrg = \"\", HostingReason = \"\");\n";
  q += "// Step 3: the exclusion lists, overridden by TI or a listed rented server (vps, hosting, bulletproof; not\n";
  q += "// the hyperscalers' shared cloud ASNs, VPN exits, proxies or an inferred attribution)\n";
  q += "Attributed\n";
  q += "| extend IsHosting = isnotempty(HostingCidr)\n";
  q += "| extend IsExcluded = isnotempty(InitiatingProcessFileName)\n";
  q += "    and (InitiatingProcessFileName in~ (ExcludedBrowsers) or InitiatingProcessFileName in~ (ExcludedSystemProcesses))\n";
  q += "| where not(IsExcluded) or (HostingOverridesExclusions and (IsTIMatch\n";
  q += "    or (IsHosting and HostingConfidence == \"listed\" and HostingCategory in (\"vps\", \"hosting\", \"bulletproof\"))))\n";
  q += "// Step 4: periodicity. Beats, then the intervals between them; m = their median;\n";
  q += "// regular = share within 35 % of m; dispersion = MAD / m; Bowley skew, 0 below RITA's minimum spread.\n";
  q += "| mv-apply T = Times to typeof(datetime) on (\n";
  q += "    order by T asc\n";
  q += "    | extend Gap = (T - prev(T)) / 1s\n";
  q += "    | where isnull(Gap) or Gap >= BurstSeconds\n";
  q += "    | extend Interval = (T - prev(T)) / 1s\n";
  q += "    | where isnotnull(Interval)\n";
  q += "    | summarize Intervals = make_list(Interval)\n";
  q += ")\n";
  q += "| extend S = array_sort_asc(Intervals)\n";
  q += "| extend N = array_length(S)\n";
  q += "| extend M = iff(N >= 3, Quantile(S, 0.5), real(0))\n";
  q += "| mv-apply D = iff(N == 0, dynamic([0.0]), S) to typeof(real) on (\n";
  q += "    summarize Regular = countif(abs(D - M) <= 0.35 * M), Deviations = make_list(abs(D - M))\n";
  q += ")\n";
  q += "| extend Q1 = Quantile(S, 0.25), Q3 = Quantile(S, 0.75)\n";
  q += "| extend Dispersion = iff(M > 0, Quantile(array_sort_asc(Deviations), 0.5) / M, real(0))\n";
  q += "| extend Skew = iff(Q3 - Q1 < max_of(1.0, 0.02 * M), 0.0, (Q1 + Q3 - 2 * M) / (Q3 - Q1))\n";
  q += "| extend RawScore = 0.45 * todouble(Regular) / max_of(N, 1) + 0.35 * max_of(0.0, 1 - Dispersion / 0.5)\n";
  q += "    + 0.20 * (1 - min_of(1.0, abs(Skew)))\n";
  q += "| extend Periodicity = iff(N < 3 or M <= 0, 0.0,\n";
  q += "    max_of(0.0, min_of(1.0, iff(N < 6, RawScore * N / 6.0, RawScore))))\n";
  q += "| extend PeriodicityScore = round(Periodicity, 3),\n";
  q += "    MedianIntervalSeconds = round(M, 2), IntervalDispersion = round(iff(N < 3, 0.0, Dispersion), 3)\n";
  q += "// Step 5: a flow is reported with a seed row (its busiest window reaches the threshold) or when periodic\n";
  q += "| extend BusiestBinCount = coalesce(BusiestBinCount, 0), BusiestBinPorts = coalesce(BusiestBinPorts, 0)\n";
  q += "| where BusiestBinCount >= BeaconMinConnections\n";
  q += "    or (ConnectionCount >= BeyondMinConnections and Periodicity >= BeyondMinPeriodicity)\n";
  q += "| extend Timestamp = bin_at(FirstConnection, Window, datetime(1970-01-01))\n";
  q += "| extend ConnectionsPerMinute = round(todouble(ConnectionCount)\n";
  q += "    / max_of(todouble(ObservationWindowMinutes), (LastConnection - FirstConnection) / 1m), 2)\n";
  q += "| extend Ports = array_sort_asc(Ports)\n";
  q += "| extend UniqueRemotePorts = array_length(Ports), RemotePorts = array_slice(Ports, 0, 4)\n";
  q += "| extend TotalBytesSent = long(null), TotalBytesReceived = long(null), ByteRatio = real(0)\n";
  q += "// Known software: the rule's knownSoftware entries (process, folder and destination), first that fits\n";
  q += markCount(r) ? knownSoftwareColumns(r) : "| extend KnownSoftware = \"\", KnownSoftwareReason = \"\"\n";
  if (r.hideKnownSoftware) q += "| where isempty(KnownSoftware)  // hideKnownSoftware\n";
  q += "// RiskScore: the seed's case() on the busiest window\n";
  q += riskScoreCase(r, "BusiestBinCount", "BusiestBinPorts");
  q += "| lookup kind=leftouter Prevalence on RemoteIP\n";
  q += "// VpsScore (0-100): listed hosting/vps 25, bulletproof 30, cloud 15, vpn 10, proxy 0; inferred 15 (vpn 10)\n";
  q += "// + 30 x periodicity + rare destination 10 (1 device) or 5 (2-3) + active TI 30\n";
  q += "// + 5 x (RiskScore - default) / (95 - default); reasons as vpshunt words them.\n";
  q += "| extend VpsPoints = iff(not(IsHosting), 0.0,\n";
  q += "        iff(HostingConfidence != \"listed\", iff(HostingCategory == \"vpn\", 10.0, 15.0),\n";
  q += "            case(HostingCategory == \"bulletproof\", 30.0, HostingCategory in (\"vps\", \"hosting\"), 25.0,\n";
  q += "                 HostingCategory == \"cloud\", 15.0, HostingCategory == \"vpn\", 10.0, 0.0)))\n";
  q += "    + 30 * PeriodicityScore\n";
  q += "    + case(DeviceCount == 1, 10.0, DeviceCount > 1 and DeviceCount <= 3, 5.0, 0.0)\n";
  q += "    + iff(IsTIMatch, 30.0, 0.0)\n";
  q += "    + 5.0 * max_of(0, RiskScore - DefaultRiskScore) / max_of(1, 95 - DefaultRiskScore)\n";
  q += "    - iff(isnotempty(KnownSoftware), 40.0, 0.0)\n";
  q += "| extend VpsScore = toint(round(max_of(0.0, min_of(100.0, VpsPoints))))\n";
  q += "| extend VpsReasons = array_concat(pack_array(\n";
  q += "    iff(IsHosting, HostingReason, \"not in a hosting range of the VpsHosting watchlist\"),\n";
  q += "    iff(PeriodicityScore >= BeyondMinPeriodicity,\n";
  q += "        strcat(\"every \", round(M), \" s \xC2\xB1 \", round(Dispersion * 100), \"% (periodicity \", round(PeriodicityScore * 100), \"%)\"),\n";
  q += "        strcat(\"irregular (periodicity \", round(PeriodicityScore * 100), \"%)\")),\n";
  q += "    strcat(DeviceCount, \" of \", TotalDevices, iff(TotalDevices == 1, \" device\", \" devices\")),\n";
  q += "    iff(IsTIMatch, strcat(\"TI: \", iff(isempty(ThreatType), \"match\", ThreatType),\n";
  q += "        iff(isnull(TIConfidence), \"\", strcat(\" (confidence \", tolong(TIConfidence), \")\"))), \"no TI\")),\n";
  q += "    iff(isempty(KnownSoftwareReason), dynamic([]), pack_array(KnownSoftwareReason)))\n";
  q += "| project Timestamp, DeviceName, AccountName, InitiatingProcessFileName, InitiatingProcessCommandLine, RemoteIP,\n";
  q += "    ConnectionCount, ConnectionsPerMinute, UniqueRemotePorts, RemotePorts, TotalBytesSent, TotalBytesReceived,\n";
  q += "    ByteRatio, IsTIMatch, ThreatType, TIConfidence, TIDescription, RiskScore, FirstConnection, LastConnection,\n";
  q += "    RemoteASN, RemoteOrg, IsHosting, HostingProvider, HostingCategory, DeviceCount, RemoteIPFirstSeen,\n";
  q += "    RemoteIPLastSeen, MedianIntervalSeconds, PeriodicityScore, IntervalDispersion, VpsScore, VpsReasons,\n";
  q += "    KnownSoftware\n";
  q += "| sort by VpsScore desc, RiskScore desc, ConnectionCount desc, Timestamp asc, DeviceName asc, AccountName asc,\n";
  q += "    InitiatingProcessFileName asc, InitiatingProcessCommandLine asc, RemoteIP asc\n";
  return q;
}

std::string beaconQuery(const Rule& r, KqlTarget t, const KqlOptions& options) {
  std::vector<std::string> notExpressed, differences;
  const std::string body = beaconBody(r, t, options, notExpressed, differences);
  return header("beacon", r, t, notExpressed, differences) + body;
}

// ---------------------------------------------------------------------------------------------
// pivots

std::vector<KqlPivot> beaconPivots(const KqlRow& row, KqlTarget t, const KqlOptions&) {
  std::vector<KqlPivot> out;
  const std::string* device = field(row, "DeviceName");
  const std::string* process = field(row, "InitiatingProcessFileName");
  const std::string* account = field(row, "AccountName");
  const std::string* ipText = field(row, "RemoteIP");
  // The row's span, widened: the hour before the first connection shows how the process started.
  std::string from = datetimeLiteral(row, "FirstConnection", -60);
  std::string to = datetimeLiteral(row, "LastConnection", 60);
  if (from.empty()) from = datetimeLiteral(row, "Timestamp", -60);
  if (to.empty()) to = datetimeLiteral(row, "Timestamp", 2 * 60);
  const std::string when = from.empty() || to.empty() ? std::string("| where Timestamp > ago(7d)\n")
                                                      : "| where Timestamp between (" + from + " .. " + to + ")\n";

  if (device && process) {
    std::string q = "// The process tree behind the beacon: the process, what started it and what it started,\n"
                    "// on the device, around the row's connections.\n";
    q += "let Device = " + quote(*device) + ";\n";
    q += "let Process = " + quote(*process) + ";\n";
    q += "DeviceProcessEvents\n" + when;
    q += "| where DeviceName == Device\n";
    q += "| where FileName =~ Process or InitiatingProcessFileName =~ Process\n";
    q += "| project Timestamp, DeviceName, ActionType, AccountName, FileName, FolderPath, ProcessCommandLine, SHA1, SHA256,\n";
    q += "    ProcessId, InitiatingProcessFileName, InitiatingProcessCommandLine, InitiatingProcessId,\n";
    q += "    InitiatingProcessParentFileName, InitiatingProcessParentId\n";
    q += "| sort by Timestamp asc\n";
    out.push_back({"process-tree", "Process tree on the device", q});

    q = "// The binary behind the beacon: how the file got onto the device (created, renamed, modified),\n"
        "// by whom, with its hashes; and the same hashes on other devices.\n";
    q += "let Device = " + quote(*device) + ";\n";
    q += "let Process = " + quote(*process) + ";\n";
    q += "let Writes = DeviceFileEvents\n";
    q += "| where Timestamp > ago(30d)\n";
    q += "| where DeviceName == Device and FileName =~ Process;\n";
    q += "Writes\n";
    q += "| project Timestamp, DeviceName, ActionType, FileName, FolderPath, SHA1, SHA256, MD5, FileSize,\n";
    q += "    InitiatingProcessFileName, InitiatingProcessCommandLine, InitiatingProcessAccountName, FileOriginUrl\n";
    q += "| union (DeviceFileEvents\n";
    q += "    | where Timestamp > ago(30d)\n";
    // SHA1: the reference says SHA256 is usually not populated in these tables.
    q += "    | where SHA1 in ((Writes | where isnotempty(SHA1) | distinct SHA1)) and DeviceName != Device\n";
    q += "    | summarize OtherDeviceFirstSeen = min(Timestamp), Events = count() by DeviceName, FileName, SHA1)\n";
    q += "| sort by Timestamp asc\n";
    out.push_back({"binary", "The binary behind it (file events, same hash elsewhere)", q});
  }

  IpAddress ip;
  if (ipText && parseIp(*ipText, ip)) {
    const std::string addr = quote(formatIp(ip));
    std::string q = "// The remote address across the fleet and every table that holds addresses, over 30 days.\n";
    q += "let Address = " + addr + ";\n";
    q += "union\n";
    q += "    (DeviceNetworkEvents | where Timestamp > ago(30d) | where RemoteIP == Address or LocalIP == Address\n";
    q += "        | summarize Events = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n";
    q += "            Processes = make_set(InitiatingProcessFileName, 20), ActionTypes = make_set(ActionType, 10)\n";
    q += "            by Source = \"DeviceNetworkEvents\", Who = DeviceName),\n";
    q += "    (DeviceLogonEvents | where Timestamp > ago(30d) | where RemoteIP == Address\n";
    q += "        | summarize Events = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n";
    q += "            Processes = make_set(AccountName, 20), ActionTypes = make_set(ActionType, 10)\n";
    q += "            by Source = \"DeviceLogonEvents\", Who = DeviceName),\n";
    q += "    (IdentityLogonEvents | where Timestamp > ago(30d) | where IPAddress == Address\n";
    q += "        | summarize Events = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n";
    q += "            Processes = make_set(Application, 20), ActionTypes = make_set(ActionType, 10)\n";
    q += "            by Source = \"IdentityLogonEvents\", Who = AccountUpn)";
    if (t == KqlTarget::Defender) {
      // Entra ID sign-ins: EntraIdSignInEvents replaces AADSignInEventsBeta; a tenant has either
      // (isfuzzy: a missing table is no error).
      q += ",\n    (union isfuzzy=true AADSignInEventsBeta, EntraIdSignInEvents\n";
      q += "        | where Timestamp > ago(30d) | where IPAddress == Address\n";
      q += "        | summarize Events = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n";
      q += "            Processes = make_set(Application, 20), ActionTypes = make_set(tostring(ErrorCode), 10)\n";
      q += "            by Source = \"Entra ID sign-ins\", Who = AccountUpn)\n";
    } else {
      q += ",\n    (union SigninLogs, AADNonInteractiveUserSignInLogs | where TimeGenerated > ago(30d) | where IPAddress == Address\n";
      q += "        | summarize Events = count(), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated),\n";
      q += "            Processes = make_set(AppDisplayName, 20), ActionTypes = make_set(ResultType, 10)\n";
      q += "            by Source = Type, Who = UserPrincipalName),\n";
      q += "    (SecurityEvent | where TimeGenerated > ago(30d) | where IpAddress == Address\n";
      q += "        | summarize Events = count(), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated),\n";
      q += "            Processes = make_set(Account, 20), ActionTypes = make_set(tostring(EventID), 10)\n";
      q += "            by Source = \"SecurityEvent\", Who = Computer),\n";
      q += "    (CommonSecurityLog | where TimeGenerated > ago(30d) | where SourceIP == Address or DestinationIP == Address\n";
      q += "        | summarize Events = count(), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated),\n";
      q += "            Processes = make_set(DeviceProduct, 20), ActionTypes = make_set(DeviceAction, 10)\n";
      q += "            by Source = \"CommonSecurityLog\", Who = DeviceName)\n";
    }
    q += "| sort by Events desc\n";
    out.push_back({"address-fleet", "The address across the fleet and every table", q});

    // The network around the address: its /24 (IPv4) or /48 (IPv6), the block a renter of several
    // servers at one provider tends to stay in.
    const bool v4 = ip.isV4();
    IpAddress net = ip;
    const int keep = v4 ? 96 + 24 : 48;
    for (int bit = keep; bit < 128; ++bit) net.bytes[size_t(bit / 8)] &= uint8_t(~(0x80u >> (bit % 8)));
    const std::string prefix = quote(formatIp(net) + (v4 ? "/24" : "/48"));
    q = "// The network's other addresses: who on the fleet talked to the same " + std::string(v4 ? "/24" : "/48") +
        " over 30 days.\n";
    q += "let Network = " + prefix + ";\n";
    q += "DeviceNetworkEvents\n";
    q += "| where Timestamp > ago(30d)\n";
    q += std::string("| where ") + (v4 ? "ipv4_is_in_range(RemoteIP, Network)" : "ipv6_is_in_range(RemoteIP, Network)") + "\n";
    q += "| summarize Connections = count(), Devices = dcount(DeviceName), DeviceNames = make_set(DeviceName, 20),\n";
    q += "    Processes = make_set(InitiatingProcessFileName, 20), FirstSeen = min(Timestamp), LastSeen = max(Timestamp)\n";
    q += "  by RemoteIP\n";
    q += "| sort by Connections desc\n";
    out.push_back({"network", std::string("Other addresses in the ") + (v4 ? "/24" : "/48"), q});
  }

  if (account && !account->empty()) {
    std::string q = "// The account's sign-ins and logons around the row's connections (a day either side).\n";
    const std::string wide = from.empty() || to.empty() ? std::string()
                                                        : datetimeLiteral(row, "FirstConnection", -24 * 60);
    const std::string wideTo = datetimeLiteral(row, "LastConnection", 24 * 60);
    const bool span = !wide.empty() && !wideTo.empty();
    q += "let Account = " + quote(*account) + ";\n";
    auto within = [&](const char* col) {
      return span ? std::string("| where ") + col + " between (" + wide + " .. " + wideTo + ")"
                  : std::string("| where ") + col + " > ago(7d)";
    };
    q += "union\n";
    q += "    (DeviceLogonEvents " + within("Timestamp") + " | where AccountName =~ Account\n";
    q += "        | project Time = Timestamp, Source = \"DeviceLogonEvents\", Where = DeviceName, ActionType,\n";
    q += "            Detail = LogonType, Address = RemoteIP),\n";
    q += "    (IdentityLogonEvents " + within("Timestamp") + " | where AccountName =~ Account\n";
    q += "        | project Time = Timestamp, Source = \"IdentityLogonEvents\", Where = DeviceName, ActionType,\n";
    q += "            Detail = LogonType, Address = IPAddress)";
    if (t == KqlTarget::Defender) {
      q += ",\n    (union isfuzzy=true AADSignInEventsBeta, EntraIdSignInEvents " + within("Timestamp") + "\n";
      q += "        | where AccountUpn =~ Account or AccountUpn startswith strcat(Account, \"@\")\n";
      q += "        | project Time = Timestamp, Source = \"Entra ID sign-ins\", Where = Application,\n";
      q += "            ActionType = tostring(ErrorCode), Detail = LogonType, Address = IPAddress)\n";
    } else {
      q += ",\n    (union SigninLogs, AADNonInteractiveUserSignInLogs " + within("TimeGenerated") + "\n";
      q += "        | where UserPrincipalName =~ Account or UserPrincipalName startswith strcat(Account, \"@\")\n";
      q += "        | project Time = TimeGenerated, Source = Type, Where = AppDisplayName, ActionType = ResultType,\n";
      q += "            Detail = ResultDescription, Address = IPAddress),\n";
      q += "    (SecurityEvent " + within("TimeGenerated") + " | where TargetUserName =~ Account\n";
      q += "        | where EventID in (4624, 4625, 4648)\n";
      q += "        | project Time = TimeGenerated, Source = \"SecurityEvent\", Where = Computer,\n";
      q += "            ActionType = tostring(EventID), Detail = tostring(LogonType), Address = IpAddress)\n";
    }
    q += "| sort by Time asc\n";
    out.push_back({"account-signins", "The account's sign-ins around it", q});
  }
  return out;
}

}  // namespace

std::string beaconBody(const Rule& r, KqlTarget t, const KqlOptions& options, std::vector<std::string>& notExpressed,
                       std::vector<std::string>& differences) {
  return r.mode == "beyond" ? beyondBody(r, t, options, notExpressed, differences)
                            : seedBody(r, t, notExpressed, differences);
}

const KqlDetection kBeaconKql{"beacon", &beaconQuery, &beaconPivots};

}  // namespace vpshunt::kql

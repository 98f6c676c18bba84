// The infrastructure detection as KQL (vpshunt/kql.hpp): the beacon, inbound and signin queries'
// rows rolled up per network, with the core's Score and Reasons (infrastructure.cpp beside this
// file). The beacon query runs as a function (its statements stay in their own scope); the
// inbound and signin statements are written once, sharing the watchlist and the helpers.
#include <algorithm>

#include "detections/kql_common.hpp"

namespace vpshunt::kql {

namespace {

std::string infrastructureQuery(const Rule& rule, KqlTarget t, const KqlOptions& options) {
  const InfrastructureRule& r = rule.infrastructure;
  std::vector<std::string> notExpressed, differences;
  std::vector<std::string> beaconNot, beaconDiff, inboundNot, inboundDiff, signinNot, signinDiff;
  const std::string beacon = beaconBody(rule, t, options, beaconNot, beaconDiff);
  const std::string inbound = inboundLets(rule, t, options, inboundNot, inboundDiff, false);
  const std::string signin = signinLets(rule, t, options, signinNot, signinDiff, false);
  // The three queries' own lists: an item two of them share once, as it is; the others named by
  // their detection.
  auto merge = [](std::vector<std::string>& to, const std::vector<std::string> (&from)[3]) {
    static const char* const names[] = {"beacon: ", "inbound: ", "signin: "};
    std::vector<std::string> shared;
    for (int i = 0; i < 3; ++i)
      for (const auto& item : from[i]) {
        int in = 0;
        for (const auto& list : from) in += std::count(list.begin(), list.end(), item) > 0;
        if (in > 1) {
          if (std::find(shared.begin(), shared.end(), item) == shared.end()) shared.push_back(item);
        } else if (std::find(to.begin(), to.end(), names[i] + item) == to.end()) {
          to.push_back(names[i] + item);
        }
      }
    to.insert(to.begin(), shared.begin(), shared.end());
  };
  merge(notExpressed, {beaconNot, inboundNot, signinNot});
  differences.push_back("the rows rolled up are this query's own beacon, inbound and signin rows, with what differs "
                        "for each (below)");
  differences.push_back("a network is the watchlist range that holds the address when it is no wider than /" +
                        std::to_string(r.ipv4Prefix) + " (/" + std::to_string(r.ipv6Prefix) +
                        "), else the address's /" + std::to_string(r.ipv4Prefix) + " (/" + std::to_string(r.ipv6Prefix) +
                        "); vpshunt uses the ASN database's announced range, which the watchlist may hold as several "
                        "blocks, and addresses outside the watchlist still have a range there");
  differences.push_back("an IPv6 network is written in full (parse_ipv6_mask: 2a03:b0c0:0003:0000:...), vpshunt "
                        "writes it compressed (2a03:b0c0:3::/48)");
  differences.push_back("addresses of equal scores, devices and users are ordered as text here; found users of a "
                        "network by their failures");
  std::vector<std::string> own;
  own.swap(differences);
  merge(differences, {beaconDiff, inboundDiff, signinDiff});
  differences.insert(differences.begin(), own.begin(), own.end());

  std::string q;
  q += "// T1583.003 \xE2\x80\x94 Virtual Private Server: the attacker's rented estate across the three traces (beacon,\n";
  q += "// inbound, signin), one row per network: two traces outrank one.\n";
  q += "let TraceMinScore = " + std::to_string(r.traceMinScore) + ";\n";
  q += "let IPv4Prefix = " + std::to_string(r.ipv4Prefix) + ";\n";
  q += "let IPv6Prefix = " + std::to_string(r.ipv6Prefix) + ";\n";
  q += "let DistributedMinAddresses = " + std::to_string(r.distributedMinAddresses) + ";\n";
  q += "// The beacon query (vpshunt --export-kql --detect beacon), as a function\n";
  q += "let BeaconRows = () {\n" + beacon + "};\n";
  q += addressFunctions();
  q += "// Hosting ranges: CIDR, ASN, provider, category, organisation (vpshunt --export-watchlist).\n";
  q += hostingLets(t, options);
  q += "// The inbound query's statements (vpshunt --export-kql --detect inbound)\n" + inbound;
  q += "// The signin query's statements (vpshunt --export-kql --detect signin)\n" + signin;
  const std::string beaconScore = rule.mode == "beyond" ? "VpsScore" : "RiskScore";
  q += "// Step 1: every row's address and score (a beacon row's is its " + beaconScore + "), and its network\n";
  q += "let TraceRows = union\n";
  q += "    (BeaconRows() | project RemoteIP, Trace = \"beacon\", RowScore = toint(" + beaconScore +
       "), Device = DeviceName, Connections = long(0)),\n";
  q += "    (InboundScored | project RemoteIP, Trace = \"inbound\", RowScore = toint(Score), Device = \"\",\n";
  q += "        Connections = tolong(ConnectionCount)),\n";
  q += "    (SignInScored | project RemoteIP, Trace = \"signin\", RowScore = toint(Score), Device = \"\", Connections = long(0));\n";
  q += "let TraceNetworks = " + attributed(t, "TraceRows");
  q += "| extend RangePrefix = toint(extract(@\"/([0-9]+)$\", 1, HostingCidr))\n";
  q += "| extend Network = iff(isnotnull(parse_ipv4(RemoteIP)),\n";
  q += "    iff(RangePrefix >= IPv4Prefix, HostingCidr, format_ipv4_mask(RemoteIP, IPv4Prefix)),\n";
  q += "    iff(RangePrefix >= IPv6Prefix, HostingCidr, strcat(parse_ipv6_mask(RemoteIP, IPv6Prefix), \"/\", IPv6Prefix)));\n";
  q += "// Step 2: per network, its addresses (the best-scored first; the network's attribution is that address's)\n";
  q += "let NetworkAddresses = TraceNetworks\n";
  q += "| summarize Best = max(RowScore), take_any(RemoteASN, RemoteOrg, HostingProvider, HostingCategory, HostingConfidence,\n";
  q += "    HostingReason) by Network, RemoteIP\n";
  q += "| summarize IPCount = count(), P = make_list(pack_array(Best, RemoteIP, RemoteASN, RemoteOrg, HostingProvider,\n";
  q += "    HostingCategory, HostingConfidence, HostingReason)) by Network\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend B = toint(E[0]), Ip = tostring(E[1])\n";
  q += "    | order by B desc, Ip asc\n";
  q += "    | summarize RemoteIPs = make_list(Ip, 10), First = make_list(E, 1))\n";
  q += "| extend RemoteASN = tolong(First[0][2]), RemoteOrg = tostring(First[0][3]), HostingProvider = tostring(First[0][4]),\n";
  q += "    HostingCategory = tostring(First[0][5]), HostingConfidence = tostring(First[0][6]), HostingReason = tostring(First[0][7])\n";
  q += "| project-away P, First;\n";
  q += "let NetworkCounts = TraceNetworks\n";
  q += "| summarize BeaconRows = countif(Trace == \"beacon\"), BeaconBest = maxif(RowScore, Trace == \"beacon\"),\n";
  q += "    Devices = make_set_if(Device, Trace == \"beacon\"), InboundRows = countif(Trace == \"inbound\"),\n";
  q += "    InboundConnections = sumif(Connections, Trace == \"inbound\"), InboundBest = maxif(RowScore, Trace == \"inbound\"),\n";
  q += "    SignInRows = countif(Trace == \"signin\"), SignInBest = maxif(RowScore, Trace == \"signin\") by Network;\n";
  q += "// Step 3: the network's sign-ins, summed over its addresses, and scored together as one source\n";
  q += "let SignInNetworkOf = TraceNetworks | where Trace == \"signin\" | distinct RemoteIP, Network;\n";
  q += "let NetworkUsers = SignInPairs\n";
  q += "| join kind=inner SignInNetworkOf on RemoteIP\n";
  q += "| summarize User = take_any(User), Failures = sum(Failures), Successes = sum(Successes) by Network, UserKey\n";
  q += "| summarize UserCount = count(), FailingUsers = countif(Failures > 0), SuccessUsers = countif(Successes > 0),\n";
  q += "    MaxUserFailures = max(Failures), P = make_list(pack_array(Failures, User, Successes)) by Network\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend F = tolong(E[0]), U = tostring(E[1]), S = tolong(E[2])\n";
  q += "    | order by F desc, U asc\n";
  q += "    | take 1\n";
  q += "    | project MaxUserName = U)\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend U = tostring(E[1]), S = tolong(E[2])\n";
  q += "    | where S > 0\n";
  q += "    | order by U asc\n";
  q += "    | summarize SuccessNames = make_list(U, 10))\n";
  q += "| extend SuccessNames = coalesce(SuccessNames, dynamic([]))\n";
  q += "| project-away P;\n";
  q += "let NetworkFound = SignInPairs\n";
  q += "| where isnotempty(FoundKind)\n";
  q += "| join kind=inner SignInNetworkOf on RemoteIP\n";
  q += "| summarize P = make_list(pack_array(Failures, User, AllBefore, FoundKind, FoundText)) by Network\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend F = tolong(E[0]), U = tostring(E[1]), Kind = tostring(E[3]), Text = tostring(E[4])\n";
  q += "    | order by F desc, U asc\n";
  q += "    | summarize SignedIn = make_list_if(pack_array(F, U, tobool(E[2])), Kind == \"signedin\"),\n";
  q += "        SignedInText = make_list_if(Text, Kind == \"signedin\"), Stopped = make_list_if(Text, Kind == \"stopped\"),\n";
  q += "        StoppedText = make_list_if(Text, Kind == \"stopped\"), FoundUsers = make_set_if(U, Kind == \"signedin\"))\n";
  q += "| project-away P;\n";
  q += "let NetworkCodes = SignInCodeCounts\n";
  q += "| join kind=inner SignInNetworkOf on RemoteIP\n";
  q += "| summarize N = sum(N), Words = take_any(Words) by Network, CodeKey\n";
  q += "| summarize P = make_list(pack_array(N, CodeKey, Words)) by Network\n";
  q += "| mv-apply E = P on (extend N = tolong(E[0]), K = tostring(E[1]), W = tostring(E[2])\n";
  q += "    | order by N desc, K asc | summarize TopReasons = make_list(W, 3))\n";
  q += "| project Network, TopReasons;\n";
  q += "let SignInNetworks = SignInScored\n";
  q += "| join kind=inner SignInNetworkOf on RemoteIP\n";
  q += "| summarize Addresses = count(), Attempts = sum(Attempts), Failures = sum(FailureCount), Successes = sum(SuccessCount),\n";
  q += "    Interrupted = sum(Interrupted), FirstSeen = min(FirstSeen), LastSeen = max(LastSeen),\n";
  q += "    IsTIMatch = countif(IsTIMatch) > 0, ThreatType = take_anyif(ThreatType, IsTIMatch),\n";
  q += "    TIConfidence = take_anyif(TIConfidence, IsTIMatch) by Network\n";
  q += "| lookup kind=leftouter NetworkUsers on Network\n";
  q += "| lookup kind=leftouter NetworkFound on Network\n";
  q += "| lookup kind=leftouter NetworkCodes on Network\n";
  q += "| lookup kind=leftouter (NetworkAddresses | project Network, HostingCategory, HostingConfidence, HostingReason) on Network\n";
  q += "| extend SignedIn = coalesce(SignedIn, dynamic([])), SignedInText = coalesce(SignedInText, dynamic([])),\n";
  q += "    Stopped = coalesce(Stopped, dynamic([])), StoppedText = coalesce(StoppedText, dynamic([])),\n";
  q += "    FoundUsers = coalesce(FoundUsers, dynamic([])), TopReasons = coalesce(TopReasons, dynamic([])),\n";
  q += "    IsHosting = isnotempty(HostingCategory), NetworkReason = HostingReason\n";
  q += signinScore(rule);
  q += "| project Network, SignInUsers = UserCount, SignInFailures = Failures, SignInSuccesses = Successes, SignInAttempts = Attempts,\n";
  q += "    Together = iff(Addresses >= DistributedMinAddresses, Score, -1), TogetherSpray = Addresses >= DistributedMinAddresses and Spray,\n";
  q += "    FoundUsers;\n";
  q += "// Step 4: traces (a beacon row always counts; inbound and signin evidence from TraceMinScore on), the Score:\n";
  q += "// 0 / 20 / 60 / 75 for 0-3 traces + 0.35 x the best counted evidence + breadth (2.5 x log2 addresses, at most 10)\n";
  q += "NetworkAddresses\n";
  q += "| lookup kind=leftouter NetworkCounts on Network\n";
  q += "| lookup kind=leftouter SignInNetworks on Network\n";
  q += "| extend SignInUsers = coalesce(SignInUsers, 0), SignInFailures = coalesce(SignInFailures, 0),\n";
  q += "    SignInSuccesses = coalesce(SignInSuccesses, 0), Together = coalesce(Together, -1), FoundUsers = coalesce(FoundUsers, dynamic([]))\n";
  q += "| extend BeaconEvidence = iff(BeaconRows > 0, BeaconBest, -1), InboundEvidence = iff(InboundRows > 0, InboundBest, -1),\n";
  q += "    SignInEvidence = max_of(iff(SignInRows > 0, SignInBest, -1), Together)\n";
  q += "| extend CountsBeacon = BeaconEvidence >= 0,\n";
  q += "    CountsInbound = InboundEvidence >= 0 and InboundEvidence >= TraceMinScore,\n";
  q += "    CountsSignIn = SignInEvidence >= 0 and SignInEvidence >= TraceMinScore\n";
  q += "| extend Traces = toint(CountsBeacon) + toint(CountsInbound) + toint(CountsSignIn)\n";
  q += "| extend BestCounted = max_of(iff(CountsBeacon, BeaconEvidence, 0), iff(CountsInbound, InboundEvidence, 0),\n";
  q += "        iff(CountsSignIn, SignInEvidence, 0)),\n";
  q += "    BestAny = max_of(BeaconEvidence, InboundEvidence, SignInEvidence, 0)\n";
  q += "| extend Score = toint(round(max_of(0.0, min_of(100.0, case(Traces == 0, 0.0, Traces == 1, 20.0, Traces == 2, 60.0, 75.0)\n";
  q += "    + 0.35 * iff(Traces > 0, BestCounted, BestAny) + min_of(10.0, 2.5 * log2(max_of(1, IPCount)))))))\n";
  q += "| extend Detections = array_concat(iff(BeaconRows > 0, dynamic([\"beacon\"]), dynamic([])),\n";
  q += "    iff(InboundRows > 0, dynamic([\"inbound\"]), dynamic([])), iff(SignInRows > 0, dynamic([\"signin\"]), dynamic([])))\n";
  q += "| extend Counted = array_concat(iff(CountsBeacon, dynamic([\"beacon\"]), dynamic([])),\n";
  q += "    iff(CountsInbound, dynamic([\"inbound\"]), dynamic([])), iff(CountsSignIn, dynamic([\"signin\"]), dynamic([])))\n";
  q += "| extend BeaconDevices = array_length(Devices)\n";
  q += "| extend Reasons = array_concat(\n";
  q += "    pack_array(iff(isnotempty(HostingReason), HostingReason, \"not in a hosting range of the VpsHosting watchlist\")),\n";
  q += "    pack_array(iff(Traces > 0, strcat(Traces, iff(Traces == 1, \" trace: \", \" traces: \"), strcat_array(Counted, \", \")),\n";
  q += "        strcat(\"no trace strong enough on its own (best row score \", BestAny, \")\"))),\n";
  q += "    iff(BeaconRows > 0, pack_array(strcat(\"beacon: \", BeaconRows, iff(BeaconRows == 1, \" row\", \" rows\"), \" from \",\n";
  q += "        BeaconDevices, iff(BeaconDevices == 1, \" device\", \" devices\"), \" (\", NameList(array_sort_asc(Devices), 3),\n";
  q += "        \"), best score \", BeaconBest)), dynamic([])),\n";
  q += "    iff(InboundRows > 0, pack_array(strcat(\"inbound: \", InboundRows, iff(InboundRows == 1, \" address, \", \" addresses, \"),\n";
  q += "        InboundConnections, iff(InboundConnections == 1, \" connection\", \" connections\"), \", best score \", InboundBest)),\n";
  q += "        dynamic([])),\n";
  q += "    iff(SignInRows > 0, pack_array(strcat(\"signin: \", SignInRows, iff(SignInRows == 1, \" address, \", \" addresses, \"),\n";
  q += "        SignInUsers, iff(SignInUsers == 1, \" user\", \" users\"), \" tried, \", SignInFailures, \" failed, \",\n";
  q += "        SignInSuccesses, \" succeeded, best address score \", SignInBest)), dynamic([])),\n";
  q += "    iff(SignInRows > 0 and TogetherSpray, pack_array(strcat(\"distributed spray: \", SignInUsers,\n";
  q += "        iff(SignInUsers == 1, \" user\", \" users\"), \" from \", SignInRows, \" addresses, \",\n";
  q += "        Percent(SignInFailures, SignInAttempts), \" of attempts failed (together they score \", Together,\n";
  q += "        iff(Together > SignInBest, \", more than any one address)\", \")\"))), dynamic([])),\n";
  q += "    iff(SignInRows > 0 and array_length(FoundUsers) > 0,\n";
  q += "        pack_array(strcat(\"signed in after failures: \", NameList(FoundUsers, 5))), dynamic([])),\n";
  q += "    iff(IPCount > 1, pack_array(strcat(IPCount, \" addresses of the network in the rows\")), dynamic([])))\n";
  q += "| extend Detection = \"infrastructure\", HostingProvider = iff(isnotempty(HostingCategory), HostingProvider, \"\"),\n";
  q += "    SignInRows = tolong(SignInRows)\n";
  q += "| project Detection, Score, Network, RemoteASN, RemoteOrg, HostingProvider, HostingCategory, RemoteIPs, IPCount,\n";
  q += "    Detections, BeaconRows, BeaconDevices, InboundRows, InboundConnections, SignInRows, SignInUsers, SignInFailures,\n";
  q += "    SignInSuccesses, Reasons\n";
  q += "| sort by Score desc, IPCount desc, Network asc\n";
  return header("infrastructure", rule, t, notExpressed, differences) + q;
}

// ---------------------------------------------------------------------------------------------
// pivots: every address of the network across every table, the devices that called it, the users
// who signed in from it, the AS.

std::vector<KqlPivot> infrastructurePivots(const KqlRow& row, KqlTarget t, const KqlOptions& options) {
  std::vector<KqlPivot> out;
  IpAddress base;
  int prefix = 0;
  if (!parseNetworkField(row, "Network", base, prefix)) return out;
  // The row carries no times: the last 30 days.
  const std::string window = "let WindowStart = ago(30d);\nlet WindowEnd = now();\n";
  const std::string network = networkMatch(base, prefix);
  std::vector<std::string> rowAddresses;
  for (const std::string& a : listField(row, "RemoteIPs")) {
    IpAddress ip;
    if (parseIp(a, ip)) rowAddresses.push_back(formatIp(ip));
  }
  const std::string inRow = "let RowAddresses = " + dynamicList(rowAddresses) + ";\n";

  out.push_back(everywherePivot("network-everywhere", "Every address of the network across every table",
                                "// Every address of the network in every table over the last 30 days (InRow marks the addresses\n"
                                "// of vpshunt's row).\n",
                                network + inRow + window, t, true, "| extend InRow = Address in (RowAddresses)\n"));

  std::string q = "// The devices that called the network (outbound connections), with the processes and accounts behind\n"
                  "// them, over the last 30 days.\n";
  if (t == KqlTarget::Defender)
    q += "// Advanced hunting has no CommonSecurityLog: firewall logs are not searched here; the sentinel form reads them.\n";
  q += network + window;
  q += "union\n";
  q += "    (DeviceNetworkEvents | where Timestamp between (WindowStart .. WindowEnd)\n";
  q += "        | where not(ActionType startswith \"Inbound\") and ActionType != \"ListeningConnectionCreated\" and Matches(RemoteIP)\n";
  q += "        | project Time = Timestamp, Source = \"DeviceNetworkEvents\", Device = DeviceName,\n";
  q += "            Process = InitiatingProcessFileName, Account = InitiatingProcessAccountName, Address = RemoteIP,\n";
  q += "            Port = tolong(RemotePort))";
  if (t != KqlTarget::Defender) {
    q += ",\n    (CommonSecurityLog | where TimeGenerated between (WindowStart .. WindowEnd)\n";
    q += "        | where Matches(DestinationIP) and not(Matches(SourceIP))\n";
    q += "        | project Time = TimeGenerated, Source = \"CommonSecurityLog\", Device = coalesce(SourceHostName, SourceIP),\n";
    q += "            Process = RequestClientApplication, Account = SourceUserName, Address = DestinationIP,\n";
    q += "            Port = tolong(DestinationPort))";
  }
  q += "\n| summarize Connections = count(), FirstSeen = min(Time), LastSeen = max(Time), Hours = dcount(bin(Time, 1h)),\n";
  q += "    Addresses = make_set(Address, 20), Ports = make_set(Port, 20) by Source, Device, Process, Account\n";
  q += "| sort by Connections desc\n";
  out.push_back({"network-beacons", "Devices that called the network", q});

  q = "// The users who signed in from the network (or tried to), over the last 30 days: attempts, successes,\n"
      "// addresses and apps per user, interactive and non-interactive.\n" + unreachableNote(t);
  q += network + window;
  q += signInEvents(t, false, true);
  q += "| summarize Attempts = count(), Successes = countif(Succeeded), FirstSeen = min(Time), LastSeen = max(Time),\n";
  q += "    Addresses = make_set(Address, 20), Apps = make_set(App, 20), Results = make_set(Result, 20) by User\n";
  q += "| sort by Successes desc, Attempts desc\n";
  out.push_back({"network-signins", "Users who signed in from the network", q});

  int64_t asn = 0;
  if (isHostingRow(row) && parseAsnField(row, "RemoteASN", asn)) out.push_back(asnPivot(asn, window, t, options));
  return out;
}

}  // namespace

const KqlDetection kInfrastructureKql{"infrastructure", &infrastructureQuery, &infrastructurePivots};

}  // namespace vpshunt::kql

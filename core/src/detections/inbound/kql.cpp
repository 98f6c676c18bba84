// The inbound detection as KQL (vpshunt/kql.hpp): one row per remote source address over the
// inbound lookback, with the core's Score and Reasons (inbound.cpp beside this file, step by step).
//
// Sources: DeviceNetworkEvents' inbound rows (every target) and CommonSecurityLog's inbound rows
// (sentinel, adx: advanced hunting has no CommonSecurityLog), told inbound as the core's CEF reader
// tells them (formats/firewall_rows.hpp): FortiGate interface roles, then the addresses, then
// CommunicationDirection.
#include "detections/kql_common.hpp"

namespace vpshunt::kql {

namespace {

std::string intList(const std::vector<int64_t>& v) {
  std::string s = "dynamic([";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "])";
}

}  // namespace

// The functions both the inbound and the signin queries use to tell addresses apart.
std::string addressFunctions() {
  return "// An address inside the organisation (private, loopback, link-local), as vpshunt's readers tell them\n"
         "let IsInternalAddress = (a:string) {\n"
         "    iff(isnotnull(parse_ipv4(a)),\n"
         "        ipv4_is_private(a) or ipv4_is_in_range(a, \"127.0.0.0/8\") or ipv4_is_in_range(a, \"169.254.0.0/16\"),\n"
         "        ipv6_is_in_range(a, \"fc00::/7\") or ipv6_is_in_range(a, \"fe80::/10\") or ipv6_compare(a, \"::1\") == 0)\n"
         "};\n"
         "let IsAddress = (a:string) { isnotnull(parse_ipv4(a)) or isnotnull(parse_ipv6(a)) };\n"
         "// A span in words: \"9 min\", \"23 h\", \"4 s\"\n"
         "let SpanText = (d:timespan) {\n"
         "    let s = d / 1s;\n"
         "    iff(s < 90, strcat(round(s), \" s\"), iff(s < 5400, strcat(round(s / 60), \" min\"),\n"
         "        iff(s < 172800, strcat(round(s / 3600), \" h\"), strcat(round(s / 86400), \" days\"))))\n"
         "};\n"
         "// \"a, b and 3 more\": the first `max` names of a list\n"
         "let NameList = (names:dynamic, max:int) {\n"
         "    strcat(strcat_array(array_slice(names, 0, max - 1), \", \"),\n"
         "        iff(array_length(names) > max, strcat(\" and \", array_length(names) - max, \" more\"), \"\"))\n"
         "};\n"
         "// A share in whole percent, never 100% unless all, never 0% unless none\n"
         "let Percent = (part:long, whole:long) {\n"
         "    let p = iff(whole == 0, 0, tolong(round(100.0 * part / whole)));\n"
         "    strcat(iff(p == 100 and part < whole, 99, iff(p == 0 and part > 0, 1, p)), \"%\")\n"
         "};\n";
}

std::string inboundLets(const Rule& rule, KqlTarget t, const KqlOptions& options, std::vector<std::string>& notExpressed,
                        std::vector<std::string>& differences, bool standalone) {
  const InboundRule& r = rule.inbound;
  differences.push_back("now: ago() counts back from when the query runs; vpshunt's now is --now or the latest event "
                        "in the loaded files");
  hostingDifferences(t, options, differences);
  differences.push_back("public sources: RemoteIPType == \"Public\" (DeviceNetworkEvents) or a source address that is "
                        "not private, loopback or link-local (CommonSecurityLog); vpshunt also leaves out shared "
                        "address space, documentation and multicast ranges when a log has no RemoteIPType");
  differences.push_back("targets and ports of equal counts are listed by name (port) here, by first appearance in vpshunt");
  differences.push_back("round() and the spans in words may round halves differently");
  if (t == KqlTarget::Defender) {
    notExpressed.push_back("CommonSecurityLog (firewalls, CEF): not in advanced hunting, so only DeviceNetworkEvents' "
                           "inbound rows are read");
  } else {
    differences.push_back("CommonSecurityLog: a refusal is told by DeviceAction, SimplifiedDeviceAction, EventOutcome "
                          "or Activity (the first that is not empty); vpshunt also reads a vendor's action= key of "
                          "AdditionalExtensions");
    if (t == KqlTarget::Adx)
      differences.push_back("the cluster must hold DeviceNetworkEvents, CommonSecurityLog and " + rule.kqlTiTable +
                            " with Sentinel's columns (e.g. exported from the workspace)");
  }
  if (!hasTiTable(t))
    notExpressed.push_back("the threat-intelligence join (tiLookbackMinutes, tiExtraMatchFields, tiHonourExpiration, "
                           "kqlTiTable): advanced hunting has no Sentinel TI table, so IsTIMatch is false and TI's 30 "
                           "points never apply");

  std::string q;
  q += "// T1583.003 \xE2\x80\x94 Virtual Private Server: inbound attack traffic (scanning, exploit delivery, brute force)\n";
  q += "// from rented servers: one row per source address, its breadth, refusals, persistence and Score.\n";
  q += "let InboundLookback = " + duration(r.lookbackMinutes) + ";\n";
  q += "let InboundMinConnections = " + std::to_string(r.minConnections) + ";\n";
  q += "let AdminPorts = " + intList(r.adminPorts) + ";\n";
  q += "let BruteForceMinConnections = " + std::to_string(r.bruteForceMinConnections) + ";\n";
  if (standalone) {
    q += addressFunctions();
    q += "// Hosting ranges: CIDR, ASN, provider, category, organisation (vpshunt --export-watchlist).\n";
    q += hostingLets(t, options);
  }
  q += "// Step 1: the inbound connections from public addresses\n";
  q += "let InboundEvents = union\n";
  q += "    (DeviceNetworkEvents\n";
  q += "    | where Timestamp > ago(InboundLookback)\n";
  q += "    | where ActionType in~ (\"InboundConnectionAccepted\", \"InboundConnectionFailed\")\n";
  q += "    | where RemoteIPType =~ \"Public\" and isnotempty(RemoteIP) and RemoteIP != \"-\"\n";
  q += "    | extend Device = trim(@\"\\s+\", DeviceName)\n";
  q += "    | project Timestamp, RemoteIP, Target = coalesce(Device, trim(@\"\\s+\", LocalIP), \"(unknown)\"),\n";
  q += "        TargetPort = tolong(LocalPort), Refused = ActionType =~ \"InboundConnectionFailed\",\n";
  q += "        HasDeviceName = isnotempty(Device) and not(IsAddress(Device)))";
  if (t != KqlTarget::Defender) {
    q += ",\n    (CommonSecurityLog\n";
    q += "    | where TimeGenerated > ago(InboundLookback)\n";
    q += "    | where isnotempty(SourceIP) and IsAddress(SourceIP) and not(IsInternalAddress(SourceIP))\n";
    q += "    // Direction: FortiGate interface roles, then the addresses, then CommunicationDirection\n";
    q += "    | extend SrcRole = tolower(extract(@\"(?:^|;)srcintfrole=([^;]*)\", 1, AdditionalExtensions)),\n";
    q += "        DstRole = tolower(extract(@\"(?:^|;)dstintfrole=([^;]*)\", 1, AdditionalExtensions))\n";
    q += "    | extend ByRoles = case(SrcRole == \"wan\" and isnotempty(DstRole) and DstRole != \"wan\", \"in\",\n";
    q += "        DstRole == \"wan\" and isnotempty(SrcRole) and SrcRole != \"wan\", \"out\", \"\")\n";
    q += "    | extend DestinationInternal = IsAddress(DestinationIP) and IsInternalAddress(DestinationIP)\n";
    q += "    | where ByRoles == \"in\" or (isempty(ByRoles) and (DestinationInternal\n";
    q += "        or (not(IsAddress(DestinationIP)) and CommunicationDirection in~ (\"0\", \"inbound\", \"in\", \"incoming\", \"ingress\", \"i\"))))\n";
    q += "    | extend ActionText = coalesce(DeviceAction, SimplifiedDeviceAction, EventOutcome, Activity)\n";
    q += "    | extend Host = trim(@\"\\s+\", DestinationHostName)\n";
    q += "    | project Timestamp = TimeGenerated, RemoteIP = SourceIP,\n";
    q += "        Target = coalesce(Host, DestinationTranslatedAddress, DestinationIP, \"(unknown)\"),\n";
    q += "        TargetPort = tolong(iff(DestinationTranslatedPort > 0, DestinationTranslatedPort, DestinationPort)),\n";
    q += "        Refused = ActionText matches regex @\"(?i)deny|denied|drop|block|reject|reset|prevent|fail\",\n";
    q += "        HasDeviceName = isnotempty(Host) and not(IsAddress(Host)))";
  }
  q += "\n" + canonicalRemoteIp();
  q.back() = ';';
  q += "\n";
  q += "// Targets are devices when the log names any device, else local addresses (the reasons' word)\n";
  q += "let AnyDeviceNames = toscalar(InboundEvents | summarize countif(HasDeviceName) > 0);\n";
  q += "// Step 2: per source, its counts, targets and ports (the most contacted first)\n";
  q += "let BySource = InboundEvents\n";
  q += "| summarize ConnectionCount = count(), RefusedCount = countif(Refused), FirstSeen = min(Timestamp),\n";
  q += "    LastSeen = max(Timestamp), Hours = array_length(make_set(bin(Timestamp, 1h))) by RemoteIP\n";
  q += "| where ConnectionCount >= InboundMinConnections;\n";
  q += "let ByTarget = InboundEvents\n";
  q += "| summarize N = count() by RemoteIP, Target\n";
  q += "| summarize TargetCount = count(), Pairs = make_list(pack_array(N, Target)) by RemoteIP\n";
  q += "| mv-apply P = Pairs on (\n";
  q += "    extend N = tolong(P[0]), T = tostring(P[1])\n";
  q += "    | order by N desc, T asc\n";
  q += "    | summarize Targets = make_list(T, 5))\n";
  q += "| project RemoteIP, TargetCount, Targets;\n";
  q += "let ByPort = InboundEvents\n";
  q += "| where isnotnull(TargetPort)\n";
  q += "| summarize N = count() by RemoteIP, TargetPort\n";
  q += "| summarize UniqueTargetPorts = count(), AdminConnections = sumif(N, TargetPort in (AdminPorts)),\n";
  q += "    Pairs = make_list(pack_array(N, TargetPort)) by RemoteIP\n";
  q += "| mv-apply P = Pairs on (\n";
  q += "    extend N = tolong(P[0]), Port = tolong(P[1])\n";
  q += "    | order by N desc, Port asc\n";
  q += "    | summarize TargetPorts = make_list(Port, 5), AdminPortsHit = make_list_if(Port, Port in (AdminPorts), 3))\n";
  q += "| project RemoteIP, UniqueTargetPorts, AdminConnections, TargetPorts, AdminPortsHit;\n";
  q += "let InboundSources = BySource\n";
  q += "| lookup kind=leftouter ByTarget on RemoteIP\n";
  q += "| lookup kind=leftouter ByPort on RemoteIP\n";
  q += "| extend UniqueTargetPorts = coalesce(UniqueTargetPorts, 0), AdminConnections = coalesce(AdminConnections, 0),\n";
  q += "    TargetPorts = coalesce(TargetPorts, dynamic([])), AdminPortsHit = coalesce(AdminPortsHit, dynamic([]))\n";
  // Tuning (issue 13): destination entries take the sources inside them out.
  size_t n = 0;
  for (const Suppression& s : rule.suppressions) {
    if (s.kind != Suppression::Kind::Destination) continue;
    const std::string cond = addressCondition(s.remoteIp);
    if (cond.empty()) continue;
    q += "| where not(" + cond + ")  // suppression " + std::to_string(&s - rule.suppressions.data() + 1) + ": destination\n";
    ++n;
  }
  std::string ti = tiJoin(rule, t, "", notExpressed, differences);
  q += ti.substr(ti.find_first_not_of('\n'));
  q.back() = ';';
  q += "\n";
  q += "// Step 3: hosting attribution, the rule's known sources (platform probes), the Score\n";
  q += "let InboundScored = " + attributed(t, "InboundSources");
  q += "| extend IsHosting = isnotempty(HostingCidr)\n";
  if (r.knownSources.empty()) {
    q += "| extend KnownName = \"\"\n";
  } else {
    // The core keeps the last of the known sources that holds the address.
    std::string c;
    for (auto k = r.knownSources.rbegin(); k != r.knownSources.rend(); ++k) {
      const std::string cond = addressCondition(k->cidr);
      if (cond.empty()) continue;
      c += "    " + cond + ", " + quote(k->name) + ",\n";
    }
    q += c.empty() ? "| extend KnownName = \"\"\n" : "| extend KnownName = case(\n" + c + "    \"\")\n";
  }
  q += "// Score: hosting category (bulletproof 30, vps/hosting 25, cloud 10, other 15) + 25 x breadth of targets\n";
  q += "// (log2, 64 = full) + 15 x breadth of ports (16 = full) + brute force 15 + mostly refused 10 + persistent 5\n";
  q += "// + TI 30; a known source at most 5.\n";
  q += "| extend Points = iff(not(IsHosting), 0.0, case(HostingCategory == \"bulletproof\", 30.0,\n";
  q += "        HostingCategory in (\"vps\", \"hosting\"), 25.0, HostingCategory == \"cloud\", 10.0, 15.0))\n";
  q += "    + 25 * min_of(1.0, log2(1.0 + TargetCount) / log2(65.0))\n";
  q += "    + 15 * min_of(1.0, log2(1.0 + UniqueTargetPorts) / log2(17.0))\n";
  q += "    + iff(AdminConnections >= BruteForceMinConnections, 15.0, 0.0)\n";
  q += "    + iff(RefusedCount >= 5 and RefusedCount * 2 >= ConnectionCount, 10.0, 0.0)\n";
  q += "    + iff(Hours >= 6 and (TargetCount >= 2 or UniqueTargetPorts >= 2 or AdminConnections >= BruteForceMinConnections),\n";
  q += "        5.0, 0.0)\n";
  q += "    + iff(IsTIMatch, 30.0, 0.0)\n";
  q += "| extend Score = toint(round(max_of(0.0, min_of(100.0, iff(isnotempty(KnownName), min_of(Points, 5.0), Points)))))\n";
  q += "| extend PortsText = strcat(strcat_array(array_slice(TargetPorts, 0, 2), \", \"),\n";
  q += "    iff(UniqueTargetPorts > 3, strcat(\" and \", UniqueTargetPorts - 3, \" more ports\"), \"\"))\n";
  q += "| extend Reasons = array_concat(\n";
  q += "    iff(isnotempty(KnownName), pack_array(strcat(KnownName, \": probes on purpose, scored low\")), dynamic([])),\n";
  q += "    pack_array(iff(IsHosting, strcat(\"AS\", RemoteASN, \" \", HostingProvider, \" (\", HostingCategory, \")\"),\n";
  q += "        \"not in a hosting range of the VpsHosting watchlist\"),\n";
  q += "    strcat(\"reached \", TargetCount, \" \", iff(AnyDeviceNames, iff(TargetCount == 1, \"device\", \"devices\"),\n";
  q += "            iff(TargetCount == 1, \"address\", \"addresses\")),\n";
  q += "        iff(isempty(PortsText), \"\", strcat(\" on \", PortsText)),\n";
  q += "        iff(ConnectionCount == 1, \", once\",\n";
  q += "            strcat(iff(LastSeen - FirstSeen < 1h, \" within \", \" over \"), SpanText(LastSeen - FirstSeen))))),\n";
  q += "    iff(AdminConnections >= BruteForceMinConnections,\n";
  q += "        pack_array(strcat(AdminConnections, \" connections to remote-access ports (\", strcat_array(AdminPortsHit, \", \"), \")\")),\n";
  q += "        dynamic([])),\n";
  q += "    iff(RefusedCount >= 5 and RefusedCount * 2 >= ConnectionCount,\n";
  q += "        pack_array(strcat(round(100.0 * RefusedCount / ConnectionCount), \"% refused (\", RefusedCount, \" of \",\n";
  q += "            ConnectionCount, \")\")), dynamic([])),\n";
  q += "    iff(Hours >= 6 and (TargetCount >= 2 or UniqueTargetPorts >= 2 or AdminConnections >= BruteForceMinConnections),\n";
  q += "        pack_array(strcat(\"active in \", Hours, \" hours\")), dynamic([])),\n";
  q += "    pack_array(" + tiReason() + "))\n";
  q += "| extend Detection = \"inbound\"\n";
  q += "| project Detection, Score, RemoteIP, RemoteASN, RemoteOrg, IsHosting, HostingProvider, HostingCategory, TargetCount,\n";
  q += "    Targets, UniqueTargetPorts, TargetPorts, ConnectionCount, RefusedCount, FirstSeen, LastSeen, IsTIMatch, Reasons;\n";
  if (n)
    differences.push_back("destination suppressions compare RemoteIP as the tenant stores it (IPv4-mapped addresses "
                          "written as IPv4 first, as vpshunt does)");
  return q;
}

namespace {

std::string inboundQuery(const Rule& r, KqlTarget t, const KqlOptions& options) {
  std::vector<std::string> notExpressed, differences;
  const std::string body = inboundLets(r, t, options, notExpressed, differences, true) +
                           "InboundScored\n| sort by Score desc, ConnectionCount desc, RemoteIP asc\n";
  return header("inbound", r, t, notExpressed, differences) + body;
}

// ---------------------------------------------------------------------------------------------
// pivots: the source across every table, what the targeted hosts did after the first contact,
// the source's network and AS.

std::vector<KqlPivot> inboundPivots(const KqlRow& row, KqlTarget t, const KqlOptions& options) {
  std::vector<KqlPivot> out;
  const std::string* ipText = field(row, "RemoteIP");
  IpAddress ip;
  if (!ipText || !parseIp(*ipText, ip)) return out;
  const std::string address = addressMatch(ip);
  // A week either side of the row's span: what the source did before and after.
  const std::string wide = windowLets(row, "FirstSeen", "LastSeen", 7 * 24 * 60, 7 * 24 * 60);
  const std::string note = unreachableNote(t);

  out.push_back(everywherePivot("address-everywhere", "The source address across every table",
                                "// The source address across every table that holds addresses, a week either side of the row.\n",
                                address + wide, t, false, ""));

  // From the first contact on: logons that succeeded from the source.
  const std::string after = windowLets(row, "FirstSeen", "LastSeen", 0, 7 * 24 * 60);
  const bool hasFirst = !datetimeLiteral(row, "FirstSeen").empty();
  if (hasFirst) {
    std::string q = "// Logons that succeeded from the source, from its first contact to a week after its last.\n" + note;
    q += address + after;
    q += "union\n";
    q += "    (DeviceLogonEvents | where Timestamp between (WindowStart .. WindowEnd)\n";
    q += "        | where Matches(RemoteIP) and ActionType == \"LogonSuccess\"\n";
    q += "        | project Time = Timestamp, Source = \"DeviceLogonEvents\", Where = DeviceName,\n";
    q += "            Account = strcat(AccountDomain, \"\\\\\", AccountName), LogonType),\n";
    q += "    (IdentityLogonEvents | where Timestamp between (WindowStart .. WindowEnd)\n";
    q += "        | where Matches(IPAddress) and ActionType == \"LogonSuccess\"\n";
    q += "        | project Time = Timestamp, Source = \"IdentityLogonEvents\", Where = coalesce(DestinationDeviceName, DeviceName),\n";
    q += "            Account = coalesce(AccountUpn, AccountName), LogonType)";
    if (t == KqlTarget::Defender) {
      q += ",\n    (union isfuzzy=true AADSignInEventsBeta, EntraIdSignInEvents | where Timestamp between (WindowStart .. WindowEnd)\n";
      q += "        | where Matches(IPAddress) and ErrorCode == 0\n";
      q += "        | project Time = Timestamp, Source = \"Entra ID sign-ins\", Where = Application, Account = AccountUpn, LogonType)\n";
    } else {
      q += ",\n    (SecurityEvent | where TimeGenerated between (WindowStart .. WindowEnd)\n";
      q += "        | where EventID == 4624 and Matches(IpAddress)\n";
      q += "        | project Time = TimeGenerated, Source = \"SecurityEvent\", Where = Computer,\n";
      q += "            Account = strcat(TargetDomainName, \"\\\\\", TargetUserName), LogonType = tostring(LogonType)),\n";
      q += "    (union SigninLogs, AADNonInteractiveUserSignInLogs | where TimeGenerated between (WindowStart .. WindowEnd)\n";
      q += "        | where Matches(IPAddress) and ResultType == \"0\"\n";
      q += "        | project Time = TimeGenerated, Source = Type, Where = AppDisplayName, Account = UserPrincipalName,\n";
      q += "            LogonType = ClientAppUsed)\n";
    }
    q += "| sort by Time asc\n";
    out.push_back({"logons-from-source", "Logons that succeeded from the source", q});

    // The targets: the devices that took the source's connections, and the row's targets (names,
    // or local addresses when the log named no device).
    std::vector<std::string> names, addresses;
    for (const std::string& target : listField(row, "Targets")) {
      IpAddress a;
      if (parseIp(target, a))
        addresses.push_back(formatIp(a));
      else
        names.push_back(target);
    }
    q = "// Processes on the devices the source reached, in the day after its first contact: what ran once it\n"
        "// got in (the devices that took its connections, and the row's targets).\n";
    q += address;
    q += "let FirstContact = " + datetimeLiteral(row, "FirstSeen") + ";\n";
    q += "let TargetNames = " + dynamicList(names) + ";\n";
    q += "let TargetAddresses = " + dynamicList(addresses) + ";\n";
    q += "let Contacted = DeviceNetworkEvents\n";
    q += "| where Timestamp between ((FirstContact - 1h) .. (FirstContact + 1d))\n";
    q += "| where (ActionType startswith \"Inbound\" and Matches(RemoteIP)) or LocalIP in (TargetAddresses)\n";
    q += "    or DeviceName in~ (TargetNames) or tostring(split(DeviceName, \".\")[0]) in~ (TargetNames)\n";
    q += "| distinct DeviceName;\n";
    q += "DeviceProcessEvents\n";
    q += "| where Timestamp between (FirstContact .. (FirstContact + 1d))\n";
    q += "| where DeviceName in (Contacted) or DeviceName in~ (TargetNames)\n";
    q += "| summarize Runs = count(), FirstRun = min(Timestamp), LastRun = max(Timestamp),\n";
    q += "    CommandLines = make_set(ProcessCommandLine, 5), SHA1 = take_any(SHA1)\n";
    q += "    by DeviceName, AccountName, FileName, FolderPath, InitiatingProcessFileName\n";
    q += "| sort by FirstRun asc\n";
    out.push_back({"processes-after-contact", "Processes on the targeted devices after the first contact", q});
  }

  addressNetworkPivots(row, ip, wide, t, options, out);
  return out;
}

}  // namespace

const KqlDetection kInboundKql{"inbound", &inboundQuery, &inboundPivots};

}  // namespace vpshunt::kql

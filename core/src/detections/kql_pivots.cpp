// The pieces the inbound, signin and infrastructure pivots share (kql_common.hpp, "pivots"): which
// addresses a pivot is about (one address, a network, an AS's hosting ranges) as one `Matches`
// function, the window, and the union of every table that holds an address or a sign-in.
//
// Every row value reaches a query only parsed and rewritten (addresses, CIDRs, times, ASNs) or as
// a literal through quote() (names); comments hold none.
#include <nlohmann/json.hpp>

#include "detections/kql_common.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt::kql {

std::vector<std::string> listField(const KqlRow& row, std::string_view name) {
  std::vector<std::string> out;
  const std::string* v = field(row, name);
  if (!v || v->empty()) return out;
  // The session writes a list cell as its JSON text; anything else is one value.
  const nlohmann::json j = nlohmann::json::parse(*v, nullptr, false);
  if (!j.is_array()) {
    out.push_back(*v);
    return out;
  }
  for (const auto& item : j) {
    if (item.is_string()) {
      if (!item.get_ref<const std::string&>().empty()) out.push_back(item.get<std::string>());
    } else if (!item.is_null()) {
      out.push_back(item.dump());
    }
  }
  return out;
}

IpAddress maskedAddress(const IpAddress& ip, int prefix128) {
  IpAddress net = ip;
  for (int bit = prefix128; bit < 128; ++bit) net.bytes[size_t(bit / 8)] &= uint8_t(~(0x80u >> (bit % 8)));
  return net;
}

std::string cidrText(const IpAddress& base, int prefix128) {
  return formatIp(base) + "/" + std::to_string(base.isV4() ? prefix128 - 96 : prefix128);
}

bool parseNetworkField(const KqlRow& row, std::string_view name, IpAddress& base, int& prefix128) {
  const std::string* v = field(row, name);
  // A network names its prefix: a bare address is no network.
  if (!v || v->find('/') == std::string::npos || !parseCidr(*v, base, prefix128)) return false;
  // An IPv4 network is written as IPv4 (parseCidr gives IPv4 prefixes in the IPv6 sense).
  if (base.isV4() && prefix128 < 96) return false;
  base = maskedAddress(base, prefix128);
  return true;
}

bool parseAsnField(const KqlRow& row, std::string_view name, int64_t& asn) {
  const std::string* v = field(row, name);
  if (!v || v->empty() || v->size() > 10) return false;
  int64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n <= 0 || n > 4294967295LL) return false;
  asn = n;
  return true;
}

bool isHostingRow(const KqlRow& row) {
  // Inbound and signin rows say IsHosting; infrastructure rows only name the category.
  if (const std::string* v = field(row, "IsHosting")) return *v == "true";
  const std::string* category = field(row, "HostingCategory");
  return category && !category->empty();
}

std::string windowLets(const KqlRow& row, std::string_view first, std::string_view last, int64_t beforeMinutes,
                       int64_t afterMinutes) {
  std::string from = datetimeLiteral(row, first, -beforeMinutes);
  std::string to = datetimeLiteral(row, last, afterMinutes);
  if (to.empty() && !from.empty()) to = datetimeLiteral(row, first, afterMinutes);
  if (from.empty() || to.empty()) return "let WindowStart = ago(30d);\nlet WindowEnd = now();\n";
  return "let WindowStart = " + from + ";\nlet WindowEnd = " + to + ";\n";
}

std::string addressMatch(const IpAddress& ip) {
  std::string q = "let Address = " + quote(formatIp(ip)) + ";\n";
  if (ip.isV4()) {
    // Some tables write an IPv4 peer as IPv4-mapped IPv6.
    q += "let Matches = (a:string) { a == Address or a == strcat(\"::ffff:\", Address) };\n";
  } else {
    // Any spelling of the address (compressed or not, either case).
    q += "let Matches = (a:string) { ipv6_compare(a, Address) == 0 };\n";
  }
  return q;
}

std::string networkMatch(const IpAddress& base, int prefix128) {
  std::string q = "let Network = " + quote(cidrText(base, prefix128)) + ";\n";
  if (base.isV4())
    q += "let Matches = (a:string) { ipv4_is_in_range(iff(a startswith \"::ffff:\", substring(a, 7), a), Network) };\n";
  else
    q += "let Matches = (a:string) { ipv6_is_in_range(a, Network) };\n";
  return q;
}

std::string asnMatch(int64_t asn, KqlTarget t, const KqlOptions& options) {
  // Not `Asn`: the watchlist has a column of that name.
  std::string q = "let RowAsn = " + std::to_string(asn) + ";\n";
  q += "let AsnRanges = materialize(" + hostingTable(t, options) + "\n    | where RemoteASN == RowAsn);\n";
  q += "let AsnV4 = toscalar(AsnRanges | where HostingCidr !contains \":\" | summarize make_list(HostingCidr));\n";
  q += "let AsnV6 = toscalar(AsnRanges | where HostingCidr contains \":\" | summarize make_list(HostingCidr));\n";
  q += "let Matches = (a:string) {\n";
  q += "    ipv4_is_in_any_range(iff(a startswith \"::ffff:\", substring(a, 7), a), AsnV4) or ipv6_is_in_any_range(a, AsnV6)\n";
  q += "};\n";
  return q;
}

std::string unreachableNote(KqlTarget t) {
  if (t != KqlTarget::Defender) return {};
  return "// Advanced hunting holds only the Defender tables: SecurityEvent (Windows logons), CommonSecurityLog\n"
         "// (firewalls), W3CIISLog (web servers), SigninLogs and AADNonInteractiveUserSignInLogs are not searched\n"
         "// here (Entra ID sign-ins are read from AADSignInEventsBeta / EntraIdSignInEvents); run the sentinel form\n"
         "// in the workspace for them.\n";
}

std::string observations(KqlTarget t) {
  // One shape for every table: when, which table, the matching address, the party on our side,
  // what happened, a detail (process, account, app, URL) and the port when the table has one.
  const char* ts = "| where Timestamp between (WindowStart .. WindowEnd)";
  const char* tg = "| where TimeGenerated between (WindowStart .. WindowEnd)";
  std::string q = "union\n";
  q += "    (DeviceNetworkEvents " + std::string(ts) + "\n";
  q += "        | where Matches(RemoteIP) or Matches(LocalIP)\n";
  q += "        | extend Inbound = ActionType startswith \"Inbound\"\n";
  q += "        | project Time = Timestamp, Source = strcat(\"DeviceNetworkEvents \", iff(Inbound, \"inbound\", \"outbound\")),\n";
  q += "            Address = iff(Matches(RemoteIP), RemoteIP, LocalIP), Who = DeviceName, Action = ActionType,\n";
  q += "            Detail = InitiatingProcessFileName, Port = tolong(iff(Inbound, LocalPort, RemotePort))),\n";
  q += "    (DeviceLogonEvents " + std::string(ts) + " | where Matches(RemoteIP)\n";
  q += "        | project Time = Timestamp, Source = \"DeviceLogonEvents\", Address = RemoteIP, Who = DeviceName,\n";
  q += "            Action = ActionType, Detail = strcat(LogonType, \" \", AccountDomain, \"\\\\\", AccountName), Port = tolong(RemotePort)),\n";
  q += "    (IdentityLogonEvents " + std::string(ts) + " | where Matches(IPAddress)\n";
  q += "        | project Time = Timestamp, Source = \"IdentityLogonEvents\", Address = IPAddress, Who = coalesce(AccountUpn, AccountName),\n";
  q += "            Action = ActionType, Detail = strcat(Application, \" \", LogonType), Port = tolong(Port)),\n";
  q += "    (CloudAppEvents " + std::string(ts) + " | where Matches(IPAddress)\n";
  q += "        | project Time = Timestamp, Source = \"CloudAppEvents\", Address = IPAddress, Who = AccountDisplayName,\n";
  q += "            Action = ActionType, Detail = Application, Port = long(null))";
  if (t == KqlTarget::Defender) {
    // A tenant has AADSignInEventsBeta or its successor EntraIdSignInEvents (isfuzzy: a missing
    // table is no error).
    q += ",\n    (union isfuzzy=true AADSignInEventsBeta, EntraIdSignInEvents " + std::string(ts) + " | where Matches(IPAddress)\n";
    q += "        | project Time = Timestamp, Source = strcat(\"Entra ID sign-ins \", LogonType), Address = IPAddress,\n";
    q += "            Who = AccountUpn, Action = tostring(ErrorCode), Detail = Application, Port = long(null))\n";
    return q;
  }
  q += ",\n    (union SigninLogs, AADNonInteractiveUserSignInLogs " + std::string(tg) + " | where Matches(IPAddress)\n";
  q += "        | project Time = TimeGenerated, Source = Type, Address = IPAddress, Who = UserPrincipalName,\n";
  q += "            Action = ResultType, Detail = AppDisplayName, Port = long(null)),\n";
  q += "    (SecurityEvent " + std::string(tg) + " | where EventID in (4624, 4625) | where Matches(IpAddress)\n";
  q += "        | project Time = TimeGenerated, Source = \"SecurityEvent\", Address = IpAddress, Who = Computer,\n";
  q += "            Action = iff(EventID == 4624, \"4624 logon\", \"4625 logon failed\"),\n";
  q += "            Detail = strcat(tostring(LogonType), \" \", TargetDomainName, \"\\\\\", TargetUserName), Port = tolong(IpPort)),\n";
  q += "    (CommonSecurityLog " + std::string(tg) + " | where Matches(SourceIP) or Matches(DestinationIP)\n";
  q += "        | extend FromAddress = Matches(SourceIP)\n";
  q += "        | project Time = TimeGenerated, Source = strcat(\"CommonSecurityLog \", iff(FromAddress, \"from\", \"to\")),\n";
  q += "            Address = iff(FromAddress, SourceIP, DestinationIP), Who = iff(FromAddress, DestinationIP, SourceIP),\n";
  q += "            Action = coalesce(DeviceAction, SimplifiedDeviceAction, EventOutcome, Activity),\n";
  q += "            Detail = strcat(DeviceVendor, \" \", DeviceProduct), Port = tolong(DestinationPort)),\n";
  q += "    (W3CIISLog " + std::string(tg) + " | where Matches(cIP)\n";
  q += "        | project Time = TimeGenerated, Source = \"W3CIISLog\", Address = cIP, Who = coalesce(sSiteName, Computer),\n";
  q += "            Action = strcat(csMethod, \" \", scStatus), Detail = csUriStem, Port = tolong(sPort))\n";
  return q;
}

std::string signInEvents(KqlTarget t, bool byUser, bool byAddress) {
  // One shape for every sign-in table: Succeeded is the table's own success code.
  const std::string ts = "| where Timestamp between (WindowStart .. WindowEnd)";
  const std::string tg = "| where TimeGenerated between (WindowStart .. WindowEnd)";
  auto filters = [&](const char* user, const char* address) {
    std::string f;
    if (byUser) f += std::string(" | where ") + user + " in~ (Users)";
    if (byAddress) f += std::string(" | where Matches(") + address + ")";
    return f;
  };
  std::string q = "union\n";
  if (t == KqlTarget::Defender) {
    q += "    (union isfuzzy=true AADSignInEventsBeta, EntraIdSignInEvents " + ts + filters("AccountUpn", "IPAddress") + "\n";
    q += "        | project Time = Timestamp, Source = strcat(\"Entra ID sign-ins \", LogonType), User = AccountUpn,\n";
    q += "            Address = IPAddress, App = Application, Result = tostring(ErrorCode), Succeeded = ErrorCode == 0,\n";
    q += "            Detail = \"\", Location = strcat(Country, \" \", City), ClientApp = ClientAppUsed, UserAgent),\n";
  } else {
    // LocationDetails is dynamic in SigninLogs and a JSON string in the non-interactive table.
    q += "    (SigninLogs " + tg + filters("UserPrincipalName", "IPAddress") + "\n";
    q += "        | project Time = TimeGenerated, Source = Type, User = UserPrincipalName, Address = IPAddress,\n";
    q += "            App = AppDisplayName, Result = ResultType, Succeeded = ResultType == \"0\", Detail = ResultDescription,\n";
    q += "            Location = strcat(Location, \" \", tostring(LocationDetails.city)), ClientApp = ClientAppUsed, UserAgent),\n";
    q += "    (AADNonInteractiveUserSignInLogs " + tg + filters("UserPrincipalName", "IPAddress") + "\n";
    q += "        | project Time = TimeGenerated, Source = Type, User = UserPrincipalName, Address = IPAddress,\n";
    q += "            App = AppDisplayName, Result = ResultType, Succeeded = ResultType == \"0\", Detail = ResultDescription,\n";
    q += "            Location = strcat(Location, \" \", tostring(parse_json(LocationDetails).city)), ClientApp = ClientAppUsed,\n";
    q += "            UserAgent),\n";
  }
  q += "    (IdentityLogonEvents " + ts + filters("AccountUpn", "IPAddress") + "\n";
  q += "        | project Time = Timestamp, Source = \"IdentityLogonEvents\", User = AccountUpn, Address = IPAddress,\n";
  q += "            App = Application, Result = ActionType, Succeeded = ActionType == \"LogonSuccess\", Detail = FailureReason,\n";
  q += "            Location = Location, ClientApp = LogonType, UserAgent = \"\")\n";
  return q;
}

KqlPivot everywherePivot(std::string id, std::string title, const std::string& why, const std::string& lets, KqlTarget t,
                         bool perAddress, const std::string& extra) {
  std::string q = why + unreachableNote(t) + lets + observations(t);
  if (perAddress) {
    q += "| summarize Events = count(), FirstSeen = min(Time), LastSeen = max(Time), Tables = make_set(Source, 10),\n";
    q += "    Parties = make_set(Who, 20), Actions = make_set(Action, 10), Ports = make_set(Port, 20) by Address\n";
  } else {
    q += "| summarize Events = count(), FirstSeen = min(Time), LastSeen = max(Time), Actions = make_set(Action, 10),\n";
    q += "    Details = make_set(Detail, 20), Ports = make_set(Port, 20) by Source, Who\n";
  }
  q += extra;
  q += "| sort by Events desc\n";
  return {std::move(id), std::move(title), std::move(q)};
}

void addressNetworkPivots(const KqlRow& row, const IpAddress& ip, const std::string& window, KqlTarget t,
                          const KqlOptions& options, std::vector<KqlPivot>& out) {
  // The /24 (IPv4) or /48 (IPv6) around the address: where a renter of several servers at one
  // provider tends to stay.
  const bool v4 = ip.isV4();
  const int keep = v4 ? 96 + 24 : 48;
  const std::string slash = v4 ? "/24" : "/48";
  out.push_back(everywherePivot(
      "network", "Other addresses of the " + slash + " across every table",
      "// The network's other addresses: every address of the row's " + slash + " in every table, a week either\n"
      "// side of the row (IsRowAddress marks the row's own).\n",
      networkMatch(maskedAddress(ip, keep), keep) + window, t, true,
      "| extend IsRowAddress = Address == " + quote(formatIp(ip)) + "\n"));
  int64_t asn = 0;
  if (isHostingRow(row) && parseAsnField(row, "RemoteASN", asn))
    out.push_back(asnPivot(asn, window, t, options));
}

KqlPivot asnPivot(int64_t asn, const std::string& window, KqlTarget t, const KqlOptions& options) {
  return everywherePivot("asn", "Other addresses of AS" + std::to_string(asn) + " (VpsHosting watchlist) across every table",
                         "// The AS's other addresses: every address in the AS's hosting ranges (the VpsHosting watchlist)\n"
                         "// in every table, within the window.\n",
                         asnMatch(asn, t, options) + window, t, true, "");
}

}  // namespace vpshunt::kql

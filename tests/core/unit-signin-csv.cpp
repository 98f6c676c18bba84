// The sign-in CSV readers (formats/signin_csv.*): Entra ID sign-in logs and the admin center's
// download, Defender's sign-in tables (DeviceLogonEvents through defender-csv), SecurityEvent,
// AWSCloudTrail; the per-file date order of Log Analytics' locale times. Fixtures in
// tests/fixtures/signin/ are written for the project, imitating the real exports' shapes.
#include <catch2/catch.hpp>

#include <map>

#include "formats/signin_csv.hpp"
#include "reader_harness.hpp"
#include "support.hpp"

using namespace vpshunt;
using vpshunt::test::checkEverySplit;
using vpshunt::test::fixture;
using vpshunt::test::RecordingSink;

namespace {

RecordingSink read(std::string_view format, const std::string& text, size_t chunk = 0) {
  return vpshunt::test::run(format, text, chunk);
}

// "S L3 t=... outcome=failure User=a@5 RemoteIP=..." -> {"line": "3", "t": ..., "outcome": ...,
// "User": "a@5", ...}. Field names are searched in the order describeSignIn writes them.
std::map<std::string, std::string> fields(const std::string& s) {
  std::map<std::string, std::string> out;
  size_t sp = s.find(' ', 2);
  out["line"] = s.substr(3, sp - 3);
  std::vector<std::pair<std::string, size_t>> at;
  size_t from = sp;
  for (std::string name : {"t", "outcome"}) {
    size_t p = s.find(" " + name + "=", from);
    if (p != std::string::npos) at.emplace_back(name, p), from = p + 1;
  }
  for (size_t i = 0; i < kSignInFieldCount; ++i) {
    std::string name(signInFieldName(SignInField(i)));
    size_t p = s.find(" " + name + "=", from);
    if (p != std::string::npos) at.emplace_back(name, p), from = p + 1;
  }
  for (size_t k = 0; k < at.size(); ++k) {
    size_t start = at[k].second + at[k].first.size() + 2;
    size_t end = k + 1 < at.size() ? at[k + 1].second : s.size();
    out[at[k].first] = s.substr(start, end - start);
  }
  return out;
}

// The value of a field without its column ("a@5" -> "a").
std::string value(const std::map<std::string, std::string>& f, const std::string& name) {
  auto it = f.find(name);
  if (it == f.end()) return "<absent>";
  size_t at = it->second.rfind('@');
  return at == std::string::npos ? it->second : it->second.substr(0, at);
}

bool hasNote(const RecordingSink& s, const std::string& text) {
  for (const auto& n : s.notes)
    if (n == text) return true;
  return false;
}

// All readers' sniff scores for `head`, best first.
std::vector<std::pair<int, std::string>> scores(const std::string& head) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& f : readerFactories()) out.emplace_back(f.sniff(std::string_view(head).substr(0, 65536), ""), std::string(f.name));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

std::string utf16le(const std::string& utf8) {
  std::string out = "\xFF\xFE";
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = utf8[i];
    uint32_t cp;
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (utf8[i + k] & 0x3F);
    i += n;
    auto unit = [&](uint32_t u) {
      out += char(u & 0xFF);
      out += char(u >> 8);
    };
    if (cp >= 0x10000) {
      unit(0xD800 + ((cp - 0x10000) >> 10));
      unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return out;
}

std::string normalized(const std::string& raw) {
  Utf8Normalizer n;
  std::string out;
  n.feed(raw.data(), raw.size(), out);
  n.finish(out);
  return out;
}

}  // namespace

TEST_CASE("sign-in CSV sniffing: each reader wins its own shape by a clear margin", "[signin][sniff]") {
  struct Case {
    const char* what;
    std::string head;
    const char* winner;
  } cases[] = {
      {"SigninLogs (Log Analytics)", fixture("signin/entra_signinlogs_la.csv"), "entra-signin-csv"},
      {"Entra admin center download", fixture("signin/entra_portal_interactive.csv"), "entra-signin-csv"},
      {"AADNonInteractiveUserSignInLogs without Type",
       "TimeGenerated [UTC],ResultType,UserPrincipalName,IPAddress,SignInEventTypes,AppDisplayName\n", "entra-signin-csv"},
      {"AADServicePrincipalSignInLogs", "TimeGenerated [UTC],ResultType,ServicePrincipalName,IPAddress,ResourceDisplayName\n",
       "entra-signin-csv"},
      {"ApplicationSignIns download", "Date (UTC),Request ID,Service principal ID,Service principal name,IP address,Status,Sign-in error code\n",
       "entra-signin-csv"},
      {"AADSignInEventsBeta (advanced hunting)", fixture("signin/defender_aadsignineventsbeta.csv"), "defender-signin-csv"},
      {"IdentityLogonEvents (advanced hunting)", fixture("signin/defender_identitylogonevents.csv"), "defender-signin-csv"},
      {"IdentityLogonEvents (Log Analytics)",
       "TenantId,TimeGenerated [UTC],ActionType,Application,LogonType,Protocol,FailureReason,AccountName,IPAddress,ISP,Type\n",
       "defender-signin-csv"},
      {"DeviceLogonEvents", fixture("signin/defender_devicelogonevents.csv"), "defender-csv"},
      {"DeviceNetworkEvents + DeviceLogonEvents union", fixture("signin/defender_union_network_logon.csv"), "defender-csv"},
      {"SecurityEvent, projected", fixture("signin/securityevent_projected.csv"), "windows-security-csv"},
      {"SecurityEvent, full", fixture("signin/securityevent_full.csv"), "windows-security-csv"},
      {"AWSCloudTrail", fixture("signin/cloudtrail_la.csv"), "cloudtrail-csv"},
      {"DeviceNetworkEvents", ::test::eventsCsv(::test::series("2026-11-24T10:00:00Z", 3, 60)), "defender-csv"},
      {"ThreatIntelligenceIndicator", ::test::intelCsv({{"2026-11-24T00:00:00Z", "203.0.113.10"}}), "sentinel-ti-csv"},
      {"IOC CSV", "TimeGenerated,IoC,IoC_Type,Description\n12/7/2022,198.51.100.1,IP,x\n", "intel-ioc-csv"},
      {"Azure Firewall (Log Analytics)",
       "TenantId,\"TimeGenerated [Local Time]\",Protocol,SourceIp,SourcePort,DestinationIp,DestinationPort\nt,\"8/9/2023, 2:10:24.550 PM\",TCP,10.0.1.6,1,45.33.32.156,443\n",
       "defender-csv"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto s = scores(c.head);
      INFO("scores: " << s[0].second << "=" << s[0].first << ", " << s[1].second << "=" << s[1].first);
      CHECK(s[0].second == c.winner);
      CHECK(s[0].first - s[1].first >= 25);
    }
  }
  SECTION("the sign-in readers score 0 on network and intel files") {
    for (const std::string& head :
         {::test::eventsCsv(::test::series("2026-11-24T10:00:00Z", 3, 60)), ::test::intelCsv({{"2026-11-24T00:00:00Z", "203.0.113.10"}}),
          fixture("signin/defender_devicelogonevents.csv"), std::string("{\"records\": []}")})
      for (const char* name : {"entra-signin-csv", "defender-signin-csv", "windows-security-csv", "cloudtrail-csv"})
        CHECK(vpshunt::test::factory(name).sniff(head, "") == 0);
  }
}

TEST_CASE("entra-signin-csv: SigninLogs exported from Log Analytics", "[signin][entra]") {
  const std::string text = fixture("signin/entra_signinlogs_la.csv");
  auto r = read("entra-signin-csv", text);
  REQUIRE(r.fatals.empty());
  REQUIRE(r.signIns.size() == 5);
  CHECK(r.skips.empty());
  CHECK(r.others == std::vector<std::string>{"row of another table (Type column)"});
  CHECK(hasNote(r, "table SigninLogs: rows are sign-in records, time from TimeGenerated [UTC]"));
  // The first rows (3/5/2024) read either way; the row of 3/14 decides, and the held rows follow.
  CHECK(hasNote(r, "dates in this file are month/day/year: line 65 has \"3/14/2024, 1:05:09.999 AM\" in TimeGenerated [UTC], "
                   "and 14 is not a month"));

  SECTION("a success, with its ASN as text and the protocol 'none' passed over for ClientAppUsed") {
    auto f = fields(r.signIns[0]);
    CHECK(f["line"] == "2");
    CHECK(f["t"] == "2024-03-05T09:12:01.2500000Z");
    CHECK(f["outcome"] == "success");
    CHECK(value(f, "User") == "alice@contoso.example");
    CHECK(value(f, "RemoteIP") == "198.51.100.23");
    CHECK(value(f, "ResultCode") == "0");
    CHECK(value(f, "ResultText") == "<absent>");
    CHECK(value(f, "Application") == "Azure Portal");
    CHECK(value(f, "Target") == "Windows Azure Service Management API");
    CHECK(value(f, "Asn") == "64500");
    CHECK(value(f, "Protocol") == "Browser");
    CHECK(value(f, "LogonType") == "interactiveUser");
    CHECK(value(f, "Source") == "SigninLogs");
  }
  SECTION("a wrong password from ROPC: ResultDescription, AuthenticationProtocol") {
    auto f = fields(r.signIns[1]);
    CHECK(f["outcome"] == "failure");
    CHECK(value(f, "User") == "Bob.Admin@Contoso.Example");
    CHECK(value(f, "ResultCode") == "50126");
    CHECK(value(f, "ResultText") == "Invalid username or password or Invalid on-premise username or password.");
    CHECK(value(f, "Protocol") == "ropc");
    CHECK(value(f, "UserAgent") == "python-requests/2.31 \"spray\"");
  }
  SECTION("MFA required: words from the multi-line Status JSON (escapes, CRLF), table from the Type column") {
    auto f = fields(r.signIns[2]);
    CHECK(f["line"] == "33");
    CHECK(f["t"] == "2024-03-05T22:02:19.5000000Z");
    CHECK(f["outcome"] == "interrupted");
    CHECK(value(f, "ResultText") == "Strong Authentication is required.\nLine two: \xC3\xA9t\xC3\xA9 \xE2\x9C\x93");
    CHECK(value(f, "RemoteIP") == "2001:db8:85a3::8a2e:370:7334");
    CHECK(value(f, "UserAgent") == "Teams/1.6\tDesktop");
    CHECK(value(f, "Asn").empty());
    CHECK(value(f, "LogonType") == "nonInteractiveUser");
    CHECK(value(f, "Source") == "AADNonInteractiveUserSignInLogs");
  }
  SECTION("no UserPrincipalName: the display name; IPv4-mapped IPv6 passed as written; TRUE") {
    auto f = fields(r.signIns[3]);
    CHECK(value(f, "User") == "Service Desk Kiosk");
    CHECK(value(f, "RemoteIP") == "::ffff:192.0.2.44");
    CHECK(value(f, "LogonType") == "interactiveUser");
    CHECK(value(f, "UserAgent") == "Mozilla/5.0 =cmd|' /C calc'!A0");
  }
  SECTION("a 300-character user name is kept whole") {
    CHECK(value(fields(r.signIns[4]), "User") == std::string(300, 'x') + "@contoso.example");
  }
  SECTION("every split, byte at a time") { checkEverySplit("entra-signin-csv", text); }
  SECTION("UTF-16 LE with BOM reads the same") {
    std::string raw = vpshunt::test::readFile(std::string(VPSHUNT_SOURCE_DIR) + "/tests/fixtures/signin/entra_signinlogs_la.csv");
    auto again = read("entra-signin-csv", normalized(utf16le(raw.substr(3))));
    CHECK(again.log == r.log);
  }
}

TEST_CASE("entra-signin-csv: the tables without a Type column, and Status as the only result", "[signin][entra]") {
  SECTION("AADNonInteractiveUserSignInLogs, told by its own columns") {
    auto r = read("entra-signin-csv",
                  "TimeGenerated [UTC],ResultType,UserPrincipalName,IPAddress,SignInEventTypes,IsInteractive,AutonomousSystemNumber,Status\n"
                  "\"4/21/2025, 9:45:54.000 AM\",,dave@x.example,203.0.113.8,\"[\"\"nonInteractiveUser\"\"]\",,\" 20115 \","
                  "\"{\"\"errorCode\"\":50140,\"\"failureReason\"\":\"\"Keep me signed in\"\"}\"\n");
    REQUIRE(r.signIns.size() == 1);
    auto f = fields(r.signIns[0]);
    CHECK(value(f, "Source") == "AADNonInteractiveUserSignInLogs");
    CHECK(value(f, "LogonType") == "nonInteractiveUser");
    CHECK(value(f, "Asn") == "20115");
    CHECK(value(f, "ResultCode") == "50140");  // from Status.errorCode: ResultType is empty
    CHECK(f["outcome"] == "interrupted");
    CHECK(value(f, "ResultText") == "Keep me signed in");
    CHECK(hasNote(r, "dates in this file are month/day/year: line 2 has \"4/21/2025, 9:45:54.000 AM\" in TimeGenerated [UTC], "
                     "and 21 is not a month"));
  }
  SECTION("AADServicePrincipalSignInLogs: the service principal is the user") {
    auto r = read("entra-signin-csv",
                  "TimeGenerated [UTC],ResultType,ServicePrincipalName,IPAddress,ResourceDisplayName\n"
                  "\"4/21/2025, 9:45:54.000 AM\",7000215,build-bot,203.0.113.9,Microsoft Graph\n");
    REQUIRE(r.signIns.size() == 1);
    auto f = fields(r.signIns[0]);
    CHECK(value(f, "User") == "build-bot");
    CHECK(value(f, "Source") == "AADServicePrincipalSignInLogs");
    CHECK(value(f, "LogonType") == "servicePrincipal");
    CHECK(value(f, "ResultText") == "invalid client secret");  // no words in the export: signin_codes' words
    CHECK(f["outcome"] == "failure");
    CHECK(r.missing.empty());
    CHECK(hasNote(r, "no AutonomousSystemNumber column (exports before 2022 lack it): addresses are attributed from vpshunt's own "
                     "IP-to-ASN data"));
  }
}

TEST_CASE("entra-signin-csv: the Entra admin center's download", "[signin][entra]") {
  const std::string text = fixture("signin/entra_portal_interactive.csv");
  auto r = read("entra-signin-csv", text);
  REQUIRE(r.signIns.size() == 4);
  CHECK(r.skips.empty());
  CHECK(hasNote(r, "table Entra admin center download: rows are sign-in records, time from Date (UTC)"));
  auto a = fields(r.signIns[0]), b = fields(r.signIns[1]), c = fields(r.signIns[2]), d = fields(r.signIns[3]);
  CHECK(a["outcome"] == "success");
  CHECK(value(a, "User") == "dana@fabrikam.example");
  CHECK(value(a, "Asn") == "14061");  // "Autonomous system  number", two spaces
  CHECK(value(a, "Application") == "Azure Portal");
  CHECK(value(a, "UserAgent") == "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0");
  CHECK(a["t"] == "2025-12-04T08:19:41.0000000Z");
  CHECK(b["outcome"] == "failure");
  CHECK(value(b, "ResultCode") == "50126");
  CHECK(value(b, "ResultText") == "Error validating credentials due to invalid username or password.");
  CHECK(value(b, "Protocol") == "ropc");
  CHECK(value(b, "RemoteIP") == "2001:db8::5");
  CHECK(c["outcome"] == "interrupted");  // Status "Interrupted"
  CHECK(value(c, "Protocol") == "Mobile Apps and Desktop clients");
  CHECK(d["outcome"] == "interrupted");  // no Status: from the code
  CHECK(value(d, "ResultText") == "keep-me-signed-in prompt");
  CHECK(value(d, "Source") == "Entra admin center download");
  checkEverySplit("entra-signin-csv", text);
}

TEST_CASE("defender-signin-csv: AADSignInEventsBeta, EntraIdSignInEvents, IdentityLogonEvents", "[signin][defender]") {
  SECTION("AADSignInEventsBeta: integer ErrorCode, LogonType as a JSON array") {
    const std::string text = fixture("signin/defender_aadsignineventsbeta.csv");
    auto r = read("defender-signin-csv", text);
    REQUIRE(r.signIns.size() == 3);
    auto a = fields(r.signIns[0]), b = fields(r.signIns[1]), c = fields(r.signIns[2]);
    CHECK(a["t"] == "2025-03-28T07:01:02.1234567Z");
    CHECK(a["outcome"] == "failure");
    CHECK(value(a, "ResultText") == "wrong user name or password");
    CHECK(value(a, "LogonType") == "interactiveUser");
    CHECK(value(a, "Protocol") == "Exchange Web Services");
    CHECK(value(a, "Source") == "AADSignInEventsBeta");
    CHECK(value(a, "Asn") == "<absent>");
    CHECK(b["outcome"] == "success");
    CHECK(value(b, "LogonType") == "nonInteractiveUser");
    CHECK(c["outcome"] == "interrupted");
    CHECK(value(c, "User") == "9f2c0000-0000-0000-0000-00000000aaaa");  // no UPN, no display name
    CHECK(value(c, "LogonType") == "[\"interactiveUser\",\"nonInteractiveUser\"]");
    checkEverySplit("defender-signin-csv", text);
  }
  SECTION("EntraIdSignInEvents, told by its own columns") {
    auto r = read("defender-signin-csv",
                  "Timestamp,Application,LogonType,ErrorCode,AccountUpn,IPAddress,IsThroughGlobalSecureAccess,UniqueTokenId\n"
                  "2025-11-04T10:00:00Z,Azure Portal,\"[\"\"interactiveUser\"\"]\",0,h@x.example,198.51.100.4,false,abc\n");
    REQUIRE(r.signIns.size() == 1);
    CHECK(value(fields(r.signIns[0]), "Source") == "EntraIdSignInEvents");
  }
  SECTION("IdentityLogonEvents: DOMAIN\\name without a UPN, Isp, rows of other Identity tables") {
    const std::string text = fixture("signin/defender_identitylogonevents.csv");
    auto r = read("defender-signin-csv", text);
    REQUIRE(r.signIns.size() == 2);
    CHECK(r.others == std::vector<std::string>{"row of another Identity table (ActionType is not a logon)"});
    auto a = fields(r.signIns[0]), b = fields(r.signIns[1]);
    CHECK(a["outcome"] == "failure");
    CHECK(value(a, "User") == "corp.example\\elias");
    CHECK(value(a, "ResultCode") == "UnknownUser");
    CHECK(value(a, "RemoteIP") == "198.51.100.66");
    CHECK(value(a, "RemotePort") == "50112");
    CHECK(value(a, "Target") == "dc01.corp.example");
    CHECK(value(a, "Protocol") == "Ntlm");
    CHECK(value(a, "LogonType") == "Failed logon");
    CHECK(a["t"] == "2024-12-04T13:33:19.8018230Z");
    CHECK(b["outcome"] == "success");
    CHECK(value(b, "User") == "gina@corp.example");
    CHECK(value(b, "AsOrg") == "Example Hosting B.V.");
    CHECK(value(b, "LogonType") == "Login:resume");
    checkEverySplit("defender-signin-csv", text);
  }
  SECTION("IdentityLogonEvents from Log Analytics: ISP, day-first locale times") {
    auto r = read("defender-signin-csv",
                  "TenantId,TimeGenerated [UTC],ActionType,Application,LogonType,FailureReason,AccountName,AccountDomain,IPAddress,ISP,Type\n"
                  "t,\"03/04/2025, 18:00:00.000\",LogonFailed,Active Directory,Failed logon,WrongPassword,bob,CORP,203.0.113.3,Hoster,IdentityLogonEvents\n"
                  "t,\"13/04/2025, 18:00:00.000\",LogonSuccess,Active Directory,Resource Access,,bob,CORP,203.0.113.3,Hoster,IdentityLogonEvents\n");
    REQUIRE(r.signIns.size() == 2);
    auto a = fields(r.signIns[0]);
    CHECK(a["line"] == "2");
    CHECK(a["t"] == "2025-04-03T18:00:00.0000000Z");
    CHECK(value(a, "AsOrg") == "Hoster");
    CHECK(value(a, "User") == "CORP\\bob");
    CHECK(value(a, "Source") == "IdentityLogonEvents");
  }
}

TEST_CASE("defender-csv: DeviceLogonEvents rows are sign-ins, DeviceNetworkEvents rows stay as they were", "[signin][defender]") {
  SECTION("a DeviceLogonEvents export") {
    const std::string text = fixture("signin/defender_devicelogonevents.csv");
    auto r = read("defender-csv", text);
    REQUIRE(r.signIns.size() == 3);
    CHECK(r.events.empty());
    CHECK(r.missing.empty());  // the network columns it lacks are not asked for
    CHECK(r.notes == std::vector<std::string>{"table DeviceLogonEvents: rows are sign-in records, time from Timestamp"});
    auto a = fields(r.signIns[0]), b = fields(r.signIns[1]), c = fields(r.signIns[2]);
    CHECK(a["outcome"] == "failure");
    CHECK(value(a, "User") == "web-01\\administrator");
    CHECK(value(a, "RemoteIP") == "203.0.113.9");
    CHECK(value(a, "ResultCode") == "InvalidUserNameOrPassword");
    CHECK(value(a, "Target") == "web-01");
    CHECK(value(a, "LogonType") == "Network");
    CHECK(value(a, "Protocol") == "NTLM");
    CHECK(value(a, "Source") == "DeviceLogonEvents");
    CHECK(b["outcome"] == "success");
    CHECK(value(b, "RemoteIP") == "::ffff:198.51.100.7");
    CHECK(c["outcome"] == "unknown");  // LogonAttempted
    CHECK(value(c, "RemoteIP") == "-");
    checkEverySplit("defender-csv", text);
  }
  SECTION("a union export: logon rows by ActionType, the network rows read exactly as without them") {
    const std::string text = fixture("signin/defender_union_network_logon.csv");
    auto r = read("defender-csv", text);
    CHECK(r.signIns.size() == 3);
    CHECK(r.events.size() == 14);
    // The same export without its logon rows gives the same network records, notes and missing columns.
    std::string networkOnly;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string line = text.substr(pos, nl - pos + 1);
      if (line.find(",LogonFailed,") == std::string::npos) networkOnly += line;
      pos = nl + 1;
    }
    auto n = read("defender-csv", networkOnly);
    REQUIRE(n.events.size() == 14);
    CHECK(n.signIns.empty());
    // Line numbers differ where logon rows were taken out; everything else is equal.
    for (size_t i = 0; i < n.events.size(); ++i) CHECK(n.events[i].substr(n.events[i].find(' ', 2)) == r.events[i].substr(r.events[i].find(' ', 2)));
    CHECK(n.missing == r.missing);
    std::vector<std::string> networkNotes;
    for (const auto& s : r.notes)
      if (s.rfind("table DeviceLogonEvents", 0) != 0) networkNotes.push_back(s);
    CHECK(n.notes == networkNotes);
    CHECK(n.notes.size() + 1 == r.notes.size());
    auto f = fields(r.signIns[0]);
    CHECK(value(f, "User") == "WS-7\\admin");
    CHECK(value(f, "ResultCode") == "WrongPassword");
    checkEverySplit("defender-csv", text);
  }
  SECTION("a plain DeviceNetworkEvents export says nothing of logons") {
    auto r = read("defender-csv", ::test::eventsCsv(::test::series("2026-11-24T10:00:00Z", 3, 60)));
    CHECK(r.events.size() == 3);
    for (const auto& s : r.notes) CHECK(s.find("DeviceLogonEvents") == std::string::npos);
  }
  SECTION("DeviceLogonEvents from Log Analytics: TimeGenerated, day-first dates decided by a later row") {
    auto r = read("defender-csv",
                  "TenantId,TimeGenerated [UTC],DeviceName,ActionType,LogonType,AccountDomain,AccountName,FailureReason,RemoteIP,RemoteIPType,Type\n"
                  "t,\"05/03/2025, 09:00:00.000\",srv,LogonFailed,Network,srv,admin,InvalidUserNameOrPassword,203.0.113.5,Public,DeviceLogonEvents\n"
                  "t,\"25/03/2025, 09:00:00.000\",srv,LogonFailed,Network,srv,admin,InvalidUserNameOrPassword,203.0.113.5,Public,DeviceLogonEvents\n");
    REQUIRE(r.signIns.size() == 2);
    CHECK(fields(r.signIns[0])["t"] == "2025-03-05T09:00:00.0000000Z");  // held until line 3 decided
    CHECK(fields(r.signIns[0])["line"] == "2");
    CHECK(fields(r.signIns[1])["t"] == "2025-03-25T09:00:00.0000000Z");
  }
}

TEST_CASE("windows-security-csv: SecurityEvent 4624/4625/4771/4776", "[signin][windows]") {
  SECTION("a projected export: Account \\USER, '-' and empty addresses, other events") {
    const std::string text = fixture("signin/securityevent_projected.csv");
    auto r = read("windows-security-csv", text);
    REQUIRE(r.signIns.size() == 5);
    CHECK(r.others == std::vector<std::string>{"SecurityEvent 4672", "SecurityEvent 4798"});
    CHECK(r.skips.empty());
    auto a = fields(r.signIns[0]);
    CHECK(a["outcome"] == "failure");
    CHECK(a["t"] == "2024-11-16T23:56:52.4540000Z");
    CHECK(value(a, "User") == "VMADMIN");
    CHECK(value(a, "RemoteIP") == "203.0.113.50");
    CHECK(value(a, "Target") == "HoneyVM-01");
    CHECK(value(a, "LogonType") == "3 - Network");
    CHECK(value(a, "Source") == "4625");
    CHECK(value(a, "ResultCode") == "<absent>");  // the projection has no Status columns
    auto c = fields(r.signIns[2]);
    CHECK(c["outcome"] == "success");
    CHECK(c["t"] == "2024-11-15T06:01:00.0000000Z");  // rows out of time order are fine
    CHECK(value(c, "RemoteIP") == "-");
    CHECK(value(c, "LogonType") == "5 - Service");
    auto e = fields(r.signIns[4]);
    CHECK(value(e, "User").empty());  // TargetUserName empty, Account "\"
    CHECK(value(e, "RemoteIP").empty());
    checkEverySplit("windows-security-csv", text);
  }
  SECTION("a full export: the most specific status, its words, DOMAIN\\user, Kerberos and NTLM") {
    const std::string text = fixture("signin/securityevent_full.csv");
    auto r = read("windows-security-csv", text);
    REQUIRE(r.signIns.size() == 6);
    CHECK(r.others == std::vector<std::string>{"SecurityEvent 4776 without a client address", "SecurityEvent 4672"});
    CHECK(hasNote(r, "dates in this file are day/month/year: line 2 has \"21/02/2025, 07:15:00.000\" in TimeGenerated [UTC], and "
                     "21 is not a month"));
    std::vector<std::map<std::string, std::string>> f;
    for (const auto& s : r.signIns) f.push_back(fields(s));
    CHECK(value(f[0], "User") == "CORP\\Administrator");
    CHECK(value(f[0], "ResultCode") == "0xc000006a");  // SubStatus, Status being the generic 0xc000006d
    CHECK(value(f[0], "ResultText") == "wrong password");
    CHECK(value(f[0], "RemotePort") == "51514");
    CHECK(value(f[0], "Protocol") == "NTLM");
    CHECK(value(f[0], "Target") == "dc01.corp.example");
    CHECK(f[1]["t"] == "2025-02-01T18:20:00.0000000Z");
    CHECK(value(f[1], "User") == "nosuchuser");  // no TargetDomainName
    CHECK(value(f[1], "ResultCode") == "0xc0000064");
    CHECK(value(f[1], "ResultText") == "user name does not exist");
    CHECK(value(f[1], "RemoteIP") == "::ffff:198.51.100.62");
    CHECK(value(f[2], "ResultCode") == "0xc0000234");  // SubStatus 0x0: Status is the reason
    CHECK(value(f[2], "ResultText") == "account locked out");
    CHECK(value(f[2], "LogonType") == "10 - RemoteInteractive");
    CHECK(f[3]["outcome"] == "success");
    CHECK(value(f[3], "RemoteIP") == "::1");
    CHECK(value(f[3], "ResultCode") == "<absent>");
    CHECK(value(f[4], "Source") == "4771");
    CHECK(value(f[4], "ResultCode") == "0x18");
    CHECK(value(f[4], "ResultText") == "wrong password (pre-authentication failed)");
    CHECK(value(f[4], "Protocol") == "Kerberos");
    CHECK(value(f[5], "RemoteIP") == "-");
    CHECK(value(f[5], "User") == "ADMIN");
    checkEverySplit("windows-security-csv", text);
  }
  SECTION("FailureReason's words when there is no status code") {
    auto r = read("windows-security-csv",
                  "TimeGenerated [UTC],EventID,IpAddress,TargetUserName,Status,SubStatus,FailureReason\n"
                  "\"4/21/2025, 9:00:00.000 AM\",4625,203.0.113.1,a,,,%%2307\n"
                  "\"4/21/2025, 9:00:01.000 AM\",4625,203.0.113.1,a,,,Unknown user name or bad password.\n"
                  "\"4/21/2025, 9:00:02.000 AM\",4625,203.0.113.1,a,0xc000dead,,%%9999\n");
    REQUIRE(r.signIns.size() == 3);
    CHECK(value(fields(r.signIns[0]), "ResultText") == "account locked out");
    CHECK(value(fields(r.signIns[1]), "ResultText") == "Unknown user name or bad password.");
    CHECK(value(fields(r.signIns[2]), "ResultCode") == "0xc000dead");
    CHECK(value(fields(r.signIns[2]), "ResultText") == "<absent>");  // an unknown code and an unknown token
  }
}

TEST_CASE("cloudtrail-csv: ConsoleLogin from an AWSCloudTrail export with day-first dates", "[signin][aws]") {
  const std::string text = fixture("signin/cloudtrail_la.csv");
  auto r = read("cloudtrail-csv", text);
  REQUIRE(r.signIns.size() == 4);
  CHECK(r.skips.empty());
  CHECK(r.others == std::vector<std::string>{"AWSCloudTrail event other than ConsoleLogin",
                                             "ConsoleLogin by an AWS service (SourceIpAddress is a service name, not a client address)"});
  CHECK(hasNote(r, "dates in this file are day/month/year: line 7 has \"21/04/2025, 09:45:54.000\" in TimeGenerated [UTC], and "
                   "21 is not a month"));
  std::vector<std::map<std::string, std::string>> f;
  for (const auto& s : r.signIns) f.push_back(fields(s));
  // 02/04 and 11/04 were held until line 7 decided: 2 and 11 April, not 4 February and 4 November.
  CHECK(f[0]["t"] == "2025-04-02T10:13:15.0000000Z");
  CHECK(f[0]["outcome"] == "failure");
  CHECK(value(f[0], "User") == "ops");  // UserIdentityArn is empty on failures
  CHECK(value(f[0], "ResultText") == "Failed authentication");
  CHECK(value(f[0], "Application") == "AWS Console");
  CHECK(value(f[0], "Target") == "111122223333");
  CHECK(value(f[0], "LogonType") == "IAMUser");
  CHECK(f[2]["t"] == "2025-04-11T09:34:41.0000000Z");
  CHECK(value(f[2], "User") == "arn:aws:iam::111122223333:root");
  CHECK(value(f[2], "RemoteIP") == "2001:db8:aaaa::1");
  CHECK(f[2]["outcome"] == "success");
  CHECK(f[3]["t"] == "2025-04-21T09:45:54.0000000Z");
  checkEverySplit("cloudtrail-csv", text);
}

namespace {

std::string cloudTrailRows(const std::vector<std::string>& times) {
  std::string csv = "TimeGenerated [UTC],EventName,SourceIpAddress,UserIdentityUserName,ResponseElements\n";
  for (const auto& t : times) csv += "\"" + t + "\",ConsoleLogin,203.0.113.7,u,\"{\"\"ConsoleLogin\"\":\"\"Success\"\"}\"\n";
  return csv;
}

}  // namespace

TEST_CASE("locale date order: decided from the file, never from one ambiguous row", "[signin][dates]") {
  SECTION("all ambiguous, 12-hour clock: month/day, said so") {
    auto r = read("cloudtrail-csv", cloudTrailRows({"2/4/2025, 1:00:00.000 PM", "3/4/2025, 1:00:00.000 PM"}));
    REQUIRE(r.signIns.size() == 2);
    CHECK(fields(r.signIns[0])["t"] == "2025-02-04T13:00:00.0000000Z");
    CHECK(hasNote(r, "dates in this file are ambiguous (day and month both <= 12 in every row read); read as month/day (en-US, the Log "
                     "Analytics default); its times carry AM/PM (line 2: \"2/4/2025, 1:00:00.000 PM\"), as en-US's do"));
  }
  SECTION("all ambiguous, 24-hour clock past noon: day/month") {
    auto r = read("cloudtrail-csv", cloudTrailRows({"02/04/2025, 10:13:15.000", "03/04/2025, 18:00:00.000"}));
    REQUIRE(r.signIns.size() == 2);
    CHECK(fields(r.signIns[0])["t"] == "2025-04-02T10:13:15.0000000Z");
    CHECK(hasNote(r, "dates in this file are ambiguous (day and month both <= 12 in every row read); read as day/month: its times use a "
                     "24-hour clock (line 3: \"03/04/2025, 18:00:00.000\"), which en-US exports never write"));
  }
  SECTION("all ambiguous, no clock evidence: month/day") {
    auto r = read("cloudtrail-csv", cloudTrailRows({"02/04/2025, 10:13:15.000"}));
    REQUIRE(r.signIns.size() == 1);
    CHECK(fields(r.signIns[0])["t"] == "2025-02-04T10:13:15.0000000Z");
    CHECK(hasNote(r, "dates in this file are ambiguous (day and month both <= 12 in every row read); read as month/day (en-US, the Log "
                     "Analytics default)"));
  }
  SECTION("the same date either way needs no decision") {
    auto r = read("cloudtrail-csv", cloudTrailRows({"4/4/2025, 10:00:00.000"}));
    REQUIRE(r.signIns.size() == 1);
    CHECK(fields(r.signIns[0])["t"] == "2025-04-04T10:00:00.0000000Z");
    CHECK(r.notes.size() == 1);  // only the table note
  }
  SECTION("another time column of the row decides too") {
    auto r = read("windows-security-csv",
                  "TimeGenerated [UTC],EventID,IpAddress,TargetUserName,TimeCollected [UTC]\n"
                  "\"02/04/2025, 10:00:00.000\",4625,203.0.113.1,a,\"02/04/2025, 10:00:30.000\"\n"
                  "\"04/05/2025, 23:59:50.000\",4625,203.0.113.1,a,\"13/05/2025, 00:00:20.000\"\n");
    REQUIRE(r.signIns.size() == 2);
    CHECK(hasNote(r, "dates in this file are day/month/year: line 3 has \"13/05/2025, 00:00:20.000\" in TimeCollected [UTC], and 13 "
                     "is not a month"));
    CHECK(fields(r.signIns[0])["t"] == "2025-04-02T10:00:00.0000000Z");  // the held row, released by the decision
    CHECK(fields(r.signIns[1])["t"] == "2025-05-04T23:59:50.0000000Z");
  }
  SECTION("a row that contradicts the decision is a located problem") {
    auto r = read("cloudtrail-csv", cloudTrailRows({"21/04/2025, 09:45:54.000", "4/22/2025, 9:00:00.000 AM"}));
    REQUIRE(r.signIns.size() == 1);
    REQUIRE(r.skips.size() == 1);
    CHECK(r.skips[0] ==
          "date order contradicts the file 3:1 expected a day/month/year date in TimeGenerated [UTC] as in the rest of this file (decided by "
          "line 2 has \"21/04/2025, 09:45:54.000\" in TimeGenerated [UTC]), found \"4/22/2025, 9:00:00.000 AM\"");
  }
  SECTION("the bound: rows are held at most kMaxPendingRows, then read month/day; a later day-first row is a problem") {
    std::vector<std::string> times(kMaxPendingRows + 5, "03/04/2025, 10:00:00.000");
    times.push_back("25/04/2025, 10:00:00.000");
    auto r = read("cloudtrail-csv", cloudTrailRows(times), 65536);
    CHECK(r.signIns.size() == kMaxPendingRows + 5);
    CHECK(fields(r.signIns[0])["t"] == "2025-03-04T10:00:00.0000000Z");
    CHECK(hasNote(r, "dates in this file are ambiguous (day and month both <= 12 in the first 10000 rows read); read as month/day (en-US, "
                     "the Log Analytics default)"));
    REQUIRE(r.skips.size() == 1);
    CHECK(r.skips[0].rfind("date order contradicts the file " + std::to_string(kMaxPendingRows + 7) + ":1 ", 0) == 0);
  }
  SECTION("held rows read the same at every split") {
    checkEverySplit("cloudtrail-csv", cloudTrailRows({"02/04/2025, 10:13:15.000", "03/04/2025, 18:00:00.000", "13/04/2025, 08:00:00.000",
                                                      "01/05/2025, 01:00:00.000"}));
  }
}

TEST_CASE("sign-in CSV readers: bad rows and headers are located", "[signin][errors]") {
  SECTION("wrong field count, empty and unparseable times, a bad EventID") {
    auto r = read("windows-security-csv",
                  "TimeGenerated [UTC],EventID,IpAddress,TargetUserName\n"
                  "\"4/21/2025, 9:00:00.000 AM\",4625,203.0.113.1\n"
                  ",4625,203.0.113.1,a\n"
                  "yesterday,4625,203.0.113.1,a\n"
                  "\"4/31/2025, 9:00:00.000 AM\",4625,203.0.113.1,a\n"
                  "\"4/21/2025, 9:00:00.000 AM\",46x25,203.0.113.1,a\n"
                  "\"4/21/2025, 9:00:00.000 AM\",,203.0.113.1,a\n"
                  "\"4/21/2025, 9:00:00.000 AM\",4625,\"203.0.113.1\"x,a\n");
    CHECK(r.signIns.empty());
    REQUIRE(r.skips.size() == 7);
    CHECK(r.skips[0] == "wrong field count 2:34 expected 4 fields as in the header, found 3");
    CHECK(r.skips[1] == "no time 3:1 expected a time in TimeGenerated [UTC], found an empty value");
    CHECK(r.skips[2] ==
          "unparseable time 4:1 expected a time such as 2025-04-21T09:45:54Z, 4/21/2025, 9:45:54.000 AM or 21/04/2025, 09:45:54.000 in "
          "TimeGenerated [UTC], found \"yesterday\"");
    CHECK(r.skips[3] == "unparseable time 5:1 expected a valid date and time in TimeGenerated [UTC], found \"4/31/2025, 9:00:00.000 AM\"");
    CHECK(r.skips[4] == "unparseable EventID 6:29 expected a Windows event ID (a number 0-65535) in EventID, found \"46x25\"");
    CHECK(r.skips[5] == "unparseable EventID 7:29 expected a Windows event ID (a number 0-65535) in EventID, found an empty value");
    CHECK(r.skips[6] == "malformed CSV record 8:47 expected a delimiter or the end of the line after a closing quote");
  }
  SECTION("a header without the table's time column") {
    auto r = read("cloudtrail-csv", "EventName,SourceIpAddress\nConsoleLogin,203.0.113.1\n");
    CHECK(r.fatals == std::vector<std::string>{"1:1 expected a AWSCloudTrail header with a time column (TimeGenerated)"});
    CHECK(r.signIns.empty());
  }
  SECTION("a file forced on the wrong family is named for the right reader") {
    auto r = read("entra-signin-csv", fixture("signin/cloudtrail_la.csv"));
    REQUIRE(r.fatals.size() == 1);
    CHECK(r.fatals[0] ==
          "1:1 expected an Entra ID sign-in header (SigninLogs: ResultType, IPAddress, UserPrincipalName; or the admin center's download: "
          "Date (UTC), IP address, Username); this header is AWSCloudTrail's: read it as cloudtrail-csv");
    CHECK(r.signIns.empty());
    auto n = read("windows-security-csv", ::test::eventsCsv(::test::series("2026-11-24T10:00:00Z", 3, 60)));
    REQUIRE(n.fatals.size() == 1);
    CHECK(n.fatals[0] == "1:1 expected a SecurityEvent header (EventID, IpAddress, TargetUserName)");
  }
  SECTION("an empty file") {
    auto r = read("entra-signin-csv", "");
    CHECK(r.fatals == std::vector<std::string>{"0:0 the file is empty: expected a CSV header line"});
  }
  SECTION("through the engine: sign-in records are counted, problems located") {
    auto res = ::test::run(fixture("signin/securityevent_projected.csv"));
    REQUIRE(res.files.size() == 1);
    CHECK(res.files[0].format == "windows-security-csv");
    CHECK(res.files[0].records == 7);
    CHECK(res.files[0].skipped == 0);
  }
}

TEST_CASE("sign-in CSV header names and time-zone notes", "[signin]") {
  SECTION("names compare without case, surrounding spaces, zone suffixes, KQL suffixes; inner spaces as one") {
    CHECK(headerNameIs("Application ID ", "Application ID"));
    CHECK(headerNameIs("Autonomous system  number", "Autonomous system number"));
    CHECK(headerNameIs(" TimeGenerated [UTC] ", "timegenerated"));
    CHECK(headerNameIs("TimeGenerated [Local Time]", "TimeGenerated"));
    CHECK(headerNameIs("IPAddress_string", "IPAddress"));
    CHECK(headerNameIs("ISP", "Isp"));
    CHECK_FALSE(headerNameIs("IPAddressFromResourceProvider", "IPAddress"));
    CHECK_FALSE(headerNameIs("Autonomous systemnumber", "Autonomous system number"));
  }
  SECTION("[Local Time] is said to be read as UTC") {
    auto r = read("cloudtrail-csv", "\"TimeGenerated [Local Time]\",EventName,SourceIpAddress\n\"4/21/2025, 9:00:00.000 AM\",ConsoleLogin,203.0.113.1\n");
    REQUIRE(r.signIns.size() == 1);
    CHECK(hasNote(r, "times are in the exporting browser's local time zone (TimeGenerated [Local Time]), which the export does not name: "
                     "read as UTC"));
    CHECK(fields(r.signIns[0])["outcome"] == "unknown");  // no ResponseElements, no ErrorMessage
  }
  SECTION("a row whose Type names another table is filtered, whatever its columns say") {
    auto r = read("defender-signin-csv",
                  "TimeGenerated [UTC],ActionType,LogonType,AccountName,IPAddress,Type\n"
                  "\"4/21/2025, 9:00:00.000 AM\",LogonFailed,Network,a,203.0.113.1,IdentityLogonEvents\n"
                  "\"4/21/2025, 9:00:00.000 AM\",LogonFailed,Network,a,203.0.113.1,DeviceLogonEvents\n");
    CHECK(r.signIns.size() == 1);
    CHECK(r.others == std::vector<std::string>{"row of another table (Type column)"});
  }
}

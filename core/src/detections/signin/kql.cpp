// The signin detection as KQL (vpshunt/kql.hpp): one row per client address over the signin
// lookback, with the core's Score and Reasons (scoreSignIns() in signin.cpp, step by step).
//
// Sources: Entra ID sign-ins (SigninLogs + AADNonInteractiveUserSignInLogs on sentinel/adx;
// AADSignInEventsBeta / EntraIdSignInEvents in advanced hunting), IdentityLogonEvents and
// DeviceLogonEvents (every target), SecurityEvent 4624/4625 (sentinel, adx).
#include <string>

#include "detections/kql_common.hpp"
#include "formats/signin_codes.hpp"

namespace vpshunt::kql {

namespace {

// The Entra ID result codes the core reads as "stopped for one more step" (MFA, consent, ...):
// asked of the core's own table, so that the query and the core cannot drift apart.
const std::string& interruptedCodes() {
  static const std::string list = [] {
    std::string s = "dynamic([";
    bool first = true;
    for (int code = 1; code < 1000000; ++code)
      if (signin::entraOutcome(std::to_string(code)) == SignInOutcome::Interrupted) {
        s += (first ? "" : ", ") + std::to_string(code);
        first = false;
      }
    return s + "])";
  }();
  return list;
}

// The failure reasons' words: the rule's codeWords (a code, or a log's text), else the code and the
// log's own text.
std::string codeWordsCase(const SignInRule& r) {
  std::string c;
  for (const auto& w : r.codeWords) {
    std::string key = w.code;
    for (char& ch : key)
      if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
    c += "    CodeKey == " + quote(key) + " or CodeText =~ " + quote(w.code) + ",\n";
    c += "        iff(IsCode and CodeKey matches regex @\"^([0-9]+|0x[0-9a-f]+)$\", strcat(CodeKey, \" \", " + quote(w.words) +
         "), " + quote(w.words) + "),\n";
  }
  const std::string fallback = "iff(IsCode and isnotempty(CodeText), strcat(Code, \" \", CodeText), coalesce(Code, CodeText))";
  if (c.empty()) return "| extend Words = " + fallback + "\n";
  return "| extend Words = case(\n" + c + "    " + fallback + ")\n";
}

}  // namespace

std::string signinScore(const Rule& rule) {
  (void)rule;
  std::string q;
  q += "// Score: network (listed: bulletproof 30, vps/hosting 20, vpn 15, cloud 10, proxy 0; inferred 10, vpn 8)\n";
  q += "// + 30 x breadth of failing users (log2, 50 = full) + mostly failed 10 + spray 15 + brute force 10\n";
  q += "// + a success after failures 30 (15 from no attacker side) or an MFA stop 15 (5) + a success from a rented\n";
  q += "// server 10 + through a VPN 15; shared egress at most 15; + TI 30.\n";
  q += "| extend Rented = IsHosting and HostingCategory in (\"vps\", \"hosting\", \"bulletproof\"),\n";
  q += "    Vpn = IsHosting and HostingCategory == \"vpn\", Cloud = IsHosting and HostingCategory == \"cloud\"\n";
  q += "| extend Spray = FailingUsers >= SprayMinUsers and Failures * 100.0 >= SprayMinFailurePercent * Attempts,\n";
  q += "    Egress = SuccessUsers >= EgressMinUsers and Failures * 100.0 <= EgressMaxFailurePercent * Attempts,\n";
  q += "    NSignedIn = array_length(SignedIn), NStopped = array_length(Stopped)\n";
  q += "| extend AttackerSide = Rented or Cloud or Spray\n";
  q += "| extend Points = iff(not(IsHosting), 0.0, iff(HostingConfidence != \"listed\", iff(HostingCategory == \"vpn\", 8.0, 10.0),\n";
  q += "        case(HostingCategory == \"bulletproof\", 30.0, HostingCategory in (\"vps\", \"hosting\"), 20.0,\n";
  q += "             HostingCategory == \"vpn\", 15.0, HostingCategory == \"cloud\", 10.0, 0.0)))\n";
  q += "    + 30 * min_of(1.0, log2(1.0 + FailingUsers) / log2(51.0))\n";
  q += "    + iff(Failures >= 5 and Failures * 2 >= Attempts, 10.0, 0.0)\n";
  q += "    + iff(Spray, 15.0, 0.0)\n";
  q += "    + iff(MaxUserFailures >= BruteForceMinFailures, 10.0, 0.0)\n";
  q += "    + iff(NSignedIn > 0, iff(AttackerSide, 30.0, 15.0), iff(NStopped > 0, iff(AttackerSide, 15.0, 5.0), 0.0))\n";
  q += "    + iff(Successes > 0 and not(Egress) and Rented and NSignedIn == 0, 10.0, 0.0)\n";
  q += "    + iff(Successes > 0 and not(Egress) and Vpn, 15.0, 0.0)\n";
  q += "| extend Score = toint(round(max_of(0.0, min_of(100.0, iff(Egress, min_of(Points, 15.0), Points)\n";
  q += "    + iff(IsTIMatch, 30.0, 0.0)))))\n";
  q += "| extend Reasons = array_concat(\n";
  q += "    pack_array(NetworkReason),\n";
  q += "    pack_array(strcat(iff(Addresses > 1, strcat(Addresses, \" addresses: \"), \"\"), UserCount,\n";
  q += "        iff(UserCount == 1, \" user\", \" users\"), \" tried\",\n";
  q += "        iff(Attempts == 1, \" once\", strcat(iff(LastSeen - FirstSeen < 90m, \" in \", \" over \"), SpanText(LastSeen - FirstSeen))),\n";
  q += "        iff(Failures == 0, \", none failed\", strcat(\", \", Failures, \" failed\",\n";
  q += "            iff(array_length(TopReasons) == 0, \"\", strcat(\" (\", NameList(TopReasons, 2), \")\")))),\n";
  q += "        iff(Successes > 0, strcat(\", \", Successes, \" succeeded\"), \"\"),\n";
  q += "        iff(Interrupted > 0, strcat(\", \", Interrupted, \" stopped for MFA or another step\"), \"\"))),\n";
  q += "    iff(Spray, pack_array(strcat(iff(Addresses > 1, \"distributed password spray: \", \"password spray: \"),\n";
  q += "        FailingUsers, iff(FailingUsers == 1, \" user\", \" users\"), \" with failures, \", Percent(Failures, Attempts),\n";
  q += "        \" of \", Attempts, \" attempts failed\")), dynamic([])),\n";
  q += "    iff(MaxUserFailures >= BruteForceMinFailures,\n";
  q += "        pack_array(strcat(\"brute force: \", MaxUserFailures, \" failures for \", MaxUserName)), dynamic([])),\n";
  q += "    iff(NSignedIn == 1, pack_array(strcat(\"1 success: \", tostring(SignedIn[0][1]), iff(tobool(SignedIn[0][2]), \" after \", \" among \"),\n";
  q += "            tolong(SignedIn[0][0]), iff(tolong(SignedIn[0][0]) == 1, \" failure\", \" failures\"))),\n";
  q += "        iff(NSignedIn > 1, pack_array(strcat(NSignedIn, \" users signed in after failures: \", NameList(SignedInText, 5))),\n";
  q += "        iff(NStopped > 0, pack_array(strcat(\"password accepted after failures, stopped for MFA or another step: \",\n";
  q += "            NameList(StoppedText, 5))), dynamic([])))),\n";
  q += "    iff(Successes > 0 and not(Egress) and Rented and NSignedIn == 0,\n";
  q += "        pack_array(strcat(\"signed in from a rented server: \", NameList(SuccessNames, 3))), dynamic([])),\n";
  q += "    iff(Successes > 0 and not(Egress) and Vpn, pack_array(strcat(\"signed in through a VPN exit (\", NameList(SuccessNames, 3),\n";
  q += "        \"): who signed in is hidden behind it\")), dynamic([])),\n";
  q += "    iff(Egress, pack_array(strcat(\"shared egress: \", SuccessUsers, \" users signed in, \", Percent(Failures, Attempts),\n";
  q += "        \" of attempts failed (a security proxy or a corporate gateway): scored low\")), dynamic([])),\n";
  q += "    pack_array(" + tiReason() + "))\n";
  return q;
}

std::string signinLets(const Rule& rule, KqlTarget t, const KqlOptions& options, std::vector<std::string>& notExpressed,
                       std::vector<std::string>& differences, bool standalone) {
  const SignInRule& r = rule.signin;
  differences.push_back("now: ago() counts back from when the query runs; vpshunt's now is --now or the latest event "
                        "in the loaded files");
  hostingDifferences(t, options, differences);
  differences.push_back("a sign-in log's own ASN (SigninLogs' AutonomousSystemNumber) is used as vpshunt uses it, "
                        "attributed by the watchlist's rows of that ASN; the reasons do not say when it disagrees "
                        "with the range's");
  differences.push_back("failure reasons are the rule's codeWords, else the code and the log's own text; vpshunt also "
                        "has built-in words for Entra ID, Windows and Kerberos codes");
  differences.push_back("user names compare case-insensitively (tolower); the first spelling vpshunt shows is any "
                        "spelling here, and names in reasons are not cut at 64 characters");
  differences.push_back("lists of equal counts are ordered by name here, by first appearance in vpshunt");
  differences.push_back("public clients: not private, loopback, link-local or unspecified; vpshunt also leaves out "
                        "shared address space, documentation and multicast ranges");
  differences.push_back("SecurityEvent 4625: the code is SubStatus, else Status");
  differences.push_back("round() and the spans in words may round halves differently");
  if (t == KqlTarget::Defender) {
    notExpressed.push_back("SigninLogs, AADNonInteractiveUserSignInLogs and SecurityEvent: not in advanced hunting; "
                           "Entra ID sign-ins come from AADSignInEventsBeta and EntraIdSignInEvents (both, where a "
                           "tenant has both: the same sign-in can count twice during the move between them), which "
                           "name no AS");
  }
  if (!hasTiTable(t))
    notExpressed.push_back("the threat-intelligence join (tiLookbackMinutes, tiExtraMatchFields, tiHonourExpiration, "
                           "kqlTiTable): advanced hunting has no Sentinel TI table, so IsTIMatch is false and TI's 30 "
                           "points never apply");
  if (t == KqlTarget::Adx)
    differences.push_back("the cluster must hold the sign-in tables with Sentinel's columns (e.g. exported from the "
                          "workspace)");

  std::string q;
  q += "// T1583.003 \xE2\x80\x94 Virtual Private Server: sign-ins from rented servers (password spray, brute force,\n";
  q += "// a password found): one row per client address, who it tried, what failed and why, who got in, Score.\n";
  q += "let SignInLookback = " + duration(r.lookbackMinutes) + ";\n";
  q += "let SignInMinAttempts = " + std::to_string(r.minAttempts) + ";\n";
  q += "let SprayMinUsers = " + std::to_string(r.sprayMinUsers) + ";\n";
  q += "let SprayMinFailurePercent = " + std::to_string(r.sprayMinFailurePercent) + ";\n";
  q += "let BruteForceMinFailures = " + std::to_string(r.bruteForceMinFailures) + ";\n";
  q += "let CompromiseMinFailures = " + std::to_string(r.compromiseMinFailures) + ";\n";
  q += "let EgressMinUsers = " + std::to_string(r.egressMinUsers) + ";\n";
  q += "let EgressMaxFailurePercent = " + std::to_string(r.egressMaxFailurePercent) + ";\n";
  q += "// Entra ID result codes that stop a sign-in for one more step (MFA, consent, ...): not failures\n";
  q += "let InterruptedCodes = " + interruptedCodes() + ";\n";
  q += "let EntraOutcome = (code:string) {\n";
  q += "    iff(trim(@\"\\s+\", code) matches regex @\"^[0-9]+$\", iff(tolong(code) == 0, \"success\",\n";
  q += "        iff(tolong(code) in (InterruptedCodes), \"interrupted\", \"failure\")), \"\")\n";
  q += "};\n";
  q += "let LogonOutcome = (actionType:string) {\n";
  q += "    case(actionType =~ \"LogonSuccess\", \"success\", actionType =~ \"LogonFailed\", \"failure\", \"\")\n";
  q += "};\n";
  if (standalone) {
    q += addressFunctions();
    q += "// Hosting ranges: CIDR, ASN, provider, category, organisation (vpshunt --export-watchlist).\n";
    q += hostingLets(t, options);
  }
  q += "// The watchlist by ASN: attribution for an AS a sign-in log names\n";
  q += "let HostingByAsn = Hosting\n";
  q += "| summarize arg_min(HostingCidr, HostingProvider, HostingCategory, HostingConfidence, RemoteOrg, HostingReason)\n";
  q += "    by LogAsn = RemoteASN\n";
  q += "| project LogAsn, AsnProvider = HostingProvider, AsnCategory = HostingCategory, AsnConfidence = HostingConfidence,\n";
  q += "    AsnOrg = RemoteOrg, AsnReason = HostingReason;\n";
  q += "// Step 1: the sign-ins (time, client, user, application, outcome, code, the log's words, the log's AS)\n";
  q += "let SignInEvents = union isfuzzy=true\n";
  if (t == KqlTarget::Defender) {
    q += "    (union isfuzzy=true AADSignInEventsBeta, EntraIdSignInEvents\n";
    q += "    | where Timestamp > ago(SignInLookback)\n";
    q += "    | extend Code = tostring(ErrorCode)\n";
    q += "    | project Timestamp, RemoteIP = IPAddress, User = AccountUpn, App = Application, Outcome = EntraOutcome(Code),\n";
    q += "        Code, CodeText = \"\", IsCode = true, LogAsn = long(null)),\n";
  } else {
    q += "    (union SigninLogs, AADNonInteractiveUserSignInLogs\n";
    q += "    | where TimeGenerated > ago(SignInLookback)\n";
    q += "    | project Timestamp = TimeGenerated, RemoteIP = IPAddress, User = UserPrincipalName, App = AppDisplayName,\n";
    q += "        Outcome = EntraOutcome(ResultType), Code = trim(@\"\\s+\", ResultType), CodeText = ResultDescription,\n";
    q += "        IsCode = true, LogAsn = tolong(AutonomousSystemNumber)),\n";
    q += "    (SecurityEvent\n";
    q += "    | where TimeGenerated > ago(SignInLookback)\n";
    q += "    | where EventID in (4624, 4625)\n";
    q += "    | extend Code = iff(EventID == 4625, iff(isnotempty(SubStatus) and SubStatus != \"0x0\", SubStatus, Status), \"\")\n";
    q += "    | project Timestamp = TimeGenerated, RemoteIP = IpAddress, User = TargetUserName, App = Computer,\n";
    q += "        Outcome = iff(EventID == 4624, \"success\", \"failure\"), Code, CodeText = FailureReason,\n";
    q += "        IsCode = isnotempty(Code), LogAsn = long(null)),\n";
  }
  q += "    (IdentityLogonEvents\n";
  q += "    | where Timestamp > ago(SignInLookback)\n";
  q += "    | project Timestamp, RemoteIP = IPAddress, User = coalesce(AccountUpn, AccountName),\n";
  q += "        App = coalesce(Application, DeviceName), Outcome = LogonOutcome(ActionType), Code = \"\",\n";
  q += "        CodeText = FailureReason, IsCode = false, LogAsn = long(null)),\n";
  q += "    (DeviceLogonEvents\n";
  q += "    | where Timestamp > ago(SignInLookback)\n";
  q += "    | where ActionType in (\"LogonSuccess\", \"LogonFailed\", \"LogonAttempted\")\n";
  q += "    | project Timestamp, RemoteIP, User = AccountName, App = DeviceName, Outcome = LogonOutcome(ActionType),\n";
  q += "        Code = \"\", CodeText = FailureReason, IsCode = false, LogAsn = long(null))\n";
  q += "| extend RemoteIP = trim(@\"\\s+\", RemoteIP), User = trim(@\"\\s+\", User), App = trim(@\"\\s+\", App)\n";
  q += "| where IsAddress(RemoteIP) and not(IsInternalAddress(RemoteIP)) and RemoteIP !in (\"0.0.0.0\", \"::\")\n";
  q += canonicalRemoteIp();
  q += "| extend UserKey = tolower(User), CodeKey = tolower(coalesce(Code, CodeText));\n";
  q += "// Step 2: per address and user: did a success (or an MFA stop) follow failures?\n";
  q += "let SignInPairs = SignInEvents\n";
  q += "| summarize User = take_any(User), Attempts = count(), Failures = countif(Outcome == \"failure\"),\n";
  q += "    Successes = countif(Outcome == \"success\"), Interrupted = countif(Outcome == \"interrupted\"),\n";
  q += "    FirstFailure = minif(Timestamp, Outcome == \"failure\"), LastFailure = maxif(Timestamp, Outcome == \"failure\"),\n";
  q += "    FirstSuccess = minif(Timestamp, Outcome == \"success\"), FirstStop = minif(Timestamp, Outcome == \"interrupted\")\n";
  q += "  by RemoteIP, UserKey\n";
  q += "| extend FoundKind = case(\n";
  q += "    Failures >= CompromiseMinFailures and Successes > 0 and FirstFailure < FirstSuccess, \"signedin\",\n";
  q += "    Failures >= CompromiseMinFailures and Successes == 0 and Interrupted > 0 and FirstFailure < FirstStop, \"stopped\",\n";
  q += "    \"\")\n";
  q += "| extend AllBefore = iff(FoundKind == \"signedin\", LastFailure < FirstSuccess, LastFailure < FirstStop),\n";
  q += "    FoundText = strcat(User, \" (\", Failures, iff(Failures == 1, \" failure\", \" failures\"), \")\");\n";
  q += "// Step 3: per address: users (the most attempts first), who got in, the best brute-forced user\n";
  q += "let SignInByUser = SignInPairs\n";
  q += "| summarize UserCount = count(), FailingUsers = countif(Failures > 0), SuccessUsers = countif(Successes > 0),\n";
  q += "    MaxUserFailures = max(Failures), P = make_list(pack_array(Attempts, User, Failures, Successes, FoundKind,\n";
  q += "        AllBefore, FoundText)) by RemoteIP\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend Attempts = tolong(E[0]), User = tostring(E[1])\n";
  q += "    | order by Attempts desc, User asc\n";
  q += "    | summarize Users = make_list(User, 10))\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend Attempts = tolong(E[0]), User = tostring(E[1]), Failures = tolong(E[2])\n";
  q += "    | order by Failures desc, Attempts desc, User asc\n";
  q += "    | take 1\n";
  q += "    | project MaxUserName = User)\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend Attempts = tolong(E[0]), User = tostring(E[1]), Successes = tolong(E[3]), AfterFailures = tostring(E[4]) == \"signedin\"\n";
  q += "    | where Successes > 0\n";
  q += "    | order by AfterFailures desc, Successes desc, Attempts desc, User asc\n";
  q += "    | summarize SuccessNames = make_list(User, 10))\n";
  q += "| mv-apply E = P on (\n";
  q += "    extend Attempts = tolong(E[0]), User = tostring(E[1]), Failures = tolong(E[2]), Kind = tostring(E[4]),\n";
  q += "        AllBefore = tobool(E[5]), Text = tostring(E[6])\n";
  q += "    | where isnotempty(Kind)\n";
  q += "    | order by Failures desc, Attempts desc, User asc\n";
  q += "    | summarize SignedIn = make_list_if(pack_array(Failures, User, AllBefore), Kind == \"signedin\"),\n";
  q += "        SignedInText = make_list_if(Text, Kind == \"signedin\"), Stopped = make_list_if(Text, Kind == \"stopped\"),\n";
  q += "        StoppedText = make_list_if(Text, Kind == \"stopped\"))\n";
  q += "| extend SuccessNames = coalesce(SuccessNames, dynamic([])), SignedIn = coalesce(SignedIn, dynamic([])),\n";
  q += "    SignedInText = coalesce(SignedInText, dynamic([])), Stopped = coalesce(Stopped, dynamic([])),\n";
  q += "    StoppedText = coalesce(StoppedText, dynamic([]))\n";
  q += "| project-away P;\n";
  q += "let SignInApps = SignInEvents\n";
  q += "| where isnotempty(App)\n";
  q += "| summarize N = count() by RemoteIP, App\n";
  q += "| summarize P = make_list(pack_array(N, App)) by RemoteIP\n";
  q += "| mv-apply E = P on (extend N = tolong(E[0]), A = tostring(E[1]) | order by N desc, A asc | summarize Apps = make_list(A, 5))\n";
  q += "| project RemoteIP, Apps;\n";
  q += "// Failure reasons: the most frequent codes of failures, in words\n";
  q += "let SignInCodeCounts = SignInEvents\n";
  q += "| where Outcome == \"failure\" and isnotempty(CodeKey)\n";
  q += codeWordsCase(r);
  q += "| summarize N = count(), Words = take_any(Words) by RemoteIP, CodeKey;\n";
  q += "let SignInCodes = SignInCodeCounts\n";
  q += "| summarize P = make_list(pack_array(N, CodeKey, Words)) by RemoteIP\n";
  q += "| mv-apply E = P on (extend N = tolong(E[0]), K = tostring(E[1]), W = tostring(E[2])\n";
  q += "    | order by N desc, K asc | summarize FailureReasons = make_list(W, 3))\n";
  q += "| project RemoteIP, FailureReasons;\n";
  q += "let SignInSources = SignInEvents\n";
  q += "| summarize Attempts = count(), Failures = countif(Outcome == \"failure\"), Successes = countif(Outcome == \"success\"),\n";
  q += "    Interrupted = countif(Outcome == \"interrupted\"), FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n";
  q += "    LogAsn = take_anyif(LogAsn, isnotnull(LogAsn) and LogAsn > 0) by RemoteIP\n";
  q += "| where Attempts >= SignInMinAttempts\n";
  q += "| lookup kind=leftouter SignInByUser on RemoteIP\n";
  q += "| lookup kind=leftouter SignInApps on RemoteIP\n";
  q += "| lookup kind=leftouter SignInCodes on RemoteIP\n";
  q += "| extend Apps = coalesce(Apps, dynamic([])), FailureReasons = coalesce(FailureReasons, dynamic([]))\n";
  std::string ti = tiJoin(rule, t, "", notExpressed, differences);
  q += ti.substr(ti.find_first_not_of('\n'));
  q.back() = ';';
  q += "\n";
  q += "// Step 4: the network (the log's AS when it names one, else the watchlist's range), the Score\n";
  q += "let SignInScored = " + attributed(t, "SignInSources");
  q += "| lookup kind=leftouter HostingByAsn on LogAsn\n";
  q += "| extend UseLog = isnotnull(LogAsn) and LogAsn != coalesce(RemoteASN, 0)\n";
  q += "| extend RemoteASN = iff(UseLog, LogAsn, RemoteASN), RemoteOrg = iff(UseLog, AsnOrg, RemoteOrg),\n";
  q += "    HostingProvider = iff(UseLog, AsnProvider, HostingProvider), HostingCategory = iff(UseLog, AsnCategory, HostingCategory),\n";
  q += "    HostingConfidence = iff(UseLog, AsnConfidence, HostingConfidence), HostingReason = iff(UseLog, AsnReason, HostingReason)\n";
  q += "| extend IsHosting = isnotempty(HostingCategory), Addresses = 1, TopReasons = FailureReasons,\n";
  q += "    NetworkReason = iff(isnotempty(HostingReason), HostingReason,\n";
  q += "        iff(isnotnull(RemoteASN), strcat(\"AS\", RemoteASN, \" (not in the VpsHosting watchlist)\"),\n";
  q += "            \"not in a hosting range of the VpsHosting watchlist\"))\n";
  q += signinScore(rule);
  q += "| extend Detection = \"signin\", FailureCount = Failures, SuccessCount = Successes, SuccessUsers = SuccessNames\n";
  q += "| project Detection, Score, RemoteIP, RemoteASN, RemoteOrg, IsHosting, HostingProvider, HostingCategory, UserCount,\n";
  q += "    FailureCount, SuccessCount, SuccessUsers, Users, Apps, FailureReasons, FirstSeen, LastSeen, IsTIMatch, Reasons,\n";
  q += "    Attempts, Interrupted, ThreatType, TIConfidence;\n";
  return q;
}

namespace {

std::string signinQuery(const Rule& r, KqlTarget t, const KqlOptions& options) {
  std::vector<std::string> notExpressed, differences;
  const std::string body = signinLets(r, t, options, notExpressed, differences, true) +
                           "SignInScored\n"
                           "| project Detection, Score, RemoteIP, RemoteASN, RemoteOrg, IsHosting, HostingProvider, HostingCategory,\n"
                           "    UserCount, FailureCount, SuccessCount, SuccessUsers, Users, Apps, FailureReasons, FirstSeen, LastSeen,\n"
                           "    IsTIMatch, Reasons\n"
                           "| sort by Score desc, FailureCount desc, RemoteIP asc\n";
  return header("signin", r, t, notExpressed, differences) + body;
}

// ---------------------------------------------------------------------------------------------
// pivots: the users' sign-ins around the suspicious ones, the address across every table and
// user, its network and AS.

std::vector<KqlPivot> signinPivots(const KqlRow& row, KqlTarget t, const KqlOptions& options) {
  std::vector<KqlPivot> out;
  const std::string* ipText = field(row, "RemoteIP");
  IpAddress ip;
  const bool hasIp = ipText && parseIp(*ipText, ip);

  // The users who got in from the address matter most; without a success, the users it tried.
  std::vector<std::string> users = listField(row, "SuccessUsers");
  if (users.empty()) users = listField(row, "Users");
  if (users.size() > 10) users.resize(10);
  if (!users.empty()) {
    std::string q = users.size() == 1
                        ? "// The user's sign-ins a day either side of the row: every address, app, result and location,\n"
                        : "// The users' sign-ins a day either side of the row: every address, app, result and location,\n";
    q += "// interactive and non-interactive";
    q += hasIp ? " (FromRowAddress marks the row's address).\n" : ".\n";
    if (t == KqlTarget::Defender)
      q += "// Advanced hunting's AADSignInEventsBeta / EntraIdSignInEvents hold both kinds (LogonType tells them apart);\n"
           "// SigninLogs and AADNonInteractiveUserSignInLogs are Sentinel's: run the sentinel form there.\n";
    q += "let Users = " + dynamicList(users) + ";\n";
    if (hasIp) q += addressMatch(ip);
    q += windowLets(row, "FirstSeen", "LastSeen", 24 * 60, 24 * 60);
    q += signInEvents(t, true, false);
    if (hasIp) q += "| extend FromRowAddress = Matches(Address)\n";
    q += "| sort by User asc, Time asc\n";
    out.push_back({"user-signins", users.size() == 1 ? "The user's sign-ins around it" : "The users' sign-ins around it", q});
  }
  if (!hasIp) return out;

  const std::string wide = windowLets(row, "FirstSeen", "LastSeen", 7 * 24 * 60, 7 * 24 * 60);
  out.push_back(everywherePivot("address-everywhere", "The address across every table and every user",
                                "// The address across every table that holds addresses, for every user and device, a week either\n"
                                "// side of the row.\n",
                                addressMatch(ip) + wide, t, false, ""));
  addressNetworkPivots(row, ip, wide, t, options, out);
  return out;
}

}  // namespace

const KqlDetection kSignInKql{"signin", &signinQuery, &signinPivots};

}  // namespace vpshunt::kql

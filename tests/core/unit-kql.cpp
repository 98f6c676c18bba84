// The KQL export (vpshunt/kql.hpp): string literals, lists, the golden seed query, tuned values,
// the watchlist CSV and CIDR splitting, pivots with hostile row values, the kqlTiTable rule key.
// Kusto.Language's own analysis of every query is in tests/js/kql.test.mjs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "detections/kql_common.hpp"
#include "vpshunt/kql.hpp"

using namespace vpshunt;

namespace {

std::string readFixture(const std::string& rel) {
  std::ifstream in(std::string(VPSHUNT_SOURCE_DIR) + "/tests/fixtures/" + rel, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) out += char(cp);
  else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// What a KQL lexer reads from a double-quoted literal: the text, and where the literal ended.
// Fails the test on a raw line break or an escape KQL does not have.
std::string unquote(const std::string& lit, size_t& end) {
  REQUIRE(!lit.empty());
  REQUIRE(lit[0] == '"');
  std::string out;
  for (size_t i = 1; i < lit.size(); ++i) {
    const char c = lit[i];
    REQUIRE(c != '\n');
    REQUIRE(c != '\r');
    if (c == '"') {
      end = i + 1;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    REQUIRE(i + 1 < lit.size());
    const char e = lit[++i];
    if (e == '\\' || e == '"') out += e;
    else if (e == 'n') out += '\n';
    else if (e == 'r') out += '\r';
    else if (e == 't') out += '\t';
    else if (e == 'u') {
      REQUIRE(i + 4 < lit.size());
      appendUtf8(out, uint32_t(std::stoul(lit.substr(i + 1, 4), nullptr, 16)));
      i += 4;
    } else {
      FAIL("unknown escape \\" << e);
    }
  }
  FAIL("unterminated literal");
  return out;
}

}  // namespace

TEST_CASE("kql: string literals") {
  SECTION("plain text is written as is") { CHECK(kql::quote("chrome.exe") == "\"chrome.exe\""); }
  SECTION("hostile values stay inside one literal and read back exactly") {
    const std::vector<std::string> hostile = {
        "", "\"", "\\", "\\\"", "a\"b", "end\\", "\" | take 1 //", "line1\nline2", "cr\rlf\r\n", "tab\tx",
        "\x01\x02\x1f\x7f", "caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80", "sep\xE2\x80\xA8par\xE2\x80\xA9nel\xC2\x85",
        "// comment", "```", "@\"verbatim\"", "h'x'", std::string(100000, '\\') + "\"", std::string("nul\0byte", 8),
    };
    for (const std::string& v : hostile) {
      INFO("value: " << v.substr(0, 60));
      const std::string lit = kql::quote(v);
      CHECK(std::all_of(lit.begin(), lit.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20; }));
      CHECK(lit.find("\xE2\x80\xA8") == std::string::npos);
      size_t end = 0;
      CHECK(unquote(lit, end) == v);
      CHECK(end == lit.size());  // nothing after the literal's own closing quote
    }
  }
  SECTION("invalid UTF-8 becomes U+FFFD") {
    size_t end = 0;
    CHECK(unquote(kql::quote("a\xFF" "b\xC3"), end) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    CHECK(unquote(kql::quote("\xED\xA0\x80"), end) == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
    CHECK(unquote(kql::quote("\xC0\xAF"), end) == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  }
}

TEST_CASE("kql: lists, durations, reals") {
  CHECK(kql::inList({"ConnectionSuccess", "NetworkSignatureInspected"}) ==
        "(\"ConnectionSuccess\", \"NetworkSignatureInspected\")");
  CHECK(kql::inList({}) == "(dynamic([]))");
  CHECK(kql::dynamicList({}) == "dynamic([])");
  CHECK(kql::dynamicList({"a.exe"}) == "dynamic([\n  \"a.exe\"\n])");
  // The seed's own wrapping: lines of at most 80 columns.
  CHECK(kql::dynamicList({"chrome.exe", "firefox.exe", "msedge.exe", "microsoftedgecp.exe", "iexplore.exe",
                          "brave.exe", "opera.exe", "safari.exe", "waterfox.exe"}) ==
        "dynamic([\n"
        "  \"chrome.exe\", \"firefox.exe\", \"msedge.exe\", \"microsoftedgecp.exe\",\n"
        "  \"iexplore.exe\", \"brave.exe\", \"opera.exe\", \"safari.exe\", \"waterfox.exe\"\n"
        "])");
  CHECK(kql::duration(1440) == "24h");
  CHECK(kql::duration(7 * 1440) == "7d");
  CHECK(kql::duration(2880) == "2d");
  CHECK(kql::duration(90) == "90m");
  CHECK(kql::duration(120) == "2h");
  CHECK(kql::real(0.6) == "0.6");
  CHECK(kql::real(1) == "1.0");
  CHECK(kql::real(0.1 + 0.2) == "0.30000000000000004");
}

TEST_CASE("kql: the seed query, golden") {
  const std::string q = exportKql(Rule{}, KqlTarget::Sentinel, "beacon");
  SECTION("the whole text") { CHECK(q == readFixture("kql/seed-sentinel.kql")); }
  SECTION("the published seed with exactly the three schema corrections") {
    std::string seed = readFixture("kql/seed-published.kql");
    auto replace = [&](const std::string& from, const std::string& to) {
      size_t at = seed.find(from);
      REQUIRE(at != std::string::npos);
      REQUIRE(seed.find(from, at + 1) == std::string::npos);
      seed.replace(at, from.size(), to);
    };
    replace("    TotalBytesSent = sum(SentBytes),\n    TotalBytesReceived = sum(ReceivedBytes),\n", "");
    replace("  by DeviceName, AccountName, InitiatingProcessFileName,",
            "  by DeviceName, AccountName = InitiatingProcessAccountName, InitiatingProcessFileName,");
    replace("| where ConnectionCount >= BeaconMinConnections;",
            "| where ConnectionCount >= BeaconMinConnections\n"
            "| extend TotalBytesSent = long(null), TotalBytesReceived = long(null);");
    const size_t body = q.find("// T1583.003");
    REQUIRE(body != std::string::npos);
    CHECK(q.substr(body) == seed);
    // Everything before the body is comment.
    std::istringstream head(q.substr(0, body));
    for (std::string line; std::getline(head, line);) CHECK((line.empty() || line.rfind("//", 0) == 0));
  }
  SECTION("adx is the sentinel form; defender leaves the TI join out and says so") {
    const std::string adx = exportKql(Rule{}, KqlTarget::Adx, "beacon");
    CHECK(adx.substr(adx.find("// T1583.003")) == q.substr(q.find("// T1583.003")));
    const std::string def = exportKql(Rule{}, KqlTarget::Defender, "beacon");
    CHECK(def.find("ThreatIntelligenceIndicator") == std::string::npos);
    CHECK(def.find("advanced hunting has no Sentinel TI table") != std::string::npos);
    CHECK(def.find("| extend IsTIMatch = false") != std::string::npos);
  }
}

TEST_CASE("kql: a tuned rule's values are in its query") {
  Rule r = ruleFromJson(nlohmann::json::parse(R"({
    "browserProcesses": ["tuned-browser.exe", "we\"ird\\name.exe"],
    "systemProcesses": ["tuned-system.exe"],
    "actionTypes": ["ConnectionSuccess", "TunedAction"],
    "remoteIpType": "TunedType",
    "beaconMinConnections": 17,
    "observationWindowMinutes": 45,
    "lookbackMinutes": 2880,
    "tiLookbackMinutes": 4320,
    "tiExtraMatchFields": ["NetworkSourceIP"],
    "tiHonourExpiration": true,
    "riskScore": [{"tiMatch": true, "minConnections": 33, "score": 91}, {"maxUniquePorts": 3, "score": 41}],
    "defaultRiskScore": 11,
    "beyondMinConnections": 9,
    "beyondMinPeriodicity": 0.55,
    "beyondExtraActionTypes": ["TunedFailure"],
    "hostingOverridesExclusions": false
  })"));
  for (const char* mode : {"seed", "beyond"}) {
    r.mode = mode;
    for (KqlTarget t : {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx}) {
      INFO(mode << " " << kqlTargetName(t));
      const std::string q = exportKql(r, t, "beacon");
      for (const char* want : {"\"tuned-browser.exe\"", "\"we\\\"ird\\\\name.exe\"", "\"tuned-system.exe\"",
                               "\"TunedAction\"", "RemoteIPType == \"TunedType\"", "let BeaconMinConnections = 17;",
                               "let ObservationWindowMinutes = 45;", "ago(2d)",
                               "IsTIMatch and", "<= 3, 41,", "    11\n)"})
        CHECK(q.find(want) != std::string::npos);
      if (r.mode == "beyond") {
        for (const char* want : {"let BeyondMinConnections = 9;", "let BeyondMinPeriodicity = 0.55;",
                                 "\"TunedFailure\"", "let HostingOverridesExclusions = false;",
                                 "let DefaultRiskScore = 11;"})
          CHECK(q.find(want) != std::string::npos);
        CHECK(q.find("BusiestBinCount >= 33") != std::string::npos);
      } else {
        CHECK(q.find("ConnectionCount >= 33") != std::string::npos);
        CHECK(q.find("beyond-mode parameters") != std::string::npos);
      }
      if (t != KqlTarget::Defender) {
        CHECK(q.find("ago(3d)") != std::string::npos);
        CHECK(q.find("NetworkSourceIP") != std::string::npos);
        CHECK(q.find("ExpirationDateTime") != std::string::npos);
      }
    }
  }
  SECTION("the successor TI table, by the rule switch") {
    r.mode = "seed";
    r.kqlTiTable = "ThreatIntelIndicators";
    const std::string q = exportKql(r, KqlTarget::Sentinel, "beacon");
    CHECK(q.find("ThreatIntelIndicators\n") != std::string::npos);
    CHECK(q.find("ThreatIntelligenceIndicator") == std::string::npos);
    CHECK(q.find("\"network-traffic:src_ref.value\"") != std::string::npos);
    CHECK(q.find("TIExpiration = ValidUntil") != std::string::npos);
  }
  SECTION("a CIDR-block TI match is named as not expressed") {
    r.tiExtraMatchFields = {"NetworkCidrBlock"};
    CHECK(exportKql(r, KqlTarget::Sentinel, "beacon").find("\"NetworkCidrBlock\": indicators of a CIDR block") !=
          std::string::npos);
  }
}

TEST_CASE("kql: beyond mode joins the hosting watchlist per target") {
  Rule r;
  r.mode = "beyond";
  CHECK(exportKql(r, KqlTarget::Sentinel, "beacon").find("_GetWatchlist('VpsHosting')") != std::string::npos);
  const std::string adx = exportKql(r, KqlTarget::Adx, "beacon");
  CHECK(adx.find("externaldata") != std::string::npos);
  CHECK(adx.find(std::string(kql::kHostingUrlPlaceholder)) != std::string::npos);
  CHECK(adx.find("ipv6_lookup") != std::string::npos);
  KqlOptions o;
  o.hostingCsvUrl = "https://acct.blob.core.windows.net/c/VpsHosting.csv?sv=1&sig=\"x";
  const std::string def = exportKql(r, KqlTarget::Defender, "beacon", o);
  CHECK(def.find("[h\"https://acct.blob.core.windows.net/c/VpsHosting.csv?sv=1&sig=\\\"x\"]") != std::string::npos);
  CHECK(def.find("evaluate ipv6_lookup") == std::string::npos);
  CHECK(def.find("ipv4_lookup") != std::string::npos);
}

TEST_CASE("kql: unknown detection and target") {
  CHECK_THROWS_AS(exportKql(Rule{}, KqlTarget::Sentinel, "nope\"\n"), KqlError);
  try {
    exportKql(Rule{}, KqlTarget::Sentinel, "nope");
  } catch (const KqlError& e) {
    CHECK(std::string(e.what()) ==
          "no KQL export for the detection \"nope\" (detections with one: beacon, inbound, signin, infrastructure)");
  }
  KqlTarget t;
  CHECK(parseKqlTarget("defender", t));
  CHECK(t == KqlTarget::Defender);
  CHECK_FALSE(parseKqlTarget("Sentinel", t));
  CHECK(kqlDetections() == std::vector<std::string>{"beacon", "inbound", "signin", "infrastructure"});
}

TEST_CASE("kql: the kqlTiTable rule key") {
  Rule r = ruleFromJson(nlohmann::json::parse(R"({"kqlTiTable": "ThreatIntelIndicators"})"));
  CHECK(r.kqlTiTable == "ThreatIntelIndicators");
  CHECK(ruleToJson(r)["kqlTiTable"].get<std::string>() == "ThreatIntelIndicators");
  CHECK(ruleFromJson(ruleToJson(r)).kqlTiTable == "ThreatIntelIndicators");
  CHECK_FALSE(ruleChangeNeedsReread(Rule{}, r));
  CHECK_THROWS_WITH(ruleFromJson(nlohmann::json::parse(R"({"kqlTiTable": "Other"})")),
                    "rule: \"kqlTiTable\" must be \"ThreatIntelligenceIndicator\" or \"ThreatIntelIndicators\"");
}

TEST_CASE("kql: watchlist CSV") {
  AsnDatabase db;
  std::string error;
  REQUIRE(db.loadCsv("start,end,asn,org\n"
                     "1.0.0.1,1.0.0.6,20473,\"The Constant Company, LLC\"\n"
                     "1.0.1.0,1.0.1.255,64500,Plain Company\n"
                     "1.0.2.0,1.0.2.255,64501,Example Hosting Ltd\n"
                     "10.0.0.0,10.255.255.255,14061,=HYPERLINK(\"x\")\n"
                     "2001:db8::,2001:db8:0:ffff:ffff:ffff:ffff:ffff,20473,Vultr v6\n",
                     error));
  std::vector<std::string> pieces;
  size_t rows = writeWatchlist(db, HostingList::builtin(), [&](std::string_view p) { pieces.emplace_back(p); });
  std::string csv;
  for (const auto& p : pieces) csv += p;
  CHECK(rows == 7);
  CHECK(csv ==
        "Cidr,Asn,Provider,Category,Confidence,Org,Reason\r\n"
        "1.0.0.1/32,20473,Vultr (Choopa),vps,listed,\"The Constant Company, LLC\",AS20473 Vultr (Choopa) (vps)\r\n"
        "1.0.0.2/31,20473,Vultr (Choopa),vps,listed,\"The Constant Company, LLC\",AS20473 Vultr (Choopa) (vps)\r\n"
        "1.0.0.4/31,20473,Vultr (Choopa),vps,listed,\"The Constant Company, LLC\",AS20473 Vultr (Choopa) (vps)\r\n"
        "1.0.0.6/32,20473,Vultr (Choopa),vps,listed,\"The Constant Company, LLC\",AS20473 Vultr (Choopa) (vps)\r\n"
        "1.0.2.0/24,64501,Example Hosting Ltd,hosting,inferred-name,Example Hosting Ltd,AS64501 Example Hosting Ltd "
        "(hosting; inferred from the word 'hosting' in the organisation name)\r\n"
        "10.0.0.0/8,14061,DigitalOcean,vps,listed,\"'=HYPERLINK(\"\"x\"\")\",AS14061 DigitalOcean (vps)\r\n"
        "2001:db8::/48,20473,Vultr (Choopa),vps,listed,Vultr v6,AS20473 Vultr (Choopa) (vps)\r\n");
}

TEST_CASE("kql: CIDR splitting over whole spaces") {
  AsnDatabase db;
  std::string error;
  REQUIRE(db.loadCsv("0.0.0.0,255.255.255.255,20473,all\n", error));
  std::string csv;
  writeWatchlist(db, HostingList::builtin(), [&](std::string_view p) { csv += p; });
  CHECK(csv == "Cidr,Asn,Provider,Category,Confidence,Org,Reason\r\n"
               "0.0.0.0/0,20473,Vultr (Choopa),vps,listed,all,AS20473 Vultr (Choopa) (vps)\r\n");
  SECTION("IPv6 ranges leave out ::ffff:0:0/96 (IPv4 lookups never reach it there)") {
    AsnDatabase v6;
    REQUIRE(v6.loadCsv("::,::1:0:0:0,20473,low\n", error));
    std::string out;
    size_t rows = writeWatchlist(v6, HostingList::builtin(), [&](std::string_view p) { out += p; });
    // [::, ::fffe:ffff:ffff] is 48 blocks (one per bit of ffff:ffff:ffff below the top bit
    // pattern), then ::1:0:0:0/128 alone.
    CHECK(out.find("::ffff:") == std::string::npos);
    CHECK(out.rfind("::1:0:0:0/128,") != std::string::npos);
    CHECK(out.find("\r\n::/81,") != std::string::npos);
    CHECK(rows > 2);
  }
}

TEST_CASE("kql: pivots quote hostile row values") {
  const std::string evil = "x\" | union SigninLogs //\n\\\"\xE2\x80\xA8";
  KqlRow row{{"DeviceName", evil},         {"InitiatingProcessFileName", evil}, {"AccountName", evil},
             {"RemoteIP", "::ffff:45.32.1.7"}, {"FirstConnection", "2026-11-24T10:00:00Z"},
             {"LastConnection", "not a time"}, {"Timestamp", "2026-11-24T10:00:00Z"}};
  for (KqlTarget t : {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx}) {
    std::vector<KqlPivot> pivots = pivotQueries("beacon", row, t);
    std::vector<std::string> ids;
    for (const auto& p : pivots) ids.push_back(p.id);
    CHECK(ids == std::vector<std::string>{"process-tree", "binary", "address-fleet", "network", "account-signins"});
    for (const auto& p : pivots) {
      INFO(p.id);
      const bool quoted = p.query.find(kql::quote(evil)) != std::string::npos;
      CHECK((quoted || p.id == "address-fleet" || p.id == "network"));
      CHECK(p.query.find("union SigninLogs //\n") == std::string::npos);
      CHECK(p.query.find("not a time") == std::string::npos);
    }
    CHECK(pivots[2].query.find("let Address = \"45.32.1.7\";") != std::string::npos);
    CHECK(pivots[3].query.find("let Network = \"45.32.1.0/24\";") != std::string::npos);
    // An unparseable LastConnection: the row's Timestamp bounds the span instead.
    CHECK(pivots[0].query.find("between (datetime(2026-11-24T09:00:00Z) .. datetime(2026-11-24T12:00:00Z))") !=
          std::string::npos);
  }
  SECTION("a row without an address or a process gets the pivots it can have") {
    KqlRow partial{{"AccountName", "alice"}, {"RemoteIP", "bogus"}};
    std::vector<KqlPivot> pivots = pivotQueries("beacon", partial, KqlTarget::Sentinel);
    REQUIRE(pivots.size() == 1);
    CHECK(pivots[0].id == "account-signins");
  }
  CHECK_THROWS_AS(pivotQueries("nope", row, KqlTarget::Sentinel), KqlError);
}

TEST_CASE("kql: suppressions and knownSoftware entries (tuning)") {
  Rule r = ruleFromJson(nlohmann::json::parse(R"({"hideKnownSoftware": true, "suppressions": [
    {"kind": "flow", "device": "ws-1", "account": "alice", "process": "beacon.exe", "commandLine": "beacon.exe \") | take 1",
     "remoteIp": "::ffff:203.0.113.10", "who": "a", "why": "b"},
    {"kind": "process", "process": "Backup.EXE", "who": "a", "why": "b"},
    {"kind": "destination", "remoteIp": "198.51.100.77/24", "who": "a", "why": "b"},
    {"kind": "destination", "remoteIp": "2001:DB8::/32", "who": "a", "why": "b"},
    {"kind": "knownSoftware", "product": "Acme \"Agent\"", "process": "acme.exe", "folder": "C:/Program Files/Acme/acme.exe",
     "remoteIp": "203.0.113.0/24", "who": "dave", "why": "vendor confirmed"}]})"));
  const std::string flow = "| where not(DeviceName == \"ws-1\" and AccountName == \"alice\" and InitiatingProcessFileName == "
                           "\"beacon.exe\"\n    and InitiatingProcessCommandLine == \"beacon.exe \\\") | take 1\" and RemoteIP == "
                           "\"203.0.113.10\")  // suppression 1: flow\n";
  const std::string process = "| where not(InitiatingProcessFileName =~ \"Backup.EXE\")  // suppression 2: process\n";
  const std::string v4 = "| where not(isnotnull(parse_ipv4(RemoteIP)) and ipv4_is_in_range(RemoteIP, \"198.51.100.0/24\"))"
                         "  // suppression 3: destination\n";
  const std::string v6 = "| where not(isnull(parse_ipv4(RemoteIP)) and ipv6_is_in_range(RemoteIP, \"2001:db8::/32\"))"
                         "  // suppression 4: destination\n";
  for (KqlTarget t : {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx})
    for (const char* mode : {"seed", "beyond"}) {
      r.mode = mode;
      const std::string q = exportKql(r, t, "beacon");
      INFO(mode << " " << kqlTargetName(t));
      for (const std::string& clause : {flow, process, v4, v6}) CHECK(q.find(clause) != std::string::npos);
      CHECK(q.find("suppressions compare the texts as the tenant stores them") != std::string::npos);
      if (std::string(mode) == "seed") {
        CHECK(q.find("KnownSoftware") == std::string::npos);
        CHECK(q.find("knownSoftware entries: in seed mode they name rows on vpshunt's page only") != std::string::npos);
      } else {
        CHECK(q.find("        \"Acme \\\"Agent\\\"\",\n") != std::string::npos);
        CHECK(q.find("== \"c:\\\\program files\\\\acme\\\\acme.exe\"") != std::string::npos);
        CHECK(q.find("\"marked as known software by dave: vendor confirmed\"") != std::string::npos);
        CHECK(q.find("| where isempty(KnownSoftware)  // hideKnownSoftware\n") != std::string::npos);
        CHECK(q.find("    - iff(isnotempty(KnownSoftware), 40.0, 0.0)\n") != std::string::npos);
        CHECK(q.find("the known-software catalogue (core/src/enrich/known-software.json)") != std::string::npos);
      }
      // The analyst's who/why go into no comment (only into the reason's string literal).
      for (size_t at = q.find("//"); at != std::string::npos; at = q.find("//", at + 2)) {
        const std::string line = q.substr(at, q.find('\n', at) - at);
        CHECK(line.find("dave") == std::string::npos);
        CHECK(line.find("take 1") == std::string::npos);
      }
    }
  SECTION("without entries the queries are as before (the seed golden is checked above)") {
    Rule plain;
    plain.mode = "beyond";
    const std::string q = exportKql(plain, KqlTarget::Sentinel, "beacon");
    CHECK(q.find("suppression") == std::string::npos);
    CHECK(q.find("| extend KnownSoftware = \"\", KnownSoftwareReason = \"\"\n") != std::string::npos);
    CHECK(q.find("hideKnownSoftware") == std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// inbound, signin, infrastructure (issue 11): the rule's parameters in each query, per target

namespace {

const KqlTarget kTargets[] = {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The header: the lines between "Not expressed in this query:" and "Where results can differ".
std::string notExpressedOf(const std::string& q) {
  const size_t a = q.find("// Not expressed in this query:");
  const size_t b = q.find("// Where results can differ");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  return q.substr(a, b - a);
}

Rule tunedRule() {
  return ruleFromJson(nlohmann::json::parse(R"({
    "inbound": {"lookbackMinutes": 2880, "minConnections": 7, "adminPorts": [2201, 3390],
                "bruteForceMinConnections": 33,
                "knownSources": [{"cidr": "198.51.100.0/24", "name": "partner \"scanner\" ) | take 1"},
                                 {"cidr": "2001:db8::/32", "name": "v6 probe"}]},
    "signin": {"lookbackMinutes": 4320, "minAttempts": 4, "sprayMinUsers": 13, "sprayMinFailurePercent": 71,
               "bruteForceMinFailures": 17, "compromiseMinFailures": 5, "egressMinUsers": 23,
               "egressMaxFailurePercent": 29, "codeWords": {"50126": "tuned \"words\""}},
    "infrastructure": {"traceMinScore": 41, "ipv4Prefix": 22, "ipv6Prefix": 44, "distributedMinAddresses": 6},
    "suppressions": [{"kind": "destination", "remoteIp": "203.0.113.0/24", "who": "carol", "why": "a partner"}]
  })"));
}

}  // namespace

TEST_CASE("kql: the inbound query has the rule's parameters, per target") {
  const Rule r = tunedRule();
  for (KqlTarget t : kTargets) {
    INFO(kqlTargetName(t));
    const std::string q = exportKql(r, t, "inbound");
    CHECK(has(q, "let InboundLookback = 2d;"));
    CHECK(has(q, "let InboundMinConnections = 7;"));
    CHECK(has(q, "let AdminPorts = dynamic([2201, 3390]);"));
    CHECK(has(q, "let BruteForceMinConnections = 33;"));
    CHECK(has(q, "ipv4_is_in_range(RemoteIP, \"198.51.100.0/24\"), \"partner \\\"scanner\\\" ) | take 1\""));
    CHECK(has(q, "ipv6_is_in_range(RemoteIP, \"2001:db8::/32\"), \"v6 probe\""));
    // The core keeps the last known source that holds the address: the case() tries it first.
    CHECK(q.find("\"v6 probe\"") < q.find("\"partner "));
    CHECK(has(q, "| where not(isnotnull(parse_ipv4(RemoteIP)) and ipv4_is_in_range(RemoteIP, \"203.0.113.0/24\"))  // suppression 1: destination"));
    CHECK(has(q, "DeviceNetworkEvents"));
    CHECK(has(q, "InboundConnectionAccepted"));
    CHECK(has(q, "| sort by Score desc, ConnectionCount desc, RemoteIP asc"));
    const std::string ne = notExpressedOf(q);
    if (t == KqlTarget::Defender) {
      CHECK(!has(q, "CommonSecurityLog\n"));
      CHECK(has(ne, "CommonSecurityLog (firewalls, CEF): not in advanced hunting"));
      CHECK(has(ne, "the threat-intelligence join"));
      CHECK(has(q, "externaldata"));
    } else {
      CHECK(has(q, "(CommonSecurityLog\n"));
      CHECK(has(q, "srcintfrole"));
      CHECK(has(ne, "Not expressed in this query: none."));
      CHECK(has(q, r.kqlTiTable));
      CHECK(has(q, t == KqlTarget::Sentinel ? "_GetWatchlist('VpsHosting')" : "externaldata"));
    }
    CHECK(has(q, t == KqlTarget::Adx ? "evaluate ipv6_lookup" : "ipv4_lookup"));
  }
}

TEST_CASE("kql: the signin query has the rule's parameters, per target") {
  const Rule r = tunedRule();
  for (KqlTarget t : kTargets) {
    INFO(kqlTargetName(t));
    const std::string q = exportKql(r, t, "signin");
    for (const char* part : {"let SignInLookback = 3d;", "let SignInMinAttempts = 4;", "let SprayMinUsers = 13;",
                             "let SprayMinFailurePercent = 71;", "let BruteForceMinFailures = 17;",
                             "let CompromiseMinFailures = 5;", "let EgressMinUsers = 23;",
                             "let EgressMaxFailurePercent = 29;", "CodeKey == \"50126\" or CodeText =~ \"50126\"",
                             "\"tuned \\\"words\\\"\"", "IdentityLogonEvents", "DeviceLogonEvents",
                             "| sort by Score desc, FailureCount desc, RemoteIP asc"})
      CHECK(has(q, part));
    // The interrupted codes come from the core's own table: MFA required is one, a wrong password not.
    const size_t at = q.find("let InterruptedCodes = dynamic([");
    REQUIRE(at != std::string::npos);
    const std::string codes = q.substr(at, q.find('\n', at) - at);
    CHECK(has(codes, "50074"));
    CHECK(has(codes, "50076"));
    CHECK(!has(codes, "50126"));
    const std::string ne = notExpressedOf(q);
    if (t == KqlTarget::Defender) {
      CHECK(has(q, "AADSignInEventsBeta, EntraIdSignInEvents"));
      CHECK(!has(q, "union SigninLogs"));
      CHECK(!has(q, "(SecurityEvent"));
      CHECK(has(ne, "SigninLogs, AADNonInteractiveUserSignInLogs and SecurityEvent: not in advanced hunting"));
      CHECK(has(ne, "the threat-intelligence join"));
    } else {
      CHECK(has(q, "union SigninLogs, AADNonInteractiveUserSignInLogs"));
      CHECK(has(q, "EventID in (4624, 4625)"));
      CHECK(has(q, "AutonomousSystemNumber"));
      CHECK(has(ne, "Not expressed in this query: none."));
    }
  }
}

TEST_CASE("kql: the infrastructure query rolls up the three, per target and mode") {
  Rule r = tunedRule();
  for (const char* mode : {"seed", "beyond"}) {
    r.mode = mode;
    for (KqlTarget t : kTargets) {
      INFO(mode << " " << kqlTargetName(t));
      const std::string q = exportKql(r, t, "infrastructure");
      for (const char* part : {"let TraceMinScore = 41;", "let IPv4Prefix = 22;", "let IPv6Prefix = 44;",
                               "let DistributedMinAddresses = 6;", "let BeaconRows = () {", "let InboundScored =",
                               "let SignInScored =", "let InboundMinConnections = 7;", "let SprayMinUsers = 13;",
                               "format_ipv4_mask(RemoteIP, IPv4Prefix)", "| sort by Score desc, IPCount desc, Network asc"})
        CHECK(has(q, part));
      // The beacon rows' score: RiskScore in seed mode, VpsScore in beyond mode (as the core's rollup).
      CHECK(has(q, std::string("RowScore = toint(") + (r.mode == "beyond" ? "VpsScore" : "RiskScore") + ")"));
      // The watchlist is read once outside the beacon function.
      const std::string after = q.substr(q.find("let BeaconRows = () {"));
      const std::string outside = after.substr(after.find("\n};\n"));
      CHECK(has(outside, "let Hosting = materialize("));
      const std::string ne = notExpressedOf(q);
      if (t == KqlTarget::Defender) {
        CHECK(has(ne, "inbound: CommonSecurityLog"));
        CHECK(has(ne, "signin: SigninLogs"));
      }
      // Every line of the header is a comment: no value of the rule leaks out of a literal there.
      const std::string head = q.substr(0, q.find("\n\n"));
      size_t start = 0;
      while (start < head.size()) {
        CHECK(head.compare(start, 2, "//") == 0);
        start = head.find('\n', start);
        if (start == std::string::npos) break;
        ++start;
      }
      CHECK(!has(head, "partner"));
    }
  }
}

TEST_CASE("kql: a bare address gives the pivots that need only it, and an unknown detection throws") {
  KqlRow row{{"RemoteIP", "203.0.113.5"}};
  const std::vector<std::string> addressOnly{"address-everywhere", "network"};
  for (const char* d : {"inbound", "signin"}) {
    std::vector<std::string> ids;
    for (const auto& p : pivotQueries(d, row, KqlTarget::Sentinel)) ids.push_back(p.id);
    CHECK(ids == addressOnly);
  }
  // An infrastructure row is a network, not an address.
  CHECK(pivotQueries("infrastructure", row, KqlTarget::Sentinel).empty());
  CHECK_THROWS_AS(pivotQueries("nope", row, KqlTarget::Sentinel), KqlError);
}

namespace {

std::vector<std::string> idsOf(const std::vector<KqlPivot>& pivots) {
  std::vector<std::string> ids;
  for (const auto& p : pivots) ids.push_back(p.id);
  return ids;
}

const KqlPivot& pivotById(const std::vector<KqlPivot>& pivots, const std::string& id) {
  for (const auto& p : pivots)
    if (p.id == id) return p;
  FAIL("no pivot " << id);
  return pivots.front();
}

// What a row holds once the session has read it: lists as JSON text, numbers and booleans as JSON.
std::string jsonList(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

const std::string kEvil = "x\" | union SigninLogs //\n\\\"\xE2\x80\xA8|";

}  // namespace

TEST_CASE("kql: inbound pivots (ids, titles, values rewritten or quoted)") {
  KqlRow row{{"RemoteIP", "::ffff:5.75.240.201"},
             {"FirstSeen", "2026-11-24T01:10:02.4471920Z"},
             {"LastSeen", "2026-11-24T01:57:48.2414870Z"},
             {"Targets", jsonList({"10.30.0.11", kEvil, "fin-ws-07"})},
             {"RemoteASN", "24940"},
             {"IsHosting", "true"}};
  for (KqlTarget t : {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx}) {
    INFO(kqlTargetName(t));
    const std::vector<KqlPivot> pivots = pivotQueries("inbound", row, t);
    CHECK(idsOf(pivots) == std::vector<std::string>{"address-everywhere", "logons-from-source", "processes-after-contact",
                                                    "network", "asn"});
    CHECK(pivots[0].title == "The source address across every table");
    CHECK(pivots[1].title == "Logons that succeeded from the source");
    CHECK(pivots[2].title == "Processes on the targeted devices after the first contact");
    CHECK(pivots[3].title == "Other addresses of the /24 across every table");
    CHECK(pivots[4].title == "Other addresses of AS24940 (VpsHosting watchlist) across every table");
    for (const auto& p : pivots) {
      INFO(p.id);
      // The address canonical (IPv4-mapped written as IPv4); the hostile target only as a literal.
      CHECK(p.query.find("::ffff:5.75") == std::string::npos);
      CHECK(p.query.find("union SigninLogs //\n") == std::string::npos);
      CHECK(p.query.find("\xE2\x80\xA8") == std::string::npos);
    }
    CHECK(pivots[0].query.find("let Address = \"5.75.240.201\";") != std::string::npos);
    CHECK(pivots[0].query.find("let WindowStart = datetime(2026-11-17T01:10:02.") != std::string::npos);
    CHECK(pivots[2].query.find(kql::quote(kEvil)) != std::string::npos);
    CHECK(pivots[2].query.find("let TargetAddresses = dynamic([\n  \"10.30.0.11\"\n]);") != std::string::npos);
    CHECK(pivots[3].query.find("let Network = \"5.75.240.0/24\";") != std::string::npos);
    CHECK(pivots[4].query.find("let RowAsn = 24940;") != std::string::npos);
    const bool defender = t == KqlTarget::Defender;
    // Defender: advanced-hunting tables only, and a note naming what it cannot reach.
    CHECK((pivots[0].query.find("(SecurityEvent ") != std::string::npos) == !defender);
    CHECK((pivots[0].query.find("(W3CIISLog ") != std::string::npos) == !defender);
    CHECK((pivots[0].query.find("// Advanced hunting holds only the Defender tables") != std::string::npos) == defender);
    CHECK((pivots[0].query.find("AADSignInEventsBeta") != std::string::npos) == defender);
  }
  SECTION("a row missing the needed fields gets no pivot rather than a broken one") {
    CHECK(pivotQueries("inbound", KqlRow{}, KqlTarget::Sentinel).empty());
    CHECK(pivotQueries("inbound", KqlRow{{"RemoteIP", kEvil}, {"FirstSeen", "2026-11-24T01:10:02Z"}}, KqlTarget::Sentinel).empty());
    // No first contact: nothing "after" it. Not hosting, or no usable ASN: no AS pivot.
    KqlRow noTime{{"RemoteIP", "5.75.240.201"}, {"FirstSeen", kEvil}, {"RemoteASN", "24940"}, {"IsHosting", "false"}};
    CHECK(idsOf(pivotQueries("inbound", noTime, KqlTarget::Sentinel)) ==
          std::vector<std::string>{"address-everywhere", "network"});
    CHECK(pivotQueries("inbound", noTime, KqlTarget::Sentinel)[0].query.find("let WindowStart = ago(30d);") != std::string::npos);
    KqlRow badAsn{{"RemoteIP", "5.75.240.201"}, {"RemoteASN", "24940 or 1"}, {"IsHosting", "true"}};
    CHECK(idsOf(pivotQueries("inbound", badAsn, KqlTarget::Sentinel)) == std::vector<std::string>{"address-everywhere", "network"});
  }
}

TEST_CASE("kql: signin pivots (the users around it, the address, network and AS)") {
  KqlRow row{{"RemoteIP", "2001:DB8:0:0::7"},
             {"FirstSeen", "2026-11-24T06:02:00.531Z"},
             {"LastSeen", "2026-11-24T07:24:13Z"},
             {"Users", jsonList({"admin@contoso.example", kEvil})},
             {"SuccessUsers", jsonList({kEvil})},
             {"RemoteASN", "24940"},
             {"IsHosting", "true"}};
  for (KqlTarget t : {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx}) {
    INFO(kqlTargetName(t));
    const std::vector<KqlPivot> pivots = pivotQueries("signin", row, t);
    CHECK(idsOf(pivots) == std::vector<std::string>{"user-signins", "address-everywhere", "network", "asn"});
    CHECK(pivots[0].title == "The user's sign-ins around it");
    CHECK(pivots[1].title == "The address across every table and every user");
    CHECK(pivots[2].title == "Other addresses of the /48 across every table");
    // The users who got in come first; the others only without a success.
    CHECK(pivots[0].query.find(kql::quote(kEvil)) != std::string::npos);
    CHECK(pivots[0].query.find("admin@contoso.example") == std::string::npos);
    CHECK(pivots[0].query.find("between (datetime(") == std::string::npos);
    CHECK(pivots[0].query.find("let WindowStart = datetime(2026-11-23T06:02:00.531") != std::string::npos);
    CHECK(pivots[0].query.find("let WindowEnd = datetime(2026-11-25T07:24:13") != std::string::npos);
    CHECK(pivots[1].query.find("let Address = \"2001:db8::7\";") != std::string::npos);
    CHECK(pivots[2].query.find("let Network = \"2001:db8::/48\";") != std::string::npos);
    const bool defender = t == KqlTarget::Defender;
    CHECK((pivots[0].query.find("(AADNonInteractiveUserSignInLogs ") != std::string::npos) == !defender);
    CHECK((pivots[0].query.find("EntraIdSignInEvents") != std::string::npos) == defender);
    for (const auto& p : pivots) CHECK(p.query.find("union SigninLogs //\n") == std::string::npos);
  }
  SECTION("without a success, the users tried; without an address, only the users") {
    KqlRow tried{{"Users", jsonList({"a@x.example", "b@x.example"})}, {"SuccessUsers", "[]"}};
    const std::vector<KqlPivot> pivots = pivotQueries("signin", tried, KqlTarget::Sentinel);
    REQUIRE(idsOf(pivots) == std::vector<std::string>{"user-signins"});
    CHECK(pivots[0].title == "The users' sign-ins around it");
    CHECK(pivots[0].query.find("\"a@x.example\", \"b@x.example\"") != std::string::npos);
    CHECK(pivots[0].query.find("FromRowAddress") == std::string::npos);
    CHECK(pivots[0].query.find("let WindowStart = ago(30d);") != std::string::npos);
  }
  SECTION("a row missing the needed fields gets no pivot") {
    CHECK(pivotQueries("signin", KqlRow{{"RemoteIP", "5.75.240.256"}, {"Users", "[]"}}, KqlTarget::Adx).empty());
  }
}

TEST_CASE("kql: infrastructure pivots (the network across every table, its callers, its users)") {
  KqlRow row{{"Network", "5.75.240.9/24"},
             {"RemoteIPs", jsonList({"5.75.240.11", kEvil, "::ffff:5.75.240.201"})},
             {"RemoteASN", "24940"},
             {"HostingCategory", "vps"},
             {"Detections", jsonList({"beacon", kEvil})}};
  for (KqlTarget t : {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx}) {
    INFO(kqlTargetName(t));
    const std::vector<KqlPivot> pivots = pivotQueries("infrastructure", row, t);
    CHECK(idsOf(pivots) == std::vector<std::string>{"network-everywhere", "network-beacons", "network-signins", "asn"});
    CHECK(pivots[0].title == "Every address of the network across every table");
    CHECK(pivots[1].title == "Devices that called the network");
    CHECK(pivots[2].title == "Users who signed in from the network");
    for (const auto& p : pivots) {
      INFO(p.id);
      // The network masked to its prefix; the row's addresses parsed (the hostile one dropped).
      CHECK(p.query.find("x\\\"") == std::string::npos);
      CHECK(p.query.find("union SigninLogs //") == std::string::npos);
      if (p.id != "asn") CHECK(p.query.find("let Network = \"5.75.240.0/24\";") != std::string::npos);
    }
    CHECK(pivots[0].query.find("let RowAddresses = dynamic([\n  \"5.75.240.11\", \"5.75.240.201\"\n]);") != std::string::npos);
    CHECK((pivotById(pivots, "network-beacons").query.find("(CommonSecurityLog ") != std::string::npos) ==
          (t != KqlTarget::Defender));
  }
  SECTION("IPv6 networks; rows missing the network get no pivot") {
    const std::vector<KqlPivot> v6 = pivotQueries("infrastructure", KqlRow{{"Network", "2a03:b0c0:3::/48"}}, KqlTarget::Adx);
    REQUIRE(idsOf(v6) == std::vector<std::string>{"network-everywhere", "network-beacons", "network-signins"});
    CHECK(v6[0].query.find("let Network = \"2a03:b0c0:3::/48\";\nlet Matches = (a:string) { ipv6_is_in_range(a, Network) };") !=
          std::string::npos);
    CHECK(pivotQueries("infrastructure", KqlRow{}, KqlTarget::Sentinel).empty());
    CHECK(pivotQueries("infrastructure", KqlRow{{"Network", "5.75.240.0"}}, KqlTarget::Sentinel).empty());
    CHECK(pivotQueries("infrastructure", KqlRow{{"Network", kEvil + "/24"}}, KqlTarget::Sentinel).empty());
  }
}

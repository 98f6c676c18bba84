// Tuning from a row (issue 13, parts 2 and 3): the known-software catalogue in the beacon detection
// (the KnownSoftware column, beyond mode's score, hideKnownSoftware, seed output untouched) and the
// rule's suppressions (flow, process, destination, knownSoftware): their JSON, validation and
// round trip; that they apply at finish without a re-read, to beacon and inbound rows, counted; and
// a generated fleet in which every catalogued agent is named, no implant is, and every implant
// outranks every agent.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "fleet.hpp"
#include "support.hpp"
#include "vpshunt/output.hpp"
#include "vpshunt/session.hpp"
#include "vpshunt/store.hpp"

using test::Ev;
using nlohmann::json;

namespace {

const std::string H = "2026-11-24T10:00:00Z";

vpshunt::Rule ruleOf(const std::string& text) { return vpshunt::ruleFromJson(json::parse(text)); }

std::string ruleError(const std::string& text) {
  try {
    ruleOf(text);
  } catch (const vpshunt::RuleError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string withSuppression(const std::string& entry) { return R"({"suppressions": [)" + entry + "]}"; }

const vpshunt::DetectionSummary& summaryOf(const vpshunt::Results& r, const char* detection) {
  const vpshunt::DetectionSummary* s = vpshunt::findSummary(r, detection);
  REQUIRE(s != nullptr);
  return *s;
}

bool hasNotice(const vpshunt::Results& r, const std::string& text) {
  return std::find(r.notices.begin(), r.notices.end(), text) != r.notices.end();
}

// Defender rows with the process's folder path and version info (as the known-software matcher reads them).
struct ProcEv {
  std::string time, device = "ws-1", ip = "203.0.113.10", process = "acme.exe",
                    folder = "C:\\Program Files\\Acme\\acme.exe", company = "Acme Corp", product = "Acme Agent",
                    account = "system", cmdline = "\"C:\\Program Files\\Acme\\acme.exe\" --run";
};

std::string procCsv(const std::vector<ProcEv>& rows) {
  std::string out =
      "Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,"
      "InitiatingProcessFolderPath,InitiatingProcessCommandLine,InitiatingProcessAccountName,"
      "InitiatingProcessVersionInfoCompanyName,InitiatingProcessVersionInfoProductName\n";
  for (const auto& e : rows)
    out += e.time + "," + test::csvQuote(e.device) + ",ConnectionSuccess," + e.ip + ",443,Public," + test::csvQuote(e.process) +
           "," + test::csvQuote(e.folder) + "," + test::csvQuote(e.cmdline) + "," + test::csvQuote(e.account) +
           "," + test::csvQuote(e.company) + "," + test::csvQuote(e.product) + "\n";
  return out;
}

std::vector<ProcEv> procSeries(int n, double step, ProcEv proto) {
  std::vector<ProcEv> out;
  for (int i = 0; i < n; ++i) {
    proto.time = test::at(H, i * step);
    out.push_back(proto);
  }
  return out;
}

const vpshunt::ResultRow* rowOf(const vpshunt::Results& r, const std::string& device) {
  for (const auto& row : r.rows)
    if (row.deviceName == device) return &row;
  return nullptr;
}

// The analysis of `events` with the built ASN database, `now` set before reading (no cutoff pass).
struct Prepared {
  vpshunt::Analysis a;
  explicit Prepared(const std::string& events, const vpshunt::Rule& rule, const std::string& now, const std::string& intel = "")
      : a(rule) {
    a.setAsnDatabase(test::builtAsnDatabase());
    vpshunt::Ticks t = 0;
    REQUIRE(vpshunt::parseIsoTime(now, t));
    a.setNow(t);
    read(events, intel);
    const vpshunt::Results r = a.finishEach(std::nullopt, nullptr);
    if (!r.collectGroups.empty()) {  // beyond mode's periodicity: one collect pass
      a.beginCollect(r.collectGroups);
      read(events, "");
      a.endCollect();
    }
  }
  void read(const std::string& events, const std::string& intel) {
    a.beginFile("events.csv", vpshunt::FileKind::Events);
    a.feed(events.data(), events.size());
    a.endFile();
    if (intel.empty()) return;
    a.beginFile("intel.csv", vpshunt::FileKind::Intel);
    a.feed(intel.data(), intel.size());
    a.endFile();
  }
};

}  // namespace

TEST_CASE("tuning: suppressions in the rule JSON: read, written back, validated", "[tuning][rule]") {
  const std::string text = R"({"hideKnownSoftware": true, "suppressions": [
    {"kind": "flow", "device": "ws-1", "account": "", "process": "beacon.exe", "commandLine": "beacon.exe -x \"q\"",
     "remoteIp": "::ffff:203.0.113.10", "who": "alice", "why": "pen test, ticket 42", "added": "2026-11-24T15:00:00Z"},
    {"kind": "process", "process": "Backup.EXE", "who": "bob", "why": "the backup agent"},
    {"kind": "destination", "remoteIp": "198.51.100.0/24", "who": "carol", "why": "our partner's network"},
    {"kind": "knownSoftware", "product": "Acme Agent", "process": "acme.exe", "folder": "C:\\Program Files\\Acme\\acme.exe",
     "remoteIp": "203.0.113.10", "who": "dave", "why": "vendor confirmed"}]})";
  const vpshunt::Rule r = ruleOf(text);
  REQUIRE(r.suppressions.size() == 4);
  CHECK(r.hideKnownSoftware);
  CHECK(r.suppressions[0].kind == vpshunt::Suppression::Kind::Flow);
  CHECK(r.suppressions[0].account.empty());
  CHECK(r.suppressions[0].commandLine == "beacon.exe -x \"q\"");
  CHECK(r.suppressions[0].remoteIp == "::ffff:203.0.113.10");  // kept as written; compared in canonical form
  CHECK(r.suppressions[0].added == "2026-11-24T15:00:00Z");
  CHECK(r.suppressions[1].kind == vpshunt::Suppression::Kind::Process);
  CHECK(r.suppressions[1].added.empty());
  CHECK(r.suppressions[3].kind == vpshunt::Suppression::Kind::KnownSoftware);
  CHECK(r.suppressions[3].folder == "C:\\Program Files\\Acme\\acme.exe");

  SECTION("round trip: ruleFromJson(ruleToJson(r)) == r, and the JSON is the entries as given") {
    const json written = vpshunt::ruleToJson(r);
    CHECK(written["suppressions"] == json::parse(text)["suppressions"]);
    CHECK(written["hideKnownSoftware"] == true);
    const vpshunt::Rule back = ruleOf(written.dump());
    CHECK(back.suppressions == r.suppressions);
    CHECK(back.hideKnownSoftware);
    CHECK(vpshunt::ruleToJson(back) == written);
  }
  SECTION("the defaults: no suppressions, nothing hidden") {
    const json d = vpshunt::ruleToJson(vpshunt::Rule{});
    CHECK(d["suppressions"] == json::array());
    CHECK(d["hideKnownSoftware"] == false);
  }
  SECTION("changing them never needs a re-read") {
    vpshunt::Rule none;
    CHECK_FALSE(vpshunt::ruleChangeNeedsReread(none, r));
    CHECK_FALSE(vpshunt::ruleChangeNeedsReread(r, none));
    vpshunt::Rule beyond = none;
    beyond.mode = "beyond";
    vpshunt::Rule tuned = r;
    tuned.mode = "beyond";
    CHECK_FALSE(vpshunt::ruleChangeNeedsReread(beyond, tuned));
  }
  SECTION("bad entries are errors naming the entry and key") {
    CHECK(ruleError(R"({"suppressions": {}})") == R"(rule: "suppressions" must be an array of {kind, ..., who, why})");
    CHECK(ruleError(withSuppression(R"("flow")")) ==
          R"(rule: "suppressions[0]" must be an object with "kind", the kind's keys, "who" and "why")");
    CHECK(ruleError(withSuppression(R"({"process": "a.exe", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0]" needs a "kind": "flow", "process", "destination" or "knownSoftware")");
    CHECK(ruleError(withSuppression(R"({"kind": "host", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0].kind" must be "flow", "process", "destination" or "knownSoftware")");
    CHECK(ruleError(withSuppression(R"({"kind": "process", "process": "a.exe", "who": "a", "why": "b", "user": "x"})")) ==
          R"(rule: "suppressions[0].user" is not a known key (kind "process" takes kind, process, who, why, added))");
    // A key of another kind would read as a narrower entry than the one in force.
    CHECK(ruleError(withSuppression(R"({"kind": "process", "process": "a.exe", "device": "ws-1", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0].device" is not used by kind "process" (its keys: kind, process, who, why, added))");
    CHECK(ruleError(withSuppression(R"({"kind": "process", "process": "a.exe", "why": "b"})")) ==
          R"(rule: "suppressions[0]" needs "who": who decided this, and why (any words))");
    CHECK(ruleError(withSuppression(R"({"kind": "process", "process": "a.exe", "who": "a", "why": ""})")) ==
          R"(rule: "suppressions[0]" needs "why": who decided this, and why (any words))");
    CHECK(ruleError(withSuppression(R"({"kind": "process", "process": "", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0].process" must name a process file name)");
    CHECK(ruleError(withSuppression(R"({"kind": "process", "process": 7, "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0].process" must be a string)");
    CHECK(ruleError(withSuppression(
              R"({"kind": "flow", "device": "d", "account": "a", "process": "p", "remoteIp": "1.2.3.4", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0]" (kind "flow") needs "commandLine")");
    CHECK(ruleError(withSuppression(
              R"({"kind": "flow", "device": "d", "account": "a", "process": "p", "commandLine": "", "remoteIp": "1.2.3.0/24", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0].remoteIp" must be an IPv4 or IPv6 address, not "1.2.3.0/24")");
    CHECK(ruleError(withSuppression(R"({"kind": "destination", "remoteIp": "10.0.0.300", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0].remoteIp" must be an address or a CIDR (a.b.c.d/n, v6/n), not "10.0.0.300")");
    CHECK(ruleError(withSuppression(R"({"kind": "destination", "remoteIp": "10.0.0.0/33", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0].remoteIp" must be an address or a CIDR (a.b.c.d/n, v6/n), not "10.0.0.0/33")");
    CHECK(ruleError(withSuppression(
              R"({"kind": "knownSoftware", "process": "a.exe", "folder": "", "remoteIp": "1.2.3.4", "who": "a", "why": "b"})")) ==
          R"(rule: "suppressions[0]" (kind "knownSoftware") needs "product")");
    CHECK(ruleError(withSuppression(R"({"kind": "destination", "remoteIp": "1.2.3.4", "who": "a", "why": "b", "added": "2026-11-24 at noon"})")) ==
          R"(rule: "suppressions[0].added" must be an ISO 8601 time such as 2026-11-24T15:00:00Z (column 12))");
    // The entry's place in the list is named.
    CHECK(ruleError(R"({"suppressions": [{"kind": "destination", "remoteIp": "1.2.3.4", "who": "a", "why": "b"},
                                          {"kind": "destination", "remoteIp": "x", "who": "a", "why": "b"}]})")
              .rfind(R"(rule: "suppressions[1].remoteIp")", 0) == 0);
    CHECK(ruleError(R"({"hideKnownSoftware": "yes"})") == R"(rule: "hideKnownSoftware" must be true or false)");
  }
}

TEST_CASE("tuning: suppressions take rows out when the results are made, in both modes", "[tuning]") {
  // Three beacons: ws-1 and ws-2 run beacon.exe (in other cases), ws-3 other.exe; 20 connections an hour each.
  std::vector<Ev> rows;
  for (auto [device, process, ip] : {std::tuple<const char*, const char*, const char*>{"ws-1", "beacon.exe", "203.0.113.10"},
                                     {"ws-2", "Beacon.EXE", "203.0.113.20"},
                                     {"ws-3", "other.exe", "198.51.100.7"}}) {
    Ev proto;
    proto.device = device;
    proto.process = process;
    proto.cmdline = std::string(process) + " -x";
    proto.ip = ip;
    auto s = test::series(H, 40, 90, proto);  // an hour: 40 connections, 90 s apart, over two bins
    rows.insert(rows.end(), s.begin(), s.end());
  }
  const std::string csv = test::eventsCsv(rows);
  const std::string now = "2026-11-24T11:30:00Z";
  const std::string flow = R"({"kind": "flow", "device": "ws-1", "account": "alice", "process": "beacon.exe",
                               "commandLine": "beacon.exe -x", "remoteIp": "::ffff:203.0.113.10", "who": "a", "why": "b"})";
  const std::string process = R"({"kind": "process", "process": "BEACON.exe", "who": "a", "why": "b"})";
  const std::string destination = R"({"kind": "destination", "remoteIp": "198.51.100.0/24", "who": "a", "why": "b"})";

  for (const char* mode : {"seed", "beyond"}) {
    DYNAMIC_SECTION(mode << " mode") {
      auto rule = [&](const std::string& entries) {
        vpshunt::Rule r = ruleOf(R"({"suppressions": [)" + entries + "]}");
        r.mode = mode;
        return r;
      };
      auto devices = [](const vpshunt::Results& r) {
        std::set<std::string> d;
        for (const auto& row : r.rows) d.insert(row.deviceName);
        return d;
      };
      const auto all = test::run(csv, "", now, rule(""));
      CHECK(devices(all) == std::set<std::string>{"ws-1", "ws-2", "ws-3"});
      const size_t perFlow = all.rows.size() / 3;
      CHECK(summaryOf(all, "beacon").suppressedBy.empty());

      const auto byFlow = test::run(csv, "", now, rule(flow));
      CHECK(devices(byFlow) == std::set<std::string>{"ws-2", "ws-3"});
      CHECK(summaryOf(byFlow, "beacon").suppressedBy == std::vector<uint64_t>{perFlow});
      CHECK(hasNotice(byFlow, std::to_string(perFlow) + (perFlow == 1 ? " beacon row" : " beacon rows") +
                                  " suppressed by 1 rule entry (suppressions)"));

      // A process entry: every device, case-insensitive.
      const auto byProcess = test::run(csv, "", now, rule(process));
      CHECK(devices(byProcess) == std::set<std::string>{"ws-3"});

      const auto byDestination = test::run(csv, "", now, rule(destination));
      CHECK(devices(byDestination) == std::set<std::string>{"ws-1", "ws-2"});

      const auto allThree = test::run(csv, "", now, rule(flow + "," + process + "," + destination));
      CHECK(allThree.rows.empty());
      // The first entry that holds takes the row: the flow entry ws-1's, the process entry ws-2's.
      CHECK(summaryOf(allThree, "beacon").suppressedBy == std::vector<uint64_t>{perFlow, perFlow, perFlow});
      CHECK(hasNotice(allThree, std::to_string(3 * perFlow) + " beacon rows suppressed by 3 rule entries (suppressions)"));

      // A flow entry is exact: another command line is another flow.
      std::string other = flow;
      other.replace(other.find("beacon.exe -x"), 13, "beacon.exe -y");
      CHECK(test::run(csv, "", now, rule(other)).rows.size() == all.rows.size());

      SECTION("applied by setRule without reading the files again; counted rows match made rows") {
        vpshunt::Analysis a(rule(""));
        vpshunt::Ticks t;
        vpshunt::parseIsoTime(now, t);
        a.setNow(t);
        a.beginFile("events.csv");
        a.feed(csv.data(), csv.size());
        a.endFile();
        auto collect = [&] {
          const auto c = a.finishEach(std::nullopt, nullptr);
          if (c.collectGroups.empty()) return;
          a.beginCollect(c.collectGroups);
          a.beginFile("events.csv");
          a.feed(csv.data(), csv.size());
          a.endFile();
          a.endCollect();
        };
        collect();
        CHECK(a.finish().rows.size() == all.rows.size());
        CHECK_FALSE(a.setRule(rule(flow + "," + destination)));  // no re-read
        collect();
        const auto tuned = a.finish();
        CHECK(devices(tuned) == std::set<std::string>{"ws-2"});
        CHECK(a.finishEach(std::nullopt, nullptr).rowCount == tuned.rows.size());
        CHECK_FALSE(a.setRule(rule("")));  // undone: every row is back
        collect();
        CHECK(a.finish().rows.size() == all.rows.size());
      }
    }
  }
}

TEST_CASE("tuning: a destination entry takes the inbound rows of its sources out", "[tuning][inbound]") {
  std::vector<Ev> rows;
  for (const char* src : {"198.51.100.9", "192.0.2.77"}) {
    Ev proto;
    proto.ip = src;
    proto.device = "web-1";
    proto.localPort = "22";
    proto.port = "51234";
    proto.action = "InboundConnectionAccepted";
    proto.process = "sshd";
    auto s = test::series(H, 30, 10, proto);
    rows.insert(rows.end(), s.begin(), s.end());
  }
  const std::string csv = test::eventsCsvWithLocal(rows);
  const auto all = test::run(csv);
  REQUIRE(all.inbound.size() == 2);
  const auto tuned =
      test::run(csv, "", "", ruleOf(withSuppression(R"({"kind": "destination", "remoteIp": "198.51.100.0/25", "who": "a", "why": "b"})")));
  REQUIRE(tuned.inbound.size() == 1);
  CHECK(tuned.inbound[0].remoteIp == "192.0.2.77");
  CHECK(summaryOf(tuned, "inbound").suppressedBy == std::vector<uint64_t>{1});
  CHECK(hasNotice(tuned, "1 inbound row suppressed by 1 rule entry (suppressions)"));
  // Flow and process entries are about beacons: inbound rows stay.
  const auto process = test::run(csv, "", "", ruleOf(withSuppression(R"({"kind": "process", "process": "sshd", "who": "a", "why": "b"})")));
  CHECK(process.inbound.size() == 2);
}

TEST_CASE("tuning: marking a row as known software names it — seed output stays the seed's", "[tuning][known-software]") {
  // acme.exe (no catalogue entry) every 120 s for 3 hours to a TEST-NET address that TI names.
  ProcEv proto;
  const std::string csv = procCsv(procSeries(90, 120, proto));
  const std::string intel = test::intelCsv({{"2026-11-23T10:00:00Z", "203.0.113.10"}});
  const std::string now = "2026-11-24T13:00:00Z";
  const std::string mark = R"j({"kind": "knownSoftware", "product": "Acme Agent", "process": "ACME.EXE",
                               "folder": "c:/program files/acme/ACME.exe", "remoteIp": "203.0.113.0/24",
                               "who": "alice", "why": "our backup agent (CHG-7)"})j";
  auto rule = [](const std::string& mode, const std::string& entries, bool hide = false) {
    vpshunt::Rule r = ruleOf(R"({"suppressions": [)" + entries + "]}");
    r.mode = mode;
    r.hideKnownSoftware = hide;
    return r;
  };

  SECTION("beyond mode: named, with the analyst's words, 40 points lower; hidden by the switch") {
    const auto plain = test::runWithAsn(csv, intel, now, rule("beyond", ""));
    REQUIRE(plain.rows.size() == 1);
    CHECK_FALSE(plain.rows[0].knownSoftware);
    CHECK(plain.rows[0].vpsScore > 40);
    const auto marked = test::runWithAsn(csv, intel, now, rule("beyond", mark));
    REQUIRE(marked.rows.size() == 1);
    const auto& row = marked.rows[0];
    REQUIRE(row.knownSoftware);
    CHECK(*row.knownSoftware == "Acme Agent");
    CHECK(row.knownSoftwareReason == "marked as known software by alice: our backup agent (CHG-7)");
    CHECK(row.vpsScore == plain.rows[0].vpsScore - 40);
    CHECK(std::count(row.reasons.begin(), row.reasons.end(), row.knownSoftwareReason) == 1);
    CHECK(vpshunt::rowToJson(row)["KnownSoftware"] == "Acme Agent");
    CHECK(vpshunt::rowToJson(plain.rows[0])["KnownSoftware"].is_null());  // beyond rows carry it, null when none
    CHECK(summaryOf(marked, "beacon").suppressedBy == std::vector<uint64_t>{1});  // the rows the mark names
    CHECK(marked.notices == plain.notices);  // naming is no suppression

    const auto hidden = test::runWithAsn(csv, intel, now, rule("beyond", mark, true));
    CHECK(hidden.rows.empty());
    CHECK(summaryOf(hidden, "beacon").knownSoftwareHidden == 1);
    CHECK(hasNotice(hidden, "1 beacon row of known software hidden (hideKnownSoftware)"));
  }
  SECTION("the mark fits only the process, the folder and the destination it names") {
    for (const std::string& other :
         {std::string(R"({"kind": "knownSoftware", "product": "Acme Agent", "process": "acme2.exe", "folder": "c:\\program files\\acme\\acme.exe", "remoteIp": "203.0.113.10", "who": "a", "why": "b"})"),
          std::string(R"({"kind": "knownSoftware", "product": "Acme Agent", "process": "acme.exe", "folder": "c:\\users\\x\\acme.exe", "remoteIp": "203.0.113.10", "who": "a", "why": "b"})"),
          std::string(R"({"kind": "knownSoftware", "product": "Acme Agent", "process": "acme.exe", "folder": "c:\\program files\\acme\\acme.exe", "remoteIp": "198.51.100.0/24", "who": "a", "why": "b"})")}) {
      const auto r = test::runWithAsn(csv, intel, now, rule("beyond", other));
      REQUIRE(r.rows.size() == 1);
      CHECK_FALSE(r.rows[0].knownSoftware);
    }
  }
  SECTION("a flow whose rows name two folders is never named, and the reason says so") {
    std::vector<ProcEv> rows = procSeries(90, 120, proto);
    for (size_t i = 40; i < rows.size(); i += 7) rows[i].folder = "C:\\Users\\Public\\acme.exe";
    // The command line is the same in every row: only the folder differs within one flow.
    const auto r = test::runWithAsn(procCsv(rows), intel, now, rule("beyond", mark));
    REQUIRE(r.rows.size() == 1);
    CHECK_FALSE(r.rows[0].knownSoftware);
    {
      vpshunt::Analysis a(rule("beyond", mark));
      a.beginFile("events.csv");
      const std::string text = procCsv(rows);
      a.feed(text.data(), text.size());
      a.endFile();
      const auto notes = a.knownSoftware({r.rows[0].groupId});
      REQUIRE(notes.size() == 1);
      CHECK(notes[0].folderDisagrees);
      CHECK(notes[0].folder == "C:\\Program Files\\Acme\\acme.exe");  // the first row's
    }
    CHECK(r.rows[0].knownSoftwareReason ==
          "acme.exe is marked as known software (Acme Agent), but the rows of this flow disagree about its binary (folder "
          "C:\\Program Files\\Acme\\acme.exe and C:\\Users\\Public\\acme.exe): not recognised as known software");
  }
  SECTION("seed mode: the rows are the seed's; the page asks for the name by row key") {
    Prepared plain(csv, rule("seed", ""), now, intel);
    Prepared marked(csv, rule("seed", mark), now, intel);
    for (auto format : {vpshunt::OutputFormat::Jsonl, vpshunt::OutputFormat::Csv, vpshunt::OutputFormat::Json,
                        vpshunt::OutputFormat::Table}) {
      const std::string a = vpshunt::renderResults(plain.a, std::nullopt, format);
      const std::string b = vpshunt::renderResults(marked.a, std::nullopt, format);
      CHECK(a.find("KnownSoftware") == std::string::npos);
      CHECK(b.find("KnownSoftware") == std::string::npos);
      // The only difference the mark makes in seed output: the per-entry count of the json document.
      if (format == vpshunt::OutputFormat::Json) {
        CHECK(b.find("\"suppressedBy\":[") != std::string::npos);
      } else {
        CHECK(a == b);
      }
    }
    // The page's store holds the rows as the output files have them.
    vpshunt::ResultStore store;
    marked.a.finishEach(std::nullopt, &store);
    const json view = json::parse(store.view(vpshunt::viewRequestFromJson(R"({"detection":"beacon"})")));
    REQUIRE(view["rows"].size() >= 1);
    std::vector<uint64_t> keys;
    for (const auto& row : view["rows"]) {
      CHECK_FALSE(row.contains("KnownSoftware"));
      keys.push_back(row["_key"].get<uint64_t>());
    }
    std::string exported;
    store.exportView(vpshunt::viewRequestFromJson(R"({"detection":"beacon"})"), vpshunt::OutputFormat::Jsonl,
                     [&](std::string_view piece) { exported += piece; });
    // The CLI's jsonl of the beacon table alone (by default infrastructure's rows follow it).
    std::string beaconLines;
    {
      const std::string all = vpshunt::renderResults(marked.a, std::nullopt, vpshunt::OutputFormat::Jsonl);
      for (size_t at = 0, nl; at < all.size(); at = nl + 1) {
        nl = all.find('\n', at);
        if (nl == std::string::npos) nl = all.size();
        const std::string line = all.substr(at, nl - at + 1);
        if (line.find("\"Detection\":\"beacon\"") != std::string::npos) beaconLines += line;
      }
    }
    REQUIRE(!beaconLines.empty());
    CHECK(exported == beaconLines);
    // ... and asks which of them are known software.
    keys.push_back(uint64_t(1) << 50);  // no row's key
    const auto notes = marked.a.knownSoftware(keys);
    REQUIRE(notes.size() == keys.size());
    for (size_t i = 0; i + 1 < notes.size(); ++i) {
      CHECK(notes[i].key == keys[i]);
      CHECK(notes[i].found);
      REQUIRE(notes[i].product);
      CHECK(*notes[i].product == "Acme Agent");
      CHECK(notes[i].reason == "marked as known software by alice: our backup agent (CHG-7)");
    }
    CHECK_FALSE(notes.back().found);
    // The same store given beyond mode's rows: that mode's columns replace the seed's table.
    Prepared beyondRun(csv, rule("beyond", mark), now, intel);
    beyondRun.a.finishEach(std::nullopt, &store);
    const json beyondView = json::parse(store.view(vpshunt::viewRequestFromJson(R"({"detection":"beacon"})")));
    REQUIRE(beyondView["total"] == 1);
    CHECK(beyondView["rows"][0]["KnownSoftware"] == "Acme Agent");
    for (const auto& n : plain.a.knownSoftware({keys[0]})) {
      CHECK(n.found);
      CHECK_FALSE(n.product);
    }
    // The seed's score and reasons know nothing of it.
    for (const auto& row : marked.a.finish().rows) {
      CHECK(row.score == row.riskScore);
      for (const auto& why : row.reasons) CHECK(why.find("known software") == std::string::npos);
    }
  }
  SECTION("the core session: a beacon row's detail, and a page of keys") {
    vpshunt::Session s(vpshunt::ruleToJson(rule("seed", mark)).dump());
    s.setNow(now);
    s.beginFile("events.csv", "events", "");
    s.feed(reinterpret_cast<const uint8_t*>(csv.data()), csv.size());
    s.endFile();
    s.refresh("");
    const json view = json::parse(s.view(R"({"detection":"beacon","limit":1})"));
    REQUIRE(view["rows"].size() == 1);
    const uint64_t key = view["rows"][0]["_key"].get<uint64_t>();
    const json detail = json::parse(s.detail("beacon", key));
    CHECK(detail["knownSoftware"] == "Acme Agent");
    CHECK(detail["knownSoftwareReason"] == "marked as known software by alice: our backup agent (CHG-7)");
    CHECK_FALSE(detail["row"].contains("KnownSoftware"));
    const json notes = json::parse(s.knownSoftware("[" + std::to_string(key) + ", 123456789012345]"));
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] == json{{"key", key}, {"knownSoftware", "Acme Agent"},
                           {"reason", "marked as known software by alice: our backup agent (CHG-7)"},
                           {"processFolder", "C:\\Program Files\\Acme\\acme.exe"}, {"processFolderDisagrees", false}});
    CHECK(detail["processFolder"] == "C:\\Program Files\\Acme\\acme.exe");
    CHECK_THROWS_AS(s.knownSoftware("{}"), vpshunt::SessionError);
    CHECK_THROWS_AS(s.knownSoftware("[-1]"), vpshunt::SessionError);
  }
}

TEST_CASE("tuning: a generated fleet: every agent named, no implant named, every implant above every agent",
          "[tuning][known-software][fleet]") {
  const test::fleet::Fleet fleet = test::fleet::makeFleet();
  const std::string csv = test::fleet::fleetCsv(fleet);
  struct Key {
    std::string device, file, ip;
    bool operator<(const Key& o) const { return std::tie(device, file, ip) < std::tie(o.device, o.file, o.ip); }
  };
  std::map<Key, const test::fleet::Flow*> flows;
  for (const auto& f : fleet.flows) REQUIRE(flows.emplace(Key{f.device, f.fileName, f.remoteIp}, &f).second);
  // Agents whose file name is on the seed's exclusion lists (Teams.exe, OneDrive.exe) make no row:
  // they call the vendors' clouds, which do not override the lists.
  auto excluded = [](const std::string& file) {
    std::string lower = file;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    for (const auto* list : {&vpshunt::seedBrowserProcesses(), &vpshunt::seedSystemProcesses()})
      for (std::string n : *list) {
        for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
        if (n == lower) return true;
      }
    return false;
  };

  vpshunt::Rule beyond;
  beyond.mode = "beyond";
  const auto r = test::runWithAsn(csv, "", fleet.now, beyond);
  int lowestImplant = 101, highestAgent = -1;
  size_t agents = 0, implants = 0, agentsExcluded = 0;
  std::set<Key> seen;
  for (const auto& row : r.rows) {
    const Key k{row.deviceName, row.processName, row.remoteIp};
    auto it = flows.find(k);
    INFO(row.deviceName << " " << row.processName << " -> " << row.remoteIp << ": " << row.knownSoftwareReason);
    REQUIRE(it != flows.end());
    seen.insert(k);
    const test::fleet::Flow& f = *it->second;
    if (f.kind == test::fleet::Kind::Agent) {
      ++agents;
      REQUIRE(row.knownSoftware);
      CHECK(*row.knownSoftware == f.expectedProduct);
      CHECK(row.knownSoftwareReason.rfind("known software: " + f.expectedProduct + " from ", 0) == 0);
      highestAgent = std::max(highestAgent, row.vpsScore);
    } else {
      ++implants;
      CHECK_FALSE(row.knownSoftware);
      CHECK_FALSE(row.knownSoftwareReason.empty());  // why the catalogued name is not the product
      lowestImplant = std::min(lowestImplant, row.vpsScore);
    }
  }
  for (const auto& f : fleet.flows) {
    INFO(test::fleet::kindName(f.kind) << ": " << f.device << " " << f.folderPath << " -> " << f.remoteIp);
    const bool row = seen.count(Key{f.device, f.fileName, f.remoteIp}) > 0;
    if (f.kind != test::fleet::Kind::Agent) CHECK(row);  // every implant is reported (a VPS overrides the lists)
    else if (excluded(f.fileName)) {
      CHECK_FALSE(row);
      ++agentsExcluded;
    } else {
      CHECK(row);
    }
  }
  CHECK(implants == fleet.implantFlows());
  CHECK(agents + agentsExcluded == fleet.agentFlows());
  CHECK(agents >= 100);
  INFO("lowest implant VpsScore " << lowestImplant << ", highest agent " << highestAgent);
  CHECK(lowestImplant > highestAgent);
  // The ranking itself: every implant row comes before every agent row.
  bool agentSeen = false;
  for (const auto& row : r.rows) {
    if (row.knownSoftware) agentSeen = true;
    else CHECK_FALSE(agentSeen);
  }

  SECTION("hideKnownSoftware leaves the implants only") {
    vpshunt::Rule hide = beyond;
    hide.hideKnownSoftware = true;
    const auto h = test::runWithAsn(csv, "", fleet.now, hide);
    CHECK(h.rows.size() == implants);
    for (const auto& row : h.rows) CHECK_FALSE(row.knownSoftware);
    CHECK(summaryOf(h, "beacon").knownSoftwareHidden == agents);
  }
  SECTION("seed mode: the same agents named for the page, the seed's rows and scores unchanged") {
    const auto s = test::runWithAsn(csv, "", fleet.now);
    std::set<Key> named;
    for (const auto& row : s.rows) {
      const test::fleet::Flow& f = *flows.at(Key{row.deviceName, row.processName, row.remoteIp});
      CHECK(row.score == row.riskScore);
      CHECK(bool(row.knownSoftware) == (f.kind == test::fleet::Kind::Agent));
      if (row.knownSoftware) named.insert(Key{row.deviceName, row.processName, row.remoteIp});
    }
    // Agents calling home less than 12 times an hour make no seed row; the others are all named.
    CHECK(named.size() >= 50);
  }
}

TEST_CASE("tuning: beyond mode's known-software points", "[tuning][known-software]") {
  // The same beacon three times: as an uncatalogued name, as Google Update in its folder, and as
  // GoogleUpdate.exe from a folder Google never installs to; each on its own device, to Google.
  const std::string now = "2026-11-24T13:00:00Z";
  auto flowOf = [](const std::string& device, const std::string& process, const std::string& folder) {
    ProcEv e;
    e.device = device;
    e.process = process;
    e.folder = folder;
    e.cmdline = "\"" + folder + "\" /c";
    e.company = "Google LLC";
    e.product = "Google Update";
    e.ip = "142.250.74.46";  // AS15169 Google (also hosts Google Cloud tenants: a shared network)
    return procSeries(90, 120, e);
  };
  std::vector<ProcEv> rows = flowOf("ws-plain", "acme.exe", "C:\\Program Files (x86)\\Acme\\acme.exe");
  for (auto more : {flowOf("ws-genuine", "GoogleUpdate.exe", "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe"),
                    flowOf("ws-fake", "GoogleUpdate.exe", "C:\\Users\\bob\\AppData\\Roaming\\GoogleUpdate.exe")})
    rows.insert(rows.end(), more.begin(), more.end());
  vpshunt::Rule beyond;
  beyond.mode = "beyond";
  const auto r = test::runWithAsn(procCsv(rows), "", now, beyond);
  const vpshunt::ResultRow* plain = rowOf(r, "ws-plain");
  const vpshunt::ResultRow* genuine = rowOf(r, "ws-genuine");
  const vpshunt::ResultRow* fake = rowOf(r, "ws-fake");
  REQUIRE(plain);
  REQUIRE(genuine);
  REQUIRE(fake);
  CHECK_FALSE(plain->knownSoftware);
  CHECK(plain->knownSoftwareReason.empty());
  REQUIRE(genuine->knownSoftware);
  CHECK(*genuine->knownSoftware == "Google Update");
  CHECK(genuine->knownSoftwareReason ==
        "known software: Google Update from C:\\Program Files (x86)\\Google\\Update\\ to AS15169 Google LLC (this network "
        "also hosts Google Cloud tenants)");
  CHECK(genuine->vpsScore == plain->vpsScore - 25);  // a shared network: less than the full 40
  CHECK_FALSE(fake->knownSoftware);
  CHECK(fake->knownSoftwareReason ==
        "GoogleUpdate.exe outside Google Update's install folders (C:\\Users\\bob\\AppData\\Roaming\\)");
  CHECK(fake->vpsScore == plain->vpsScore + 10);  // masquerading: a little up
  CHECK(std::count(fake->vpsReasons.begin(), fake->vpsReasons.end(), fake->knownSoftwareReason) == 1);
  // Seed mode names the same row for the page, and scores nothing.
  const auto seed = test::runWithAsn(procCsv(rows), "", now);
  for (const auto& row : seed.rows) {
    CHECK(bool(row.knownSoftware) == (row.deviceName == "ws-genuine"));
    CHECK(row.score == row.riskScore);
  }
}

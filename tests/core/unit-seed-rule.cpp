// The seed rule, row by row of the semantics table in DESIGN.md: each test fails if that
// behaviour changes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "support.hpp"

using test::Ev;
using test::series;
using test::Ti;

namespace {
const std::string H = "2026-11-24T10:00:00Z";  // an hour bin start
}

TEST_CASE("threshold: 12 connections in a bin are reported, 11 are not", "[seed]") {
  struct Case {
    const char* name;
    int n;
    size_t rows;
  } cases[] = {{"eleven", 11, 0}, {"twelve", 12, 1}, {"thirteen", 13, 1}};
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto r = test::run(test::eventsCsv(series(H, c.n, 60)));
      REQUIRE(r.rows.size() == c.rows);
      if (c.rows) CHECK(r.rows[0].connectionCount == c.n);
    }
  }
}

TEST_CASE("bins: UTC hours aligned to the epoch — the edge belongs to the later bin", "[seed]") {
  // 6 connections at 09:59:59.9999999 and earlier, 6 at 10:00:00 and later: two bins of 6, no row.
  auto rows = series("2026-11-24T09:59:00Z", 6, 9.9999999);
  auto later = series(H, 6, 60);
  rows.insert(rows.end(), later.begin(), later.end());
  CHECK(test::run(test::eventsCsv(rows)).rows.empty());

  SECTION("12 inside one bin, reported with the bin start as Timestamp") {
    auto r = test::run(test::eventsCsv(series("2026-11-24T10:00:00Z", 12, 299.9)));
    REQUIRE(r.rows.size() == 1);
    CHECK(vpshunt::formatIsoSeconds(r.rows[0].binStart) == "2026-11-24T10:00:00Z");
    CHECK(vpshunt::formatIsoTime(r.rows[0].firstConnection) == "2026-11-24T10:00:00Z");
    CHECK(vpshunt::formatIsoTime(r.rows[0].lastConnection) == "2026-11-24T10:54:58.9000000Z");
  }
  SECTION("a 30-minute window splits the same hour in two") {
    vpshunt::Rule rule;
    rule.observationWindowMinutes = 30;
    auto r = test::run(test::eventsCsv(series(H, 24, 150)), "", "", rule);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].connectionsPerMinute == Approx(0.4));
  }
}

TEST_CASE("lookback: Timestamp > now - 24h is strict", "[seed]") {
  // now = 2026-11-25T10:30:00Z; cutoff = 2026-11-24T10:30:00Z exactly.
  auto rows = series("2026-11-24T10:25:00Z", 5, 60);     // 10:25..10:29: before the cutoff
  auto atCut = series("2026-11-24T10:30:00Z", 1, 60);    // exactly at the cutoff: excluded
  auto after = series("2026-11-24T10:30:00.0000001Z", 11, 60);  // 100 ns after: included
  rows.insert(rows.end(), atCut.begin(), atCut.end());
  rows.insert(rows.end(), after.begin(), after.end());
  SECTION("given now") {
    auto r = test::run(test::eventsCsv(rows), "", "2026-11-25T10:30:00Z");
    REQUIRE(r.rows.size() == 0);  // 11 inside, not 12
  }
  SECTION("one more inside makes 12") {
    auto more = rows;
    more.push_back(series("2026-11-24T10:59:00Z", 1, 1)[0]);
    auto r = test::run(test::eventsCsv(more), "", "2026-11-25T10:30:00Z");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].connectionCount == 12);
    CHECK(vpshunt::formatIsoTime(r.rows[0].firstConnection) == "2026-11-24T10:30:00.0000001Z");
  }
  SECTION("default now is the latest event time") {
    auto more = rows;
    Ev late;
    late.time = "2026-11-25T10:30:00Z";
    late.process = "other.exe";
    more.push_back(late);
    more.push_back(series("2026-11-24T10:59:00Z", 1, 1)[0]);
    auto r = test::run(test::eventsCsv(more));
    CHECK(r.nowSource == "latest event");
    CHECK(vpshunt::formatIsoTime(r.now) == "2026-11-25T10:30:00Z");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].connectionCount == 12);
  }
  SECTION("now set before reading drops early rows at ingest: same answer, one pass") {
    vpshunt::Analysis a;
    vpshunt::Ticks now;
    vpshunt::parseIsoTime("2026-11-25T10:30:00Z", now);
    a.setNow(now);
    auto more = rows;
    more.push_back(series("2026-11-24T10:59:00Z", 1, 1)[0]);
    auto csv = test::eventsCsv(more);
    a.beginFile("e.csv");
    a.feed(csv.data(), csv.size());
    a.endFile();
    auto r = a.finish();
    CHECK(r.collectGroups.empty());
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].connectionCount == 12);
    CHECK(r.files[0].filtered.at("before the lookback window (Timestamp <= now - lookback)") == 6);
  }
  SECTION("newest first: the cutoff's bin is known early, no second pass") {
    vpshunt::Analysis a;
    auto more = rows;
    more.push_back(series("2026-11-24T10:59:00Z", 1, 1)[0]);
    Ev late;
    late.time = "2026-11-25T10:30:00Z";
    late.process = "other.exe";
    more.push_back(late);
    std::reverse(more.begin(), more.end());
    auto csv = test::eventsCsv(more);
    a.beginFile("e.csv");
    a.feed(csv.data(), csv.size());
    a.endFile();
    auto r = a.finish();
    CHECK(r.collectGroups.empty());
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].connectionCount == 12);
  }
  SECTION("without a collect pass, straddling groups are named for one") {
    vpshunt::Analysis a;
    auto more = rows;
    more.push_back(series("2026-11-24T10:59:00Z", 1, 1)[0]);
    Ev late;
    late.time = "2026-11-25T10:30:00Z";
    late.process = "other.exe";
    more.push_back(late);
    auto csv = test::eventsCsv(more);
    a.beginFile("e.csv");
    a.feed(csv.data(), csv.size());
    a.endFile();
    auto r = a.finish();
    CHECK(r.collectGroups.size() == 1);
    CHECK_FALSE(r.notices.empty());
  }
  SECTION("events after a given now still count (no upper bound, as in KQL)") {
    auto r = test::run(test::eventsCsv(series("2026-11-26T10:00:00Z", 12, 60)), "", "2026-11-25T10:30:00Z");
    CHECK(r.rows.size() == 1);
  }
}

TEST_CASE("ActionType and RemoteIPType filters are exact and case-sensitive", "[seed]") {
  struct Case {
    const char* name;
    std::string action, ipType;
    size_t rows;
  } cases[] = {
      {"ConnectionSuccess", "ConnectionSuccess", "Public", 1},
      {"NetworkSignatureInspected", "NetworkSignatureInspected", "Public", 1},
      {"ConnectionFailed", "ConnectionFailed", "Public", 0},
      {"lower-case action", "connectionsuccess", "Public", 0},
      {"Private", "ConnectionSuccess", "Private", 0},
      {"lower-case public", "ConnectionSuccess", "public", 0},
      {"empty RemoteIPType", "ConnectionSuccess", "", 0},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      Ev p;
      p.action = c.action;
      p.ipType = c.ipType;
      CHECK(test::run(test::eventsCsv(series(H, 12, 60, p))).rows.size() == c.rows);
    }
  }
}

TEST_CASE("process exclusions: case-insensitive equality — an empty name is kept", "[seed]") {
  struct Case {
    const char* name;
    std::string process;
    size_t rows;
  } cases[] = {{"browser, odd case", "MsEdge.EXE", 0}, {"system", "SVCHOST.exe", 0}, {"chrome", "chrome.exe", 0},
               {"substring is not equality", "chrome.exe.bak", 1}, {"empty name kept", "", 1},
               {"ordinary", "updater.exe", 1}};
  for (const auto& c : cases) {
    SECTION(c.name) {
      Ev p;
      p.process = c.process;
      CHECK(test::run(test::eventsCsv(series(H, 12, 60, p))).rows.size() == c.rows);
    }
  }
  SECTION("the lists are rule parameters") {
    vpshunt::Rule rule;
    rule.browserProcesses.push_back("UPDATER.EXE");
    Ev p;
    p.process = "updater.exe";
    CHECK(test::run(test::eventsCsv(series(H, 12, 60, p)), "", "", rule).rows.empty());
  }
}

TEST_CASE("exclusion lists: the seed's two lists exactly, name by name", "[seed]") {
  // SEED_RULE.kql: ExcludedBrowsers and ExcludedSystemProcesses, compared with !in~.
  const char* seedNames[] = {"chrome.exe",  "firefox.exe", "msedge.exe",           "microsoftedgecp.exe",
                             "iexplore.exe", "brave.exe",  "opera.exe",            "safari.exe",
                             "waterfox.exe", "svchost.exe", "wuauclt.exe",         "trustedinstaller.exe",
                             "msiexec.exe",  "MsMpEng.exe", "ccmexec.exe",         "onedrive.exe",
                             "teams.exe"};
  auto oddCase = [](std::string s) {
    for (size_t i = 0; i < s.size(); ++i) s[i] = char(i % 2 ? std::tolower(s[i]) : std::toupper(s[i]));
    return s;
  };
  for (const char* name : seedNames) {
    for (const std::string& spelled : {std::string(name), oddCase(name)}) {
      DYNAMIC_SECTION(spelled) {
        Ev p;
        p.process = spelled;
        CHECK(test::run(test::eventsCsv(series(H, 12, 60, p))).rows.empty());
      }
    }
  }
  // Names vpshunt once added to the lists, and ordinary names: on neither list, so reported.
  for (const char* name : {"lsass.exe", "system", "vivaldi.exe", "msedgewebview2.exe", "services.exe", "wmiprvse.exe",
                           "rundll32.exe", "Teams.exe.bak"}) {
    DYNAMIC_SECTION("reported: " << name) {
      Ev p;
      p.process = name;
      auto r = test::run(test::eventsCsv(series(H, 12, 60, p)));
      REQUIRE(r.rows.size() == 1);
      CHECK(r.rows[0].processName == name);
    }
  }
  SECTION("the lists are the seed's, in the seed's order") {
    vpshunt::Rule rule;
    CHECK(rule.browserProcesses == std::vector<std::string>(seedNames, seedNames + 9));
    CHECK(rule.systemProcesses == std::vector<std::string>(seedNames + 9, seedNames + 17));
    CHECK(vpshunt::exclusionPresetName(rule) == "seed");
  }
  SECTION("the extended preset is opt-in and hides lsass.exe") {
    vpshunt::Rule rule = vpshunt::ruleFromJson(nlohmann::json::parse(R"({"exclusionPreset": "extended"})"));
    CHECK(vpshunt::exclusionPresetName(rule) == "extended");
    Ev p;
    p.process = "LSASS.EXE";
    CHECK(test::run(test::eventsCsv(series(H, 12, 60, p)), "", "", rule).rows.empty());
    p.process = "teams.exe";  // still the seed's names too
    CHECK(test::run(test::eventsCsv(series(H, 12, 60, p)), "", "", rule).rows.empty());
    CHECK(vpshunt::ruleToJson(rule)["exclusionPreset"] == "extended");
    rule.systemProcesses.push_back("beacon.exe");
    CHECK(vpshunt::ruleToJson(rule)["exclusionPreset"] == "custom");
    // ruleToJson's output reads back to the same lists.
    CHECK(vpshunt::ruleFromJson(vpshunt::ruleToJson(rule)).systemProcesses == rule.systemProcesses);
  }
}

TEST_CASE("process exclusions apply at ingest: counted, still seen by prevalence, undone by a re-read", "[seed]") {
  // ws-1's beacon plus chrome.exe on two other devices talking to the same address.
  auto rows = series(H, 12, 60);
  for (const char* device : {"ws-2", "ws-3"}) {
    Ev b;
    b.process = "Chrome.exe";
    b.device = device;
    auto more = series("2026-11-24T08:00:00Z", 3, 60, b);
    rows.insert(rows.end(), more.begin(), more.end());
  }
  const std::string csv = test::eventsCsv(rows);
  vpshunt::Analysis a;
  a.beginFile("e.csv");
  a.feed(csv.data(), csv.size());
  a.endFile();
  auto r = a.finish();
  REQUIRE(r.rows.size() == 1);
  CHECK(r.files[0].kept == 12);
  CHECK(r.files[0].filtered.at("InitiatingProcessFileName on the browser/system exclusion lists") == 6);
  // Prevalence counts every device that talked to the address, browsers included.
  CHECK(r.rows[0].deviceCount == 3);
  CHECK(vpshunt::formatIsoSeconds(r.rows[0].remoteIpFirstSeen) == "2026-11-24T08:00:00Z");

  vpshunt::Rule more = a.rule();
  more.systemProcesses.push_back("beacon.exe");
  CHECK_FALSE(a.setRule(more));  // excluding more: the groups are there, no re-read
  CHECK(a.finish().rows.empty());
  vpshunt::Rule back = a.rule();
  back.systemProcesses.pop_back();
  back.browserProcesses.erase(std::find(back.browserProcesses.begin(), back.browserProcesses.end(), "firefox.exe"));
  CHECK_FALSE(a.setRule(back));  // beacon.exe and firefox.exe dropped no row: nothing to read again
  CHECK(a.finish().rows.size() == 1);
  CHECK_FALSE(a.setRule(more));
  vpshunt::Rule less = a.rule();
  less.browserProcesses.erase(std::find(less.browserProcesses.begin(), less.browserProcesses.end(), "chrome.exe"));
  CHECK(a.setRule(less));  // excluding less: the dropped rows are needed again
  a.beginFile("e.csv");
  a.feed(csv.data(), csv.size());
  a.endFile();
  auto again = a.finish();
  CHECK(again.files[0].kept == 6);  // chrome.exe's rows; beacon.exe is excluded now
  CHECK(again.rows.empty());         // and chrome.exe made no hour of 12

  SECTION("thousands of devices and addresses (the contact table grows)") {
    auto many = series(H, 12, 60);
    for (int i = 0; i < 3000; ++i) {
      Ev b;
      b.process = "msedge.exe";
      b.device = "ws-" + std::to_string(1000 + i);
      b.ip = i % 2 ? "203.0.113.10" : "198.51.100." + std::to_string(i % 250);
      b.time = "2026-11-24T07:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + ":00Z";
      many.push_back(b);
    }
    auto r = test::run(test::eventsCsv(many));
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].deviceCount == 1501);  // ws-1 and the 1,500 odd ones
    CHECK(vpshunt::formatIsoSeconds(r.rows[0].remoteIpFirstSeen) == "2026-11-24T07:01:00Z");
  }
  SECTION("beyond mode reads every process (hosting and TI may override the lists)") {
    vpshunt::Rule beyond;
    beyond.mode = "beyond";
    auto b = test::run(csv, "", "", beyond);
    CHECK(b.files[0].kept == 18);
    CHECK(b.files[0].filtered.count("InitiatingProcessFileName on the browser/system exclusion lists") == 0);
  }
}

TEST_CASE("group key: device, account, process, command line, remote IP, bin", "[seed]") {
  const char* fields[] = {"device", "account", "process", "cmdline", "ip"};
  for (const char* f : fields) {
    SECTION(std::string("6 + 6 differing in ") + f + " are two groups") {
      auto a = series(H, 6, 60);
      Ev p;
      if (std::string(f) == "device") p.device = "ws-2";
      if (std::string(f) == "account") p.account = "bob";
      if (std::string(f) == "process") p.process = "other.exe";
      if (std::string(f) == "cmdline") p.cmdline = "beacon.exe -y";
      if (std::string(f) == "ip") p.ip = "203.0.113.11";
      auto b = series(H, 6, 60, p);
      a.insert(a.end(), b.begin(), b.end());
      CHECK(test::run(test::eventsCsv(a)).rows.empty());
    }
  }
  SECTION("IPv6 spellings of one address are one group") {
    Ev p1, p2;
    p1.ip = "2001:4860:0000:0000:0000:0000:0000:8888";
    p2.ip = "2001:4860::8888";
    auto a = series(H, 6, 60, p1);
    auto b = series("2026-11-24T10:30:00Z", 6, 60, p2);
    a.insert(a.end(), b.begin(), b.end());
    auto r = test::run(test::eventsCsv(a));
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].remoteIp == "2001:4860::8888");
  }
}

TEST_CASE("AccountName: the AccountName column when present, else InitiatingProcessAccountName", "[seed]") {
  SECTION("fallback") {
    auto r = test::run(test::eventsCsv(series(H, 12, 60)));
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].accountName == "alice");
  }
  SECTION("AccountName column wins") {
    std::string csv = "Timestamp,RemoteIP,RemoteIPType,ActionType,InitiatingProcessAccountName,AccountName\n";
    for (int i = 0; i < 12; ++i)
      csv += test::at(H, i * 60) + ",198.51.100.7,Public,ConnectionSuccess,fallback,primary\n";
    auto r = test::run(csv);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].accountName == "primary");
  }
}

TEST_CASE("ports: exact distinct count — make_set capped at 5", "[seed]") {
  std::vector<Ev> rows;
  const char* ports[] = {"443", "80", "8443", "22", "53", "8080", "9000", "443", "80", "443", "443", "443"};
  for (int i = 0; i < 12; ++i) {
    Ev e;
    e.time = test::at(H, i * 60);
    e.port = ports[i];
    rows.push_back(e);
  }
  auto r = test::run(test::eventsCsv(rows));
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].uniqueRemotePorts == 7);
  CHECK(r.rows[0].remotePorts == std::vector<int64_t>{22, 53, 80, 443, 8080});
}

TEST_CASE("bytes: sums of present values — null without the columns — ByteRatio", "[seed]") {
  SECTION("absent columns: null totals, ratio 0, and the report says so") {
    auto r = test::run(test::eventsCsv(series(H, 12, 60)));
    REQUIRE(r.rows.size() == 1);
    CHECK_FALSE(r.rows[0].totalBytesSent.has_value());
    CHECK_FALSE(r.rows[0].totalBytesReceived.has_value());
    CHECK(r.rows[0].byteRatio == 0);
    CHECK(r.files[0].missingColumns == std::vector<std::string>{"SentBytes", "ReceivedBytes"});
  }
  SECTION("present: sums and a rounded ratio") {
    auto rows = series(H, 12, 60);
    for (auto& e : rows) {
      e.sent = "100";
      e.received = "300";
    }
    rows[0].sent = "";  // an empty value is not counted
    auto r = test::run(test::eventsCsv(rows, true));
    REQUIRE(r.rows.size() == 1);
    CHECK(*r.rows[0].totalBytesSent == 1100);
    CHECK(*r.rows[0].totalBytesReceived == 3600);
    CHECK(r.rows[0].byteRatio == Approx(0.31));
  }
  SECTION("one group from two exports, one with the columns and one without: the sums of the first") {
    auto with = series(H, 6, 60);
    for (auto& e : with) {
      e.sent = "7";
      e.received = "";  // present column, empty values: a total of 0, not null
    }
    const std::string a = test::eventsCsv(with, true), b = test::eventsCsv(series("2026-11-24T10:30:00Z", 6, 60));
    vpshunt::Analysis an;
    for (const std::string* f : {&b, &a}) {
      an.beginFile("e.csv");
      an.feed(f->data(), f->size());
      an.endFile();
    }
    auto r = an.finish();
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].connectionCount == 12);
    CHECK(*r.rows[0].totalBytesSent == 42);
    CHECK(*r.rows[0].totalBytesReceived == 0);
    CHECK(r.rows[0].byteRatio == 0);
  }
  SECTION("zero received: ratio 0") {
    auto rows = series(H, 12, 60);
    for (auto& e : rows) {
      e.sent = "10";
      e.received = "0";
    }
    auto r = test::run(test::eventsCsv(rows, true));
    REQUIRE(r.rows.size() == 1);
    CHECK(*r.rows[0].totalBytesReceived == 0);
    CHECK(r.rows[0].byteRatio == 0);
  }
}

TEST_CASE("threat intel: latest indicator per IP within 7 days, and only if active", "[seed][ti]") {
  const std::string now = "2026-11-25T00:00:00Z";
  auto events = test::eventsCsv(series(H, 12, 60));
  struct Case {
    const char* name;
    std::vector<Ti> intel;
    bool match;
  } cases[] = {
      {"active, recent", {{"2026-11-24T00:00:00Z", "203.0.113.10"}}, true},
      {"latest inactive hides an older active", {{"2026-11-23T00:00:00Z", "203.0.113.10", "True"},
                                                 {"2026-11-24T00:00:00Z", "203.0.113.10", "False"}}, false},
      {"latest active wins over an older inactive", {{"2026-11-24T00:00:00Z", "203.0.113.10", "TRUE"},
                                                     {"2026-11-23T00:00:00Z", "203.0.113.10", "false"}}, true},
      {"older than 7 days", {{"2026-11-17T23:59:59Z", "203.0.113.10"}}, false},
      {"exactly 7 days is outside (strict)", {{"2026-11-18T00:00:00Z", "203.0.113.10"}}, false},
      {"an inactive one older than 7 days does not hide a recent active",
       {{"2026-11-10T00:00:00Z", "203.0.113.10", "False"}, {"2026-11-20T00:00:00Z", "203.0.113.10", "1"}}, true},
      {"a recent inactive beats an old active outside the window",
       {{"2026-11-10T00:00:00Z", "203.0.113.10", "True"}, {"2026-11-20T00:00:00Z", "203.0.113.10", "False"}}, false},
      {"other IP", {{"2026-11-24T00:00:00Z", "203.0.113.11"}}, false},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto r = test::run(events, test::intelCsv(c.intel), now);
      REQUIRE(r.rows.size() == 1);
      CHECK(r.rows[0].isTiMatch == c.match);
      if (c.match) {
        CHECK(*r.rows[0].threatType == "C2");
        CHECK(*r.rows[0].tiConfidence == 90);
      } else {
        CHECK_FALSE(r.rows[0].threatType.has_value());
      }
    }
  }
  SECTION("IPv6 compared in canonical form") {
    Ev p;
    p.ip = "2a03:b0c0:3:d0::1a2f";
    auto r = test::run(test::eventsCsv(series(H, 12, 60, p)),
                       test::intelCsv({{"2026-11-24T00:00:00Z", "2a03:b0c0:0003:00d0:0000:0000:0000:1a2f"}}), now);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].isTiMatch);
  }
}

TEST_CASE("RiskScore: the case() table row by row, in order", "[seed]") {
  const std::string now = "2026-11-25T00:00:00Z";
  struct Case {
    const char* name;
    int count;
    int ports;
    bool ti;
    int score;
  } cases[] = {
      {"TI and >= 20", 20, 3, true, 95}, {"TI and 19", 19, 1, true, 80},   {"TI and 12", 12, 6, true, 80},
      {">= 30 and 1 port", 30, 1, false, 60}, {"30 and 2 ports", 30, 2, false, 45},
      {">= 20 and <= 2 ports", 20, 2, false, 45}, {"20 and 3 ports", 20, 3, false, 30},
      {"29 and 1 port", 29, 1, false, 45}, {"12", 12, 1, false, 30},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      std::vector<Ev> rows = series(H, c.count, 60);
      for (int i = 0; i < c.count; ++i) rows[size_t(i)].port = std::to_string(1000 + i % c.ports);
      auto r = test::run(test::eventsCsv(rows), c.ti ? test::intelCsv({{"2026-11-24T00:00:00Z", "203.0.113.10"}}) : "",
                         now);
      REQUIRE(r.rows.size() == 1);
      CHECK(r.rows[0].riskScore == c.score);
    }
  }
  SECTION("TI alone (65) and the else branch (20) with a lowered threshold") {
    vpshunt::Rule rule;
    rule.beaconMinConnections = 5;
    auto r = test::run(test::eventsCsv(series(H, 6, 60)), test::intelCsv({{"2026-11-24T00:00:00Z", "203.0.113.10"}}),
                       now, rule);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].riskScore == 65);
    r = test::run(test::eventsCsv(series(H, 6, 60)), "", now, rule);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].riskScore == 20);
  }
}

TEST_CASE("sort: RiskScore desc, then ConnectionCount desc", "[seed]") {
  Ev a, b, c;
  a.process = "a.exe";
  b.process = "b.exe";
  c.process = "c.exe";
  auto rows = series(H, 12, 60, a);        // 30
  auto more = series(H, 40, 60, b);        // 60 (>= 30, one port)
  auto most = series(H, 14, 60, c);        // 30, more connections than a
  rows.insert(rows.end(), more.begin(), more.end());
  rows.insert(rows.end(), most.begin(), most.end());
  auto r = test::run(test::eventsCsv(rows));
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].processName == "b.exe");
  CHECK(r.rows[1].processName == "c.exe");
  CHECK(r.rows[2].processName == "a.exe");
}

TEST_CASE("ConnectionsPerMinute = round(count / window, 2)", "[seed]") {
  auto r = test::run(test::eventsCsv(series(H, 13, 60)));
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].connectionsPerMinute == Approx(0.22));
}

TEST_CASE("the example exports give exactly examples/expected.json", "[seed][examples]") {
  // Cross-checked with examples/make-example.py's own implementation of the rule.
  vpshunt::Analysis a;
  auto feedAll = [&](bool eventsOnly) {
    for (auto [name, kind] : {std::pair<const char*, vpshunt::FileKind>{"DeviceNetworkEvents.csv", vpshunt::FileKind::Events},
                              {"ThreatIntelligenceIndicator.csv", vpshunt::FileKind::Intel}}) {
      if (eventsOnly && kind == vpshunt::FileKind::Intel) continue;
      std::string path = std::string(VPSHUNT_SOURCE_DIR) + "/examples/" + name;
      FILE* f = std::fopen(path.c_str(), "rb");
      REQUIRE(f);
      a.beginFile(path, kind);
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) a.feed(buf, n);
      std::fclose(f);
      a.endFile();
    }
  };
  feedAll(false);
  // The decoy (f) straddles the cutoff: 12 rows in its bin, 11 after the cutoff. The export lists the
  // newest events first (as Defender's portal does), so the cutoff's bin was known from the first
  // row and its rows were kept: exact without a second pass.
  auto r = a.finish();
  CHECK(r.collectGroups.empty());
  CHECK(r.rows.size() == 20);
  REQUIRE_FALSE(r.rows.empty());
  CHECK(r.rows[0].riskScore == 95);
  CHECK(r.rows[0].processName == "rundll32.exe");
}

TEST_CASE("row order does not matter: oldest first, newest first, shuffled", "[seed]") {
  // Three hours of one flow (13, 12 and 11 rows) plus a second flow interleaved, in several orders:
  // each group must find its own bin whether the flow's bins arrive in order or not.
  auto rows = series("2026-11-24T08:00:00Z", 13, 240);
  auto h2 = series("2026-11-24T09:00:00Z", 12, 290);
  auto h3 = series("2026-11-24T10:00:00Z", 11, 300);
  test::Ev other;
  other.ip = "198.51.100.7";
  auto o = series("2026-11-24T09:30:00Z", 12, 60, other);
  for (auto* part : {&h2, &h3, &o}) rows.insert(rows.end(), part->begin(), part->end());
  auto expectRows = [](const vpshunt::Results& r) {
    REQUIRE(r.rows.size() == 3);
    std::vector<std::pair<std::string, int64_t>> got;
    for (const auto& row : r.rows) got.emplace_back(vpshunt::formatIsoSeconds(row.binStart) + " " + row.remoteIp, row.connectionCount);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::pair<std::string, int64_t>>{{"2026-11-24T08:00:00Z 203.0.113.10", 13},
                                                              {"2026-11-24T09:00:00Z 198.51.100.7", 12},
                                                              {"2026-11-24T09:00:00Z 203.0.113.10", 12}});
  };
  const std::string now = "2026-11-24T12:00:00Z";
  SECTION("oldest first") {
    std::stable_sort(rows.begin(), rows.end(), [](const test::Ev& a, const test::Ev& b) { return a.time < b.time; });
    expectRows(test::run(test::eventsCsv(rows), "", now));
  }
  SECTION("newest first") {
    std::stable_sort(rows.begin(), rows.end(), [](const test::Ev& a, const test::Ev& b) { return a.time > b.time; });
    expectRows(test::run(test::eventsCsv(rows), "", now));
  }
  SECTION("shuffled (fixed seed)") {
    uint64_t x = 42;
    for (size_t i = rows.size(); i > 1; --i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      std::swap(rows[i - 1], rows[(x >> 33) % i]);
    }
    expectRows(test::run(test::eventsCsv(rows), "", now));
  }
  SECTION("middle hour last") {  // bins 8 and 10 first: 9 lies inside the flow's range, not at its ends
    std::vector<test::Ev> reordered;
    for (const auto& e : rows)
      if (e.time.compare(0, 13, "2026-11-24T09") != 0) reordered.push_back(e);
    for (const auto& e : rows)
      if (e.time.compare(0, 13, "2026-11-24T09") == 0) reordered.push_back(e);
    expectRows(test::run(test::eventsCsv(reordered), "", now));
  }
}

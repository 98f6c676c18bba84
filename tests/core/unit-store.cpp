// The result store behind the page: views (sort, filter, pages) over compact columns give exactly
// what sorting and filtering the rows themselves gives.
#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <functional>
#include <random>

#include "support.hpp"
#include "vpshunt/output.hpp"
#include "vpshunt/store.hpp"
#include "detections/beacon/beacon.hpp"

using test::Ev;

namespace {

// A few hundred beacon rows with ties, nulls (ThreatType), odd texts and several devices.
std::string manyRows() {
  std::vector<Ev> rows;
  std::mt19937 rng(3);
  const char* devices[] = {"ws-1", "WS-2", "ws-10", "laptop-\xC3\xA9", "srv \"q\"", "Ws-3"};
  for (int f = 0; f < 60; ++f) {
    Ev e;
    e.device = devices[f % 6];
    e.ip = "203.0.113." + std::to_string(f % 17);
    e.process = f % 4 ? "beacon.exe" : "Updater.EXE";
    e.cmdline = "run -n " + std::to_string(f);
    e.port = std::to_string(443 + f % 3);
    const int n = 12 + int(rng() % 20);
    auto s = test::series("2026-11-24T" + std::string(f % 2 ? "10" : "11") + ":00:00Z", n, 3600.0 / n - 1, e);
    rows.insert(rows.end(), s.begin(), s.end());
  }
  return test::eventsCsv(rows);
}

struct Fixture {
  vpshunt::Analysis analysis;
  vpshunt::ResultStore store;
  vpshunt::Results kept;
  Fixture() {
    const std::string csv = manyRows();
    const std::string intel = test::intelCsv({{"2026-11-23T10:00:00Z", "203.0.113.3"}, {"2026-11-23T10:00:00Z", "203.0.113.5"}});
    analysis.beginFile("e.csv");
    analysis.feed(csv.data(), csv.size());
    analysis.endFile();
    analysis.beginFile("ti.csv", vpshunt::FileKind::Intel);
    analysis.feed(intel.data(), intel.size());
    analysis.endFile();
    kept = analysis.finish();
    analysis.finishEach(std::nullopt, &store);
  }
  nlohmann::json view(const std::string& request) const { return nlohmann::json::parse(store.view(vpshunt::viewRequestFromJson(request))); }
};

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

}  // namespace

TEST_CASE("store: a view without sort or filter pages through the detection's order", "[store]") {
  Fixture f;
  REQUIRE(f.kept.rows.size() > 40);
  CHECK(f.store.rowCount("beacon") == f.kept.rows.size());
  auto v = f.view(R"({"detection":"beacon","offset":10,"limit":7})");
  CHECK(v["total"] == f.kept.rows.size());
  CHECK(v["matched"] == f.kept.rows.size());
  REQUIRE(v["rows"].size() == 7);
  for (size_t i = 0; i < 7; ++i) {
    nlohmann::json expected = vpshunt::rowToJson(f.kept.rows[10 + i]);
    nlohmann::json got = v["rows"][i];
    CHECK(got["_index"] == 10 + i);
    CHECK(got["_key"] == f.kept.rows[10 + i].groupId);
    got.erase("_index");
    got.erase("_key");
    CHECK(got == expected);
  }
  SECTION("past the end: an empty page") { CHECK(f.view(R"({"detection":"beacon","offset":100000})")["rows"].empty()); }
  SECTION("a detection without rows") { CHECK(f.view(R"({"detection":"inbound"})")["total"] == 0); }
}

TEST_CASE("store: sorting matches a stable sort of the rows, nulls last both ways", "[store]") {
  Fixture f;
  struct Case {
    const char* request;
    std::function<bool(const vpshunt::ResultRow&, const vpshunt::ResultRow&)> less;
  } cases[] = {
      {R"({"detection":"beacon","sort":[{"column":"ConnectionCount","desc":true}],"limit":10000})",
       [](const auto& a, const auto& b) { return a.connectionCount > b.connectionCount; }},
      {R"({"detection":"beacon","sort":[{"column":"DeviceName"}],"limit":10000})",
       [](const auto& a, const auto& b) { return lower(a.deviceName) < lower(b.deviceName); }},
      {R"({"detection":"beacon","sort":[{"column":"DeviceName","desc":true},{"column":"FirstConnection"}],"limit":10000})",
       [](const auto& a, const auto& b) {
         return lower(a.deviceName) != lower(b.deviceName) ? lower(a.deviceName) > lower(b.deviceName)
                                                           : a.firstConnection < b.firstConnection;
       }},
      // Command lines share their first eight bytes ("run -n 1", "run -n 10".."run -n 19"): the
      // ranking's 64-bit prefix keys tie and the full comparison decides.
      {R"({"detection":"beacon","sort":[{"column":"InitiatingProcessCommandLine","desc":true}],"limit":10000})",
       [](const auto& a, const auto& b) { return lower(a.commandLine) > lower(b.commandLine); }},
      {R"({"detection":"beacon","sort":[{"column":"ConnectionsPerMinute"}],"limit":10000})",
       [](const auto& a, const auto& b) { return a.connectionsPerMinute < b.connectionsPerMinute; }},
  };
  for (const auto& c : cases) {
    SECTION(c.request) {
      std::vector<vpshunt::ResultRow> expected = f.kept.rows;
      std::stable_sort(expected.begin(), expected.end(), c.less);
      auto v = f.view(c.request);
      REQUIRE(v["rows"].size() == expected.size());
      for (size_t i = 0; i < expected.size(); ++i) CHECK(v["rows"][i]["_key"] == expected[i].groupId);
    }
  }
  SECTION("nulls last ascending and descending") {
    for (const char* dir : {"false", "true"}) {
      auto v = f.view(std::string(R"({"detection":"beacon","sort":[{"column":"ThreatType","desc":)") + dir + R"(}],"limit":10000})");
      bool seenNull = false;
      for (const auto& r : v["rows"]) {
        if (r["ThreatType"].is_null()) seenNull = true;
        else CHECK_FALSE(seenNull);
      }
      CHECK(seenNull);
    }
  }
}

TEST_CASE("store: the text filter matches any column case-insensitively — only= keeps true flags", "[store]") {
  Fixture f;
  auto count = [&](auto pred) { return size_t(std::count_if(f.kept.rows.begin(), f.kept.rows.end(), pred)); };
  CHECK(f.view(R"({"detection":"beacon","filter":"ws-1"})")["matched"] ==
        count([](const auto& r) { return lower(r.deviceName).find("ws-1") != std::string::npos; }));
  CHECK(f.view(R"({"detection":"beacon","filter":"UPDATER"})")["matched"] ==
        count([](const auto& r) { return r.processName == "Updater.EXE"; }));
  CHECK(f.view(R"({"detection":"beacon","filter":"\"q\""})")["matched"] == count([](const auto& r) { return r.deviceName == "srv \"q\""; }));
  CHECK(f.view(R"({"detection":"beacon","filter":"445"})")["matched"] ==
        count([](const auto& r) { return std::find(r.remotePorts.begin(), r.remotePorts.end(), 445) != r.remotePorts.end(); }));
  CHECK(f.view(R"({"detection":"beacon","only":["IsTIMatch"]})")["matched"] == count([](const auto& r) { return r.isTiMatch; }));
  CHECK(f.view(R"({"detection":"beacon","filter":"no such text"})")["matched"] == 0);
  SECTION("filter and sort together, paged") {
    auto all = f.view(R"({"detection":"beacon","filter":"beacon.exe","sort":[{"column":"RemoteIP"}],"limit":10000})");
    auto page = f.view(R"({"detection":"beacon","filter":"beacon.exe","sort":[{"column":"RemoteIP"}],"offset":5,"limit":3})");
    REQUIRE(page["rows"].size() == 3);
    for (size_t i = 0; i < 3; ++i) CHECK(page["rows"][i] == all["rows"][5 + i]);
  }
  SECTION("bad requests are refused with a message") {
    CHECK_THROWS_WITH(f.view(R"({"detection":"beacons"})"), "unknown detection \"beacons\"");
    CHECK_THROWS_WITH(f.view(R"({"detection":"beacon","sort":[{"column":"Nope"}]})"), "no column \"Nope\" in the beacon table");
    CHECK_THROWS_WITH(f.view(R"({"detection":"beacon","only":["DeviceName"]})"), "\"DeviceName\" is not a true/false column");
    CHECK_THROWS_AS(vpshunt::viewRequestFromJson("[1]"), std::invalid_argument);
  }
}

TEST_CASE("store: an export of a view is the writer's text of those rows", "[store][output]") {
  Fixture f;
  std::string text;
  f.store.exportView(vpshunt::viewRequestFromJson(R"({"detection":"beacon","filter":"ws-10"})"), vpshunt::OutputFormat::Jsonl,
                     [&](std::string_view piece) { text += piece; });
  std::string expected;
  for (const auto& r : f.kept.rows)
    if (r.deviceName == "ws-10") expected += vpshunt::rowToJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  CHECK(text == expected);
  vpshunt::Row row(vpshunt::beaconSchema());
  REQUIRE(f.store.findRow("beacon", f.kept.rows[3].groupId, row));
  CHECK(vpshunt::rowJson(row) == vpshunt::rowToJson(f.kept.rows[3]));
}

TEST_CASE("store: the overview counts the rows over time and by network", "[store]") {
  Fixture f;
  auto o = nlohmann::json::parse(f.store.overview("beacon"));
  CHECK(o["rows"] == f.kept.rows.size());
  uint64_t inBins = 0;
  int64_t best = 0;
  for (const auto& b : o["bins"]) inBins += b["rows"].get<uint64_t>(), best = std::max(best, b["maxScore"].get<int64_t>());
  CHECK(inBins == f.kept.rows.size());
  int expectedBest = 0;
  for (const auto& r : f.kept.rows) expectedBest = std::max(expectedBest, r.score);
  CHECK(best == expectedBest);
  REQUIRE(o["networks"].size() == 1);  // no ASN database: every row is an unknown network
  CHECK(o["networks"][0]["name"] == "unknown network");
  CHECK(o["networks"][0]["rows"] == f.kept.rows.size());
  CHECK(nlohmann::json::parse(f.store.overview("inbound"))["rows"] == 0);
  CHECK_THROWS_AS(f.store.overview("nope"), std::invalid_argument);
}

TEST_CASE("store: the text filter matches numbers, times and flags as they are shown, whatever the needle", "[store]") {
  // The reference: every cell of every row as the page shows it, searched without regard to ASCII
  // case. Needles of digits and time characters reach the number, time and flag columns; needles
  // with other characters skip them (mayMatch in store.cpp) and must find the same rows.
  Fixture f;
  const auto all = f.view(R"({"detection":"beacon","limit":100000})")["rows"];
  REQUIRE(all.size() == f.kept.rows.size());
  auto shown = [](const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += (i ? (v[i].is_string() ? " " : ",") : "") + (v[i].is_string() ? v[i].get<std::string>() : v[i].dump());
      return s;
    }
    return v.dump();
  };
  for (const char* needle : {"t11:", "T10:00", "true", "FALSE", ".2", "0.", "2026-11-24", "z", "ws-1", "e", "0", "-", "443,", "inf"}) {
    INFO("needle " << needle);
    size_t expected = 0;
    for (const auto& row : all) {
      bool hit = false;
      for (auto it = row.begin(); it != row.end() && !hit; ++it) {
        if (it.key() == "_key" || it.key() == "_index" || it->is_null()) continue;
        hit = lower(shown(*it)).find(lower(needle)) != std::string::npos;
      }
      expected += hit;
    }
    nlohmann::json req = {{"detection", "beacon"}, {"filter", needle}};
    CHECK(f.view(req.dump())["matched"] == expected);
  }
}

// Analysis as a session: re-finishing after rule changes, details, encodings, memory bounds.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "detections/beacon/beacon.hpp"
#include "support.hpp"
#include "vpshunt/output.hpp"

namespace {
vpshunt::Analysis load(const std::string& csv) {
  vpshunt::Analysis a;
  a.beginFile("e.csv");
  a.feed(csv.data(), csv.size());
  a.endFile();
  return a;
}
}  // namespace

TEST_CASE("rule changes apply without re-reading where they can", "[analysis]") {
  auto csv = test::eventsCsv(test::series("2026-11-24T10:00:00Z", 10, 60));
  auto a = load(csv);
  CHECK(a.finish().rows.empty());
  vpshunt::Rule r = a.rule();
  r.beaconMinConnections = 10;
  CHECK_FALSE(a.setRule(r));
  CHECK(a.finish().rows.size() == 1);
  r.systemProcesses.push_back("beacon.exe");
  CHECK_FALSE(a.setRule(r));
  CHECK(a.finish().rows.empty());
  r.observationWindowMinutes = 30;
  CHECK(a.setRule(r));  // bins change: the caller must feed the files again
  CHECK(a.finish().files.empty());
}

TEST_CASE("detail: a row's connections, ascending", "[analysis]") {
  auto rows = test::series("2026-11-24T10:00:00Z", 12, 300);
  std::reverse(rows.begin(), rows.end());  // Defender exports are newest first
  auto csv = test::eventsCsv(rows);
  auto a = load(csv);
  auto res = a.finish();
  REQUIRE(res.rows.size() == 1);
  auto before = a.detail(res.rows[0].groupId);
  CHECK_FALSE(before.complete);
  CHECK(before.total == 12);
  CHECK(before.times.empty());
  a.beginCollect({res.rows[0].groupId});
  a.beginFile("e.csv");
  a.feed(csv.data(), csv.size());
  a.endFile();
  a.endCollect();
  CHECK(a.finish().files.size() == 1);  // the collect pass keeps the first pass's reports
  auto d = a.detail(res.rows[0].groupId);
  REQUIRE(d.times.size() == 12);
  CHECK(d.complete);
  CHECK(d.total == 12);
  CHECK(vpshunt::formatIsoTime(d.times[0]) == "2026-11-24T10:00:00Z");
  CHECK(d.times[1] - d.times[0] == 300 * vpshunt::kTicksPerSecond);
  CHECK(d.ports[0] == 443);
  CHECK(a.detail(999999).times.empty());
}

TEST_CASE("UTF-16 exports (Excel, PowerShell) read like UTF-8", "[analysis][encoding]") {
  std::string utf8 = test::eventsCsv(test::series("2026-11-24T10:00:00Z", 12, 60));
  for (bool bigEndian : {false, true}) {
    std::string utf16 = bigEndian ? "\xFE\xFF" : "\xFF\xFE";
    for (char c : utf8) {
      if (bigEndian) {
        utf16 += '\0';
        utf16 += c;
      } else {
        utf16 += c;
        utf16 += '\0';
      }
    }
    SECTION(bigEndian ? "UTF-16 BE" : "UTF-16 LE") {
      auto r = test::run(utf16, "", "", vpshunt::Rule{}, 7);  // odd chunks split code units
      REQUIRE(r.rows.size() == 1);
      CHECK(r.rows[0].connectionCount == 12);
      CHECK(r.files[0].notes.front().find("utf-16") != std::string::npos);
    }
  }
}

TEST_CASE("Unicode whitespace around values is trimmed — the command line is kept exact", "[analysis]") {
  auto rows = test::series("2026-11-24T10:00:00Z", 12, 60);
  for (auto& e : rows) {
    e.device = "ws-1\xC2\xA0";  // NO-BREAK SPACE
    e.ip = " 203.0.113.10";
    e.cmdline = "beacon.exe -x ";
  }
  auto r = test::run(test::eventsCsv(rows));
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].deviceName == "ws-1");
  CHECK(r.rows[0].commandLine == "beacon.exe -x ");
}

TEST_CASE("JSON output is valid UTF-8 even for invalid input bytes", "[analysis][output]") {
  auto rows = test::series("2026-11-24T10:00:00Z", 12, 60);
  for (auto& e : rows) e.cmdline = "bad \xFF\xFE bytes";
  const std::string csv = test::eventsCsv(rows);
  vpshunt::Analysis a;
  a.beginFile("e.csv");
  a.feed(csv.data(), csv.size());
  a.endFile();
  REQUIRE(a.finish().rows.size() == 1);
  std::string json = vpshunt::renderResults(a, std::nullopt, vpshunt::OutputFormat::Jsonl);
  CHECK(json.find("bad \xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("hostile numbers: byte sums saturate, absurd Zeek times are refused", "[analysis][errors]") {
  SECTION("SentBytes at INT64_MAX twelve times") {
    auto rows = test::series("2026-11-24T10:00:00Z", 12, 60);
    for (auto& e : rows) {
      e.sent = "9223372036854775807";
      e.received = "1";
    }
    auto r = test::run(test::eventsCsv(rows, true));
    REQUIRE(r.rows.size() == 1);
    CHECK(*r.rows[0].totalBytesSent == INT64_MAX);
    CHECK(*r.rows[0].totalBytesReceived == 12);
  }
  SECTION("a Zeek ts past year 30,000") {
    std::string tsv =
        "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n"
        "17134852298180.5\tC1\t10.0.0.5\t50000\t45.33.32.156\t443\ttcp\tSF\n";
    auto r = test::run(tsv);
    CHECK(r.files[0].format == "zeek-tsv");
    CHECK(r.files[0].skipped == 1);
  }
}

TEST_CASE("finishEach streams the rows finish() keeps, in the same order, and the same text", "[analysis][output]") {
  // Ties everywhere: several addresses, devices and hours with the same counts, and groups that
  // straddle the cutoff (upper bounds until a collect pass).
  std::vector<test::Ev> rows;
  for (const char* ip : {"203.0.113.9", "203.0.113.10", "198.51.100.1", "2001:db8::1"})
    for (const char* device : {"ws-2", "ws-1"})
      for (const char* hour : {"2026-11-24T09:30:00Z", "2026-11-24T11:00:00Z"}) {
        test::Ev e;
        e.ip = ip;
        e.device = device;
        auto s = test::series(hour, 12, 60, e);
        rows.insert(rows.end(), s.begin(), s.end());
      }
  const std::string csv = test::eventsCsv(rows);
  for (const char* mode : {"seed", "beyond"}) {
    SECTION(mode) {
      vpshunt::Rule rule;
      rule.mode = mode;
      rule.lookbackMinutes = 80;  // the cutoff falls inside the 09:00 groups
      vpshunt::Analysis a(rule);
      a.beginFile("e.csv");
      a.feed(csv.data(), csv.size());
      a.endFile();
      if (rule.mode == "beyond") {  // periodicity needs the rows: a collect pass (seed mode keeps upper bounds)
        a.beginCollect(a.finish().collectGroups);
        a.beginFile("e.csv");
        a.feed(csv.data(), csv.size());
        a.endFile();
        a.endCollect();
      }
      const auto kept = a.finish();
      REQUIRE(kept.rowCount == kept.rows.size());
      REQUIRE(kept.rows.size() >= 8);
      const auto counted = a.finishEach(std::nullopt, nullptr);
      CHECK(counted.rows.empty());
      CHECK(counted.rowCount == kept.rowCount);
      CHECK(counted.collectGroups == kept.collectGroups);
      struct Collect : vpshunt::ResultSink {
        std::vector<nlohmann::json> beacon;
        void row(const vpshunt::Row& r) override {
          if (r.schema->detection == "beacon") beacon.push_back(vpshunt::rowJson(r));
        }
      } streamed;
      const auto each = a.finishEach(std::nullopt, &streamed);
      CHECK(each.rows.empty());
      CHECK(each.rowCount == kept.rowCount);
      REQUIRE(streamed.beacon.size() == kept.rows.size());
      for (size_t i = 0; i < kept.rows.size(); ++i) CHECK(streamed.beacon[i] == vpshunt::rowToJson(kept.rows[i]));
      // The jsonl text is the rows' objects, one a line (the beacon table alone: infrastructure
      // would add its rows after them).
      REQUIRE_FALSE(a.setDetections({"beacon"}));
      std::string jsonl = vpshunt::renderResults(a, std::nullopt, vpshunt::OutputFormat::Jsonl);
      std::string expected;
      for (const auto& r : kept.rows) expected += vpshunt::rowToJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      CHECK(jsonl == expected);
    }
  }
}

TEST_CASE("the jsonl writer writes exactly what nlohmann's dump of rowToJson writes", "[output]") {
  std::string every;  // every byte value once, in text that is otherwise valid UTF-8
  for (int c = 0; c < 0x80; ++c) every += char(c);
  const std::vector<std::string> texts = {"",
                                          "plain",
                                          "\"C:\\Program Files\\x.exe\" --a=\"b\"",
                                          every,
                                          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",  // é € 😀
                                          "bad \xff\xfe utf-8 \xc3",
                                          "<img src=x onerror=alert(1)>",
                                          std::string(3000, 'x') + "\n"};
  const std::vector<double> numbers = {0.0, 0.33, 1.0, 12.5, 1e-7, 123456789.0, 1e21, -0.5, 2.0 / 3.0,
                                      -0.0, 1e300, 5e-324, -1.7976931348623157e308, std::nan(""), HUGE_VAL, 1e15, 1e16};
  size_t checked = 0;
  for (size_t i = 0; i < texts.size() * numbers.size(); ++i) {
    vpshunt::ResultRow r;
    const std::string& t = texts[i % texts.size()];
    const double d = numbers[i % numbers.size()];
    r.binStart = int64_t(i) * 36000000000;
    r.deviceName = t;
    r.accountName = texts[(i + 1) % texts.size()];
    r.processName = texts[(i + 2) % texts.size()];
    r.commandLine = texts[(i + 3) % texts.size()];
    r.remoteIp = i % 2 ? "203.0.113.10" : "2001:db8::1";
    r.connectionCount = int64_t(i) * 1000003 - 5;
    r.connectionsPerMinute = d;
    r.uniqueRemotePorts = int64_t(i % 7);
    for (size_t p = 0; p < i % 6; ++p) r.remotePorts.push_back(int64_t(p * 443));
    if (i % 3) r.totalBytesSent = INT64_MAX - int64_t(i);
    if (i % 4) r.totalBytesReceived = int64_t(i);
    r.byteRatio = numbers[(i + 3) % numbers.size()];
    r.isTiMatch = i % 2;
    if (i % 2) {
      r.threatType = t;
      r.tiConfidence = int64_t(i);
      r.tiDescription = texts[(i + 5) % texts.size()];
    }
    r.riskScore = int(i % 96);
    r.firstConnection = 17000000000000000 + int64_t(i) * 1234567;
    r.lastConnection = r.firstConnection + 9999999;
    r.groupId = (uint64_t(1) << 40) + i;
    if (i % 5) {
      r.remoteAsn = uint32_t(i * 7919);
      r.remoteOrg = texts[(i + 4) % texts.size()];
    }
    r.isHosting = i % 5 == 1;
    if (r.isHosting) {
      r.hostingProvider = t;
      r.hostingCategory = "vps";
    }
    r.deviceCount = i;
    if (i % 2) {
      r.medianIntervalSeconds = d * 60;
      r.periodicityScore = numbers[(i + 1) % numbers.size()];
      r.intervalDispersion = numbers[(i + 2) % numbers.size()];
    }
    r.vpsScore = int(i % 101);
    for (size_t k = 0; k < i % 4; ++k) r.vpsReasons.push_back(texts[(i + k) % texts.size()]);
    r.score = r.riskScore;
    r.reasons = r.vpsReasons;
    vpshunt::Row row(vpshunt::beaconSchema());
    vpshunt::BeaconDetection::cells(r, row);
    std::string fast;
    vpshunt::appendJsonl(row, fast);
    CHECK(fast == vpshunt::rowToJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    ++checked;
  }
  CHECK(checked == texts.size() * numbers.size());
}

TEST_CASE("the jsonl writer escapes every byte at every place in a word as nlohmann does", "[output]") {
  // The writer's scan (findJsonStringSpecial) looks at sixteen bytes a step, then eight, then one:
  // each byte value at each offset of a 16-byte block, an 8-byte word and a tail, beside plain ASCII,
  // after valid UTF-8, and an invalid byte after valid UTF-8.
  size_t checked = 0;
  for (const std::string& base : {std::string(27, 'a'), "caf\xc3\xa9 " + std::string(22, 'b')}) {
    for (int b = 0; b < 256; ++b)
      for (size_t at = 0; at < base.size(); ++at) {
        std::string text = base;
        text[at] = char(b);
        vpshunt::ResultRow r;
        r.deviceName = text;
        r.commandLine = text + "\"\\\x01" + text;
        vpshunt::Row row(vpshunt::beaconSchema().output(false));  // a seed row, as rowToJson has it
        vpshunt::BeaconDetection::cells(r, row);
        std::string fast;
        vpshunt::appendJsonl(row, fast);
        const std::string ref = vpshunt::rowToJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        size_t differs = 0;
        while (differs < fast.size() && differs < ref.size() && fast[differs] == ref[differs]) ++differs;
        INFO("byte " << b << " at " << at << ": from " << differs << ", written " << fast.substr(differs, 60) << ", nlohmann "
                     << ref.substr(differs, 60));
        REQUIRE(fast == ref);
        ++checked;
      }
  }
  CHECK(checked == 256 * (27 + 28));
}
